// `npm run cluster -- up [--node] | down | status [--name NAME]`: a Kubernetes control plane with Knative
// Serving's controller and webhook, as processes on this machine, and with --node a node that runs
// pods: Knative's activator and autoscaler, Traefik as its ingress, our functions (tools/cluster/cluster.ts).
//   up       builds what is missing, starts it, says how to use it, runs until Ctrl-C or SIGTERM
//   down     stops a running `up` from another terminal, and removes what a crashed one left
//   status   says what runs
import type { HostPort } from '../cluster/bridge.ts';
import { type RunningCluster, startCluster } from '../cluster/cluster.ts';
import { DOMAIN } from '../cluster/knative-on-node.ts';
import { readClusterStatus, stopClusterFromElsewhere, totalRss } from '../cluster/leftovers.ts';
import { namespacesNamed } from '../cluster/netns.ts';
import { JAEGER_IMAGE } from '../cluster/node/images.ts';
import { ClusterUsageError, DEFAULT_CLUSTER_NAME, parseClusterOptions, USAGE } from '../cluster/options.ts';
import { clusterPaths, NAMESPACE_PREFIX } from '../cluster/state.ts';

const say = (line: string) => console.log(line);
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

function usage(cluster: RunningCluster, seconds: string, ingress: HostPort | undefined): string {
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
    `  logs         ${cluster.paths.logs}`,
    '',
    'Use it from another terminal:',
    `  export KUBECONFIG=${cluster.kubeconfig}`,
    `  ${cluster.kubectl} get ksvc -A            (the kubectl it was built with)`,
    ...(ingress
      ? [
          `  npm run deploy -- --registry dev.local --jaeger-image ${JAEGER_IMAGE.name}`,
          '      (the images are on the node as dev.local/...: Knative resolves no tag there, and nothing is pulled)',
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

async function up(name: string, node: boolean): Promise<number> {
  const started = Date.now();
  say(`Starting the cluster "${name}":`);
  // A signal during the start-up: exit at once; the cluster's exit handler kills what started and
  // removes the namespace (a signal's default action would skip exit handlers).
  const abort = (signal: NodeJS.Signals) => {
    console.error(`\n${signal} during the start-up: killing what started.`);
    process.exit(130);
  };
  process.once('SIGINT', abort).once('SIGTERM', abort);
  const cluster = await startCluster({
    name,
    env: process.env,
    progress: say,
    build: true,
    ownerIsCommand: true,
    node,
  });
  process.off('SIGINT', abort).off('SIGTERM', abort);
  // Traefik's public entrypoint on this machine's loopback: curl it with a Knative Service's host.
  const ingress = cluster.ingress ? await cluster.expose(cluster.ingress) : undefined;
  let stopping = false;
  const stop = async (why: string) => {
    if (stopping) return;
    stopping = true;
    say(`\n${why}: stopping the cluster "${name}"…`);
    const stopStarted = Date.now();
    await cluster.stop();
    say(`Stopped in ${((Date.now() - stopStarted) / 1000).toFixed(1)} s; the namespace ${cluster.namespace} is gone.`);
  };
  const signalled = new Promise<number>((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => void stop(signal).then(() => resolve(0)));
    }
  });
  say(usage(cluster, ((Date.now() - started) / 1000).toFixed(1), ingress));
  const crashed = cluster.unexpectedExit.then(async (child) => {
    if (stopping) return signalled;
    const { code, signal } = await child.exited;
    console.error(
      `${child.name} exited on its own (${signal ?? `status ${code}`}); its log: ${cluster.paths.logs}/${child.name}.log`,
    );
    console.error(child.output().split('\n').slice(-15).join('\n'));
    await stop(`${child.name} exited`);
    return 1;
  });
  return Promise.race([signalled, crashed]);
}

async function status(name: string): Promise<number> {
  const paths = clusterPaths(name, process.env);
  const state = await readClusterStatus(paths);
  const others = (await namespacesNamed(NAMESPACE_PREFIX))
    .filter((namespace) => namespace !== paths.namespace)
    .map((namespace) => namespace.slice(NAMESPACE_PREFIX.length));
  if (others.length > 0) say(`Other clusters on this machine (see --name): ${others.join(', ')}`);
  if (!state.record && !state.namespace && state.processes.length === 0) {
    say(`No cluster "${name}" runs.`);
    return 0;
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
  for (const { pid, command, rssBytes } of state.processes) {
    say(`  ${String(pid).padStart(8)}  ${command.padEnd(24)} ${mib(rssBytes).padStart(8)}`);
  }
  if (state.podProcesses.length > 0) {
    say("  the node's pods:");
    for (const { pid, command, rssBytes } of state.podProcesses) {
      say(`  ${String(pid).padStart(8)}  ${command.padEnd(24)} ${mib(rssBytes).padStart(8)}`);
    }
  }
  const count = state.processes.length + state.podProcesses.length;
  say(`  ${count} processes, ${mib(totalRss(state))} resident in all`);
  say(`  state        ${paths.dir}`);
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const { command, name, node } = parseClusterOptions(argv, process.env);
  if (command === 'help') {
    say(USAGE);
    return 0;
  }
  if (command === 'up') return up(name, node);
  if (command === 'status') return status(name);
  say(await stopClusterFromElsewhere(clusterPaths(name, process.env), say));
  return 0;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = error instanceof ClusterUsageError ? 2 : 1;
}
// The bridge's listening port and the daemons' pipes keep no reference: leave when done.
process.exit();
