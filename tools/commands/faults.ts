// `npm run faults`: runs the fault scenarios against the local system (real processes, a real
// Jaeger) and prints a table of scenario, expected, observed and pass. Exits 1 when any fails.

import { type Row, SCENARIOS } from '../faults/scenarios.ts';
import { ensureJaeger } from '../jaeger/binary.ts';
import { Processes } from '../local/system.ts';
import { renderTable } from '../report/table.ts';

await ensureJaeger(process.env, (line) => console.error(line));
const rows: Row[] = [];
const started = performance.now();
for (const { name, run } of SCENARIOS) {
  const processes = new Processes();
  const begun = performance.now();
  console.error(`running: ${name}…`);
  try {
    rows.push(...(await run(processes)));
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
console.log(
  renderTable(
    [{ title: 'scenario' }, { title: 'expected' }, { title: 'observed' }, { title: 'pass' }],
    rows.map((row) => [row.scenario, row.expected, row.observed, row.pass ? 'yes' : 'NO']),
  ),
);
const failed = rows.filter((row) => !row.pass).length;
console.log(`\n${rows.length} scenarios in ${((performance.now() - started) / 1000).toFixed(0)} s`);
console.log(`faults: ${rows.length - failed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
