// A cluster that `npm run cluster -- up --node [--name NAME]` runs in another terminal, found by its
// name as `down` and `status` find it: its record says it runs, its folder holds the kubeconfig and
// the bridge's socket, through which a port of this process leads to Traefik inside.

import { requireClusterBinaries } from '../../cluster/binaries.ts';
import { forwardPortInside } from '../../cluster/bridge.ts';
import { TRAEFIK_NAMESPACE } from '../../cluster/knative-on-node.ts';
import { REGISTRY } from '../../cluster/node/registry.ts';
import { kubectlOn } from '../../cluster/on-cluster.ts';
import { clusterPaths, isRunning, readRecord } from '../../cluster/state.ts';
import type { ClusterHandle } from './context.ts';

export class ClusterNotRunningError extends Error {
  override name = 'ClusterNotRunningError';
}

/** The running cluster `name`; `close` closes the ports it opened. */
export async function attachCluster(
  name: string,
  env: NodeJS.ProcessEnv,
): Promise<{ cluster: ClusterHandle; close(): Promise<void> }> {
  const paths = clusterPaths(name, env);
  const record = await readRecord(paths);
  if (!record || !(await isRunning(record.ownerPid))) {
    throw new ClusterNotRunningError(
      `No cluster "${name}" runs: start one with \`npm run cluster -- up --node${name === 'knative-tracing-counter' ? '' : ` --name ${name}`}\`.`,
    );
  }
  const { kubectl } = await requireClusterBinaries(env);
  const closes: (() => Promise<void>)[] = [];
  const base = { name, kubectl, kubeconfig: paths.kubeconfig, paths };
  const traefik = JSON.parse(
    await kubectlOn(base, ['get', 'service', 'traefik', '-n', TRAEFIK_NAMESPACE, '-o', 'json']),
  ) as { spec: { clusterIP: string; ports: { port: number }[] } };
  const port = traefik.spec.ports[0]?.port;
  if (port === undefined) throw new ClusterNotRunningError(`The cluster "${name}" has no node: Traefik has no port`);
  const cluster: ClusterHandle = {
    ...base,
    registry: { name: REGISTRY },
    ingress: { host: traefik.spec.clusterIP, port },
    expose: async (target) => {
      const hostPort = await forwardPortInside(paths.bridgeSocket, target);
      closes.push(hostPort.close);
      return hostPort;
    },
  };
  return { cluster, close: async () => void (await Promise.all(closes.map((close) => close()))) };
}
