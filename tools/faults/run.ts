// Runs the fault scenarios one after another, each on processes of its own that are stopped after it,
// and renders their rows as `npm run faults` prints them.
import { Processes } from '../local/system.ts';
import { renderTable } from '../report/table.ts';
import type { Row, Scenario } from './scenario.ts';

/** Every scenario's rows; a scenario that throws answers one failing row that says why. */
export function runScenarios(scenarios: readonly Scenario[], log: (line: string) => void): Promise<Row[]> {
  return runEach(scenarios, (scenario, processes) => scenario.run(processes), log, 'running');
}

/**
 * Runs `scenarios` one after another through `runOne`, each with processes of its own that are stopped
 * after it; a scenario that throws answers one failing row that says why, and the next one starts anyway.
 */
export async function runEach<S extends { name: string }>(
  scenarios: readonly S[],
  runOne: (scenario: S, processes: Processes) => Promise<Row[]>,
  log: (line: string) => void,
  doing: string,
): Promise<Row[]> {
  const rows: Row[] = [];
  for (const scenario of scenarios) {
    const processes = new Processes();
    const begun = performance.now();
    log(`${doing}: ${scenario.name}…`);
    try {
      rows.push(...(await runOne(scenario, processes)));
    } catch (error) {
      rows.push({
        scenario: scenario.name,
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
