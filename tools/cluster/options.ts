// `npm run cluster -- up [--node] | down | status [--name NAME]`: what the command was asked, read once.
import { parseArgs } from 'node:util';

export const DEFAULT_CLUSTER_NAME = 'knative-tracing-counter';

export const USAGE = `Usage: npm run cluster -- up [--node] | down | status [--name NAME]

  up       builds what is missing (etcd, Kubernetes, Knative Serving, from Go modules), starts a
           Kubernetes control plane with Knative Serving's controller and webhook on this machine,
           says how to use it, and runs until Ctrl-C or SIGTERM; then stops everything.
  down     stops the cluster an \`up\` runs (from another terminal), and removes what a crashed one left.
  status   says what runs.

  --node        (up) a real node too: containerd, kubelet, kube-scheduler, kube-proxy and CoreDNS, with
                all of Knative Serving in its pods and Traefik as its ingress (built the first time,
                about 15 minutes), and a registry over TLS to which both functions' images are
                pushed; Knative Services run and answer. Without it, pods stay Pending.
  --name NAME   which cluster (several can run side by side); default ${DEFAULT_CLUSTER_NAME},
                or CLUSTER_NAME. Lower-case letters, digits and '-', at most 30 characters.`;

export class ClusterUsageError extends Error {
  override name = 'ClusterUsageError';
}

export type ClusterCommand = 'up' | 'down' | 'status' | 'help';

export interface ClusterOptions {
  command: ClusterCommand;
  name: string;
  /** up: start a node too. */
  node: boolean;
}

const NAME = /^[a-z0-9]([a-z0-9-]{0,28}[a-z0-9])?$/;

const nameProblem = (name: string) =>
  NAME.test(name)
    ? undefined
    : `The cluster name "${name}" is not usable: use lower-case letters, digits and '-' (not at either end), at most 30 characters.`;

/** Throws a ClusterUsageError naming the bad name. */
export function checkClusterName(name: string): string {
  const problem = nameProblem(name);
  if (problem) throw new ClusterUsageError(problem);
  return name;
}

export function parseClusterOptions(argv: readonly string[], env: NodeJS.ProcessEnv): ClusterOptions {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new ClusterUsageError(`${(error as Error).message}\n\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (values.help) return { command: 'help', name: DEFAULT_CLUSTER_NAME, node: false };
  const [command, ...rest] = positionals;
  if (command !== 'up' && command !== 'down' && command !== 'status') {
    const what = command === undefined ? 'No command given' : `Unknown command "${command}"`;
    throw new ClusterUsageError(`${what}: expected up, down or status.\n\n${USAGE}`);
  }
  if (rest.length > 0) throw new ClusterUsageError(`Unexpected arguments: ${rest.join(' ')}\n\n${USAGE}`);
  const name = values.name ?? (env.CLUSTER_NAME || DEFAULT_CLUSTER_NAME);
  const problem = nameProblem(name);
  if (problem) throw new ClusterUsageError(`${problem}\n\n${USAGE}`);
  const node = values.node ?? false;
  if (node && command !== 'up') throw new ClusterUsageError(`--node goes with up only.\n\n${USAGE}`);
  return { command, name, node };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: { name: { type: 'string' }, node: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
}
