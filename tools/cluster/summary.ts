// What `npm run cluster` says: how to use a cluster that is up, and what runs of one.
import type { HostPort } from './bridge.ts';
import type { RunningCluster } from './cluster.ts';
import { DOMAIN } from './knative-on-node.ts';
import { type ClusterStatus, totalRss } from './leftovers.ts';
import { JAEGER_IMAGE } from './node/images.ts';
import { DEFAULT_CLUSTER_NAME } from './options.ts';
import type { ClusterPaths } from './state.ts';

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

/** Said once `up` is ready: what runs where, and the commands that use it. */
export function renderClusterReady(cluster: RunningCluster, seconds: string, ingress: HostPort | undefined): string {
  const nameOption = cluster.name === DEFAULT_CLUSTER_NAME ? '' : ` --name ${cluster.name}`;
  return [
    '',
    cluster.node
      ? `Cluster "${cluster.name}" up in ${seconds} s: Kubernetes v1.34.4 with a node (${cluster.node}, containerd), Knative Serving v0.50.0 and Traefik v3.6.12.`
      : `Cluster "${cluster.name}" up in ${seconds} s: Kubernetes v1.34.4 (no node: pods stay Pending; see --node) with Knative Serving v0.50.0.`,
    `  API server   ${cluster.server}   (inside the network namespace ${cluster.namespace})`,
    ...(ingress
      ? [`  ingress      http://127.0.0.1:${ingress.port}   (Traefik; Knative's public Services are *.${DOMAIN})`]
      : []),
    ...(cluster.registry
      ? [
          `  registry     ${cluster.registry.name}   (TLS with the cluster's CA, inside the namespace; ${cluster.registry.images.map(({ reference }) => reference.slice(cluster.registry?.name.length ?? 0)).join(' and ')} pushed)`,
        ]
      : []),
    `  logs         ${cluster.paths.logs}`,
    '',
    'Use it from another terminal:',
    `  export KUBECONFIG=${cluster.kubeconfig}`,
    `  ${cluster.kubectl} get ksvc -A            (the kubectl it was built with)`,
    ...(ingress && cluster.registry
      ? [
          `  npm run deploy -- --registry ${cluster.registry.name} --jaeger-image ${JAEGER_IMAGE.name}`,
          "      (Knative resolves the functions' tags to digests in the registry, and the node pulls them)",
          `  nsenter --net=/run/netns/${cluster.namespace} podman push --cert-dir ${cluster.registry.certDir} IMAGE ${cluster.registry.name}/NAME:TAG`,
          '      (pushes another image: the registry is reached inside the namespace)',
          `  nsenter --net=/run/netns/${cluster.namespace} env KUBECONFIG=${cluster.paths.inside.admin} bash`,
          "      (a shell on the cluster's network: its registry, the ingress's ClusterIP, the API server)",
          `  curl -H 'Host: frontend.default.${DOMAIN}' http://127.0.0.1:${ingress.port}/`,
          "  npm run diagnose                         (reads the cluster's Jaeger through a port-forward)",
        ]
      : [
          '  npm run deploy -- --registry dev.local    (dev.local: Knative resolves no tag there, and nothing leaves the namespace)',
        ]),
    `  npm run cluster -- status${nameOption}`,
    `  npm run cluster -- down${nameOption}      (or Ctrl-C here)`,
    '',
    'Ready.',
  ].join('\n');
}

/**
 * The status of the cluster at `paths`: its record, namespace and processes; a line that none runs
 * when nothing of it is there. `others` are the names of the other clusters on this machine.
 */
export function renderClusterStatus(
  name: string,
  paths: ClusterPaths,
  state: ClusterStatus,
  others: readonly string[],
): string[] {
  const lines: string[] = [];
  const say = (line: string) => lines.push(line);
  if (others.length > 0) say(`Other clusters on this machine (see --name): ${others.join(', ')}`);
  if (!state.record && !state.namespace && state.processes.length === 0) {
    say(`No cluster "${name}" runs.`);
    return lines;
  }
  const { record } = state;
  say(`Cluster "${name}":`);
  if (record) {
    const owner = state.ownerRunning ? 'running' : 'gone: the cluster crashed; `down` cleans up';
    say(`  started      ${record.startedAt} by process ${record.ownerPid} (${owner})`);
    say(`  API server   ${record.server}`);
    say(`  kubeconfig   ${paths.kubeconfig}`);
  }
  say(`  namespace    ${paths.namespace} (${state.namespace ? 'present' : 'absent'})`);
  const list = (processes: typeof state.processes) => {
    for (const { pid, command, rssBytes } of processes) {
      say(`  ${String(pid).padStart(8)}  ${command.padEnd(24)} ${mib(rssBytes).padStart(8)}`);
    }
  };
  list(state.processes);
  if (state.podProcesses.length > 0) {
    say("  the node's pods:");
    list(state.podProcesses);
  }
  const count = state.processes.length + state.podProcesses.length;
  say(`  ${count} processes, ${mib(totalRss(state))} resident in all`);
  say(`  state        ${paths.dir}`);
  return lines;
}
