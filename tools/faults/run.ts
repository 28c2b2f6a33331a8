// Runs the fault scenarios one after another, each on processes of its own that are stopped after it,
// and renders their rows as `npm run faults` prints them.
import { Processes } from '../local/system.ts';
import { renderTable } from '../report/table.ts';
import type { Row, Scenario } from './scenario.ts';

/** Every scenario's rows; a scenario that throws answers one failing row that says why. */
export async function runScenarios(scenarios: readonly Scenario[], log: (line: string) => void): Promise<Row[]> {
  const rows: Row[] = [];
  for (const { name, run } of scenarios) {
    const processes = new Processes();
    const begun = performance.now();
    log(`running: ${name}…`);
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
    log(`  done in ${((performance.now() - begun) / 1000).toFixed(1)} s`);
  }
  return rows;
}

export function renderFaultsTable(rows: readonly Row[]): string {
  return renderTable(
    [{ title: 'scenario' }, { title: 'expected' }, { title: 'observed' }, { title: 'pass' }],
    rows.map((row) => [row.scenario, row.expected, row.observed, row.pass ? 'yes' : 'NO']),
  );
}
