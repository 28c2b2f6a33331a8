// `npm run faults`: runs the fault scenarios against the local system (real processes, a real
// Jaeger) and prints a table of scenario, expected, observed and pass. Exits 1 when any fails.
// `npm run faults -- --cluster [--name NAME]`: the cluster scenarios instead (tools/faults/cluster/),
// on the cluster that `npm run cluster -- up --node [--name NAME]` runs, under steady traffic through
// its route; deploys the system there when it is not (and leaves it deployed, in Redis mode).
import { parseArgs } from 'node:util';
import { DEFAULT_CLUSTER_NAME } from '../cluster/options.ts';
import { attachCluster } from '../faults/cluster/attach.ts';
import { createClusterContext } from '../faults/cluster/context.ts';
import { runClusterScenarios } from '../faults/cluster/run.ts';
import { CLUSTER_SCENARIOS } from '../faults/cluster/scenarios.ts';
import { renderFaultsTable, runScenarios } from '../faults/run.ts';
import type { Row } from '../faults/scenario.ts';
import { SCENARIOS } from '../faults/scenarios.ts';
import { ensureJaeger } from '../jaeger/binary.ts';

const log = (line: string) => console.error(line);

async function onCluster(name: string): Promise<Row[]> {
  const attached = await attachCluster(name, process.env);
  const ctx = await createClusterContext(attached.cluster);
  try {
    return await runClusterScenarios(ctx, CLUSTER_SCENARIOS, log);
  } finally {
    await ctx.close();
    await attached.close();
  }
}

const { values } = parseArgs({
  options: { cluster: { type: 'boolean', default: false }, name: { type: 'string' } },
});
await ensureJaeger(process.env, log);
const started = performance.now();
const rows = values.cluster
  ? await onCluster(values.name ?? process.env.CLUSTER_NAME ?? DEFAULT_CLUSTER_NAME)
  : await runScenarios(SCENARIOS, log);
console.log(renderFaultsTable(rows));
const failed = rows.filter((row) => !row.pass).length;
console.log(`\n${rows.length} scenarios in ${((performance.now() - started) / 1000).toFixed(0)} s`);
console.log(`faults: ${rows.length - failed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
// The port-forwards and the bridge's ports keep no reference, but the kube client's sockets may.
if (values.cluster) process.exit();
