// The cluster's network namespace: only loopback, with a second address on it for what must not be in
// 127.0.0.0/8 (the API server calls Knative's webhook through an Endpoints address). No interface
// leads out of it, so nothing inside can reach any other address. Processes enter it with
// `nsenter --net=` (not `ip netns exec`, which remounts /sys and would hide cgroups from a kubelet).
import { existsSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { mustRun, runCommand } from '../processes/run-command.ts';
import { isRunning } from './state.ts';

/** The namespace's own address, on its loopback: Endpoints point here. */
export const INSIDE_ADDRESS = '10.251.0.2';

export class NamespaceError extends Error {
  override name = 'NamespaceError';
}

export const namespacePath = (namespace: string) => `/run/netns/${namespace}`;

export function namespaceExists(namespace: string): boolean {
  return existsSync(namespacePath(namespace));
}

/** Creates the namespace with loopback up and INSIDE_ADDRESS on it. */
export async function createNamespace(namespace: string): Promise<void> {
  if (namespaceExists(namespace)) {
    throw new NamespaceError(
      `The network namespace ${namespace} exists already: another cluster of that name runs, or one crashed. ` +
        'Run `npm run cluster -- down` (with the same --name) first.',
    );
  }
  try {
    await mustRun('ip', ['netns', 'add', namespace]);
    await mustRun('ip', ['-n', namespace, 'link', 'set', 'lo', 'up']);
    await mustRun('ip', ['-n', namespace, 'address', 'add', `${INSIDE_ADDRESS}/32`, 'dev', 'lo']);
  } catch (error) {
    await deleteNamespace(namespace).catch(() => {});
    throw new NamespaceError(
      `Could not create the network namespace ${namespace} (this needs root): ${(error as Error).message}`,
    );
  }
}

/** Removes the namespace (its bind mount under /run/netns); nothing happens when it is gone already. */
export async function deleteNamespace(namespace: string): Promise<void> {
  if (!namespaceExists(namespace)) return;
  await mustRun('ip', ['netns', 'delete', namespace]);
}

/** The names of the network namespaces whose name starts with `prefix` (e.g. every cluster's: ktc-). */
export async function namespacesNamed(prefix: string): Promise<string[]> {
  const { stdout } = await runCommand('ip', ['netns', 'list']);
  return stdout
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => name.startsWith(prefix));
}

/** The processes that run inside the namespace. */
export async function namespacePids(namespace: string): Promise<number[]> {
  if (!namespaceExists(namespace)) return [];
  const { code, stdout } = await runCommand('ip', ['netns', 'pids', namespace]);
  if (code !== 0) return [];
  return stdout.split(/\s+/).filter(Boolean).map(Number);
}

/** The command line that runs `command` inside the namespace; nsenter execs it, so the pid is the command's. */
export function insideNamespace(namespace: string, command: string, args: readonly string[]): [string, string[]] {
  return ['nsenter', [`--net=${namespacePath(namespace)}`, '--', command, ...args]];
}

/** Stops every process inside the namespace: SIGTERM, then SIGKILL for those still there after `graceMs`. */
export async function killNamespaceProcesses(namespace: string, graceMs = 10_000): Promise<number[]> {
  const pids = await namespacePids(namespace);
  const signal = (pid: number, name: NodeJS.Signals) => {
    try {
      process.kill(pid, name);
    } catch {
      // Gone already.
    }
  };
  for (const pid of pids) signal(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    const alive = await Promise.all(pids.map(isRunning));
    if (!alive.some(Boolean)) return pids;
    await delay(100);
  }
  for (const pid of pids) signal(pid, 'SIGKILL');
  return pids;
}
