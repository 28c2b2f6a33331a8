// `npm run cluster -- up [--node] | down | status [--name NAME]`: a Kubernetes control plane with Knative
// Serving's controller and webhook, as processes on this machine, and with --node a node that runs
// pods: Knative's activator and autoscaler, Traefik as its ingress, our functions (tools/cluster/cluster.ts).
//   up       builds what is missing, starts it, says how to use it, runs until Ctrl-C or SIGTERM
//   down     stops a running `up` from another terminal, and removes what a crashed one left
//   status   says what runs
import { startCluster } from '../cluster/cluster.ts';
import { readClusterStatus, stopClusterFromElsewhere } from '../cluster/leftovers.ts';
import { namespacesNamed } from '../cluster/netns.ts';
import { ClusterUsageError, parseClusterOptions, USAGE } from '../cluster/options.ts';
import { clusterPaths, NAMESPACE_PREFIX } from '../cluster/state.ts';
import { renderClusterReady, renderClusterStatus } from '../cluster/summary.ts';

const say = (line: string) => console.log(line);

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
  say(renderClusterReady(cluster, ((Date.now() - started) / 1000).toFixed(1), ingress));
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
  for (const line of renderClusterStatus(name, paths, state, others)) say(line);
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
