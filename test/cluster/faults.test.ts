// The cluster fault scenarios of `npm run faults -- --cluster` (tools/faults/cluster/), as tests: one
// cluster with its node for all of them, in order, each row asserted as test/faults.test.ts asserts
// the local ones. The backend's lag is shortened to 20–200 ms for them (tools/faults/cluster/prepare.ts).
import test from 'ava';
import { requireClusterBinaries, requireNodeBinaries } from '../../tools/cluster/binaries.ts';
import { type RunningCluster, startCluster } from '../../tools/cluster/cluster.ts';
import { type ClusterContext, createClusterContext } from '../../tools/faults/cluster/context.ts';
import { CLUSTER_SCENARIOS } from '../../tools/faults/cluster/scenarios.ts';
import { renderFaultsTable } from '../../tools/faults/run.ts';
import type { Row } from '../../tools/faults/scenario.ts';
import { Processes } from '../../tools/local/system.ts';

let cluster: RunningCluster | undefined;
let ctx: ClusterContext | undefined;
const rows: Row[] = [];

test.before(async () => {
  await requireClusterBinaries(process.env);
  await requireNodeBinaries(process.env);
  cluster = await startCluster({ name: `faults-${process.pid}`, env: process.env, node: true });
  ctx = await createClusterContext(cluster);
});

test.after.always(async (t) => {
  t.log(`\n${renderFaultsTable(rows)}`);
  await ctx?.close();
  await cluster?.stop();
});

for (const { name, run } of CLUSTER_SCENARIOS) {
  test.serial(name, async (t) => {
    // A rollout waits for a Revision to start and the old one to drain; a kill for a new pod.
    t.timeout(8 * 60_000);
    if (!ctx) throw new Error('The cluster did not start');
    const processes = new Processes();
    t.teardown(() => processes.stopAll());
    const answered = await run(ctx, processes);
    rows.push(...answered);
    t.true(answered.length > 0, 'a scenario that answers no row proves nothing');
    for (const row of answered) {
      t.true(row.pass, `${row.scenario.trim()}: expected ${row.expected}; observed ${row.observed}`);
    }
  });
}
