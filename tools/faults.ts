// `npm run faults`: runs the fault scenarios against the local system (real processes, a real
// Jaeger) and prints a table of scenario, expected, observed and pass. Exits 1 when any fails.

import { type Row, SCENARIOS } from './faults/scenarios.ts';
import { ensureJaeger } from './jaeger/binary.ts';
import { Processes } from './system.ts';

function table(rows: Row[]): string {
  const header = { scenario: 'scenario', expected: 'expected', observed: 'observed', pass: 'pass' };
  const cells = rows.map((row) => ({ ...row, pass: row.pass ? 'yes' : 'NO' }));
  const keys = ['scenario', 'expected', 'observed', 'pass'] as const;
  const widths = keys.map((key) => Math.max(header[key].length, ...cells.map((row) => row[key].length)));
  const line = (row: Record<(typeof keys)[number], string>) =>
    `| ${keys.map((key, index) => row[key].padEnd(widths[index] ?? 0)).join(' | ')} |`;
  const rule = `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`;
  return [line(header), rule, ...cells.map(line)].join('\n');
}

await ensureJaeger(process.env, (line) => console.error(line));
const rows: Row[] = [];
const started = performance.now();
for (const [name, scenario] of SCENARIOS) {
  const processes = new Processes();
  const begun = performance.now();
  console.error(`running: ${name}…`);
  try {
    rows.push(...(await scenario(processes)));
  } catch (error) {
    rows.push({
      scenario: name,
      expected: 'runs to the end',
      observed: `failed: ${error instanceof Error ? error.message.split('\n')[0] : error}`,
      pass: false,
    });
  } finally {
    await processes.stopAll();
  }
  console.error(`  done in ${((performance.now() - begun) / 1000).toFixed(1)} s`);
}
console.log(table(rows));
const failed = rows.filter((row) => !row.pass).length;
console.log(`\n${rows.length} scenarios in ${((performance.now() - started) / 1000).toFixed(0)} s`);
console.log(`faults: ${rows.length - failed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
