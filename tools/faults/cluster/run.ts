// Runs the cluster scenarios one after another on one cluster; a scenario that throws answers one
// failing row that says why, and the next one starts anyway.
import { Processes } from '../../local/system.ts';
import type { ClusterContext } from './context.ts';
import type { ClusterScenario, Row } from './scenario.ts';

export async function runClusterScenarios(
  ctx: ClusterContext,
  scenarios: readonly ClusterScenario[],
  log: (line: string) => void,
): Promise<Row[]> {
  const rows: Row[] = [];
  for (const { name, run } of scenarios) {
    const processes = new Processes();
    const begun = performance.now();
    log(`running on the cluster: ${name}…`);
    try {
      rows.push(...(await run(ctx, processes)));
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
