// Runs the cluster scenarios one after another on one cluster; a scenario that throws answers one
// failing row that says why, and the next one starts anyway.
import { runEach } from '../run.ts';
import type { ClusterContext } from './context.ts';
import type { ClusterScenario, Row } from './scenario.ts';

export function runClusterScenarios(
  ctx: ClusterContext,
  scenarios: readonly ClusterScenario[],
  log: (line: string) => void,
): Promise<Row[]> {
  return runEach(scenarios, (scenario, processes) => scenario.run(ctx, processes), log, 'running on the cluster');
}
