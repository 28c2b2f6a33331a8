// The cluster tests' helpers live in tools/cluster/on-cluster.ts, which the cluster's fault scenarios
// (tools/faults/cluster/) share; here, what only the tests do: start a cluster of their own.
import { requireClusterBinaries, requireNodeBinaries } from '../../tools/cluster/binaries.ts';
import { type RunningCluster, startCluster } from '../../tools/cluster/cluster.ts';

export * from '../../tools/cluster/on-cluster.ts';

/**
 * A cluster with its node (Knative Serving, Traefik) named `name`, and the port of this machine where
 * Traefik answers, as `up` prints it.
 */
export async function startClusterWithIngress(name: string): Promise<{ cluster: RunningCluster; ingressPort: number }> {
  await requireClusterBinaries(process.env);
  await requireNodeBinaries(process.env);
  const cluster = await startCluster({ name, env: process.env, node: true });
  if (!cluster.ingress) throw new Error('The cluster has no ingress');
  return { cluster, ingressPort: (await cluster.expose(cluster.ingress)).port };
}
