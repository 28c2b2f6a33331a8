// `down` and `status` from another terminal, and the clean-up of what a crashed cluster left: the
// record in the state folder names the process that runs the cluster; `ip netns pids` names every
// process inside its namespace, whoever started it.
import { readFile, rm } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { deleteNamespace, killNamespaceProcesses, namespaceExists, namespacePids } from './netns.ts';
import { cgroupPids } from './node/cgroups.ts';
import { cgroupRootOf, cleanUpNode } from './node/clean-up.ts';
import { type ClusterPaths, type ClusterRecord, isRunning, readRecord, removeRecord } from './state.ts';

export class ClusterRunningError extends Error {
  override name = 'ClusterRunningError';
}
export class ClusterStopError extends Error {
  override name = 'ClusterStopError';
}

/** Stops the processes inside the namespace and removes it, the record and etcd's data, if there. */
export async function cleanUpCluster(paths: ClusterPaths, progress: (line: string) => void): Promise<boolean> {
  const pids = await killNamespaceProcesses(paths.namespace);
  // A node's pods outlive containerd's shims, in network namespaces of their own: killed through their cgroups.
  const podProcesses = await cleanUpNode(paths);
  const hadNamespace = namespaceExists(paths.namespace);
  await deleteNamespace(paths.namespace);
  const record = await readRecord(paths);
  await removeRecord(paths);
  await rm(paths.etcdData, { recursive: true, force: true });
  const found = pids.length > 0 || podProcesses > 0 || hadNamespace || record !== undefined;
  if (found) {
    progress(
      `  removed what an earlier run of "${paths.name}" left: ${pids.length} processes, ${podProcesses} of pods, ` +
        `${hadNamespace ? `the namespace ${paths.namespace}` : 'no namespace'}${record ? ', its record' : ''}`,
    );
  }
  return found;
}

async function commandLineOf(pid: number): Promise<string> {
  try {
    return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/**
 * Stops the cluster: asks the `up` that runs it to stop (SIGTERM, so it stops everything in order),
 * then removes whatever is left. Answers what it did, for the command to print.
 */
export async function stopClusterFromElsewhere(paths: ClusterPaths, progress: (line: string) => void): Promise<string> {
  const record = await readRecord(paths);
  if (record && (await isRunning(record.ownerPid))) {
    const isOurCommand = record.ownerIsCommand && (await commandLineOf(record.ownerPid)).includes('cluster');
    if (isOurCommand) {
      progress(`Asking \`npm run cluster -- up\` (process ${record.ownerPid}) to stop…`);
      process.kill(record.ownerPid, 'SIGTERM');
      const deadline = Date.now() + 60_000;
      while ((await isRunning(record.ownerPid)) && Date.now() < deadline) await delay(100);
      if (await isRunning(record.ownerPid)) {
        throw new ClusterStopError(
          `Process ${record.ownerPid} did not stop within 60 s: kill it, then run down again.`,
        );
      }
    } else {
      progress(`The cluster belongs to process ${record.ownerPid} (a test?): stopping its processes directly.`);
    }
  }
  const cleaned = await cleanUpCluster(paths, progress);
  return record || cleaned ? `The cluster "${paths.name}" is down.` : `No cluster "${paths.name}" runs.`;
}

export interface ProcessInfo {
  pid: number;
  command: string;
  rssBytes: number;
}

async function processInfo(pid: number): Promise<ProcessInfo | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const command = /^Name:\s+(.*)$/m.exec(status)?.[1] ?? '?';
    const rssKb = Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1] ?? 0);
    return { pid, command, rssBytes: rssKb * 1024 };
  } catch {
    return undefined;
  }
}

export interface ClusterStatus {
  record: ClusterRecord | undefined;
  ownerRunning: boolean;
  namespace: boolean;
  /** The processes inside the namespace: the cluster's own. */
  processes: ProcessInfo[];
  /** The processes of the node's pods (in network namespaces of their own, under the node's cgroup root). */
  podProcesses: ProcessInfo[];
}

export async function readClusterStatus(paths: ClusterPaths): Promise<ClusterStatus> {
  const record = await readRecord(paths);
  const known = (infos: (ProcessInfo | undefined)[]) => infos.filter((info): info is ProcessInfo => info !== undefined);
  const processes = known(await Promise.all((await namespacePids(paths.namespace)).map(processInfo)));
  const own = new Set(processes.map(({ pid }) => pid));
  const podPids = (await cgroupPids(cgroupRootOf(paths))).filter((pid) => !own.has(pid));
  return {
    record,
    ownerRunning: record !== undefined && (await isRunning(record.ownerPid)),
    namespace: namespaceExists(paths.namespace),
    processes,
    podProcesses: known(await Promise.all(podPids.map(processInfo))),
  };
}

/** The sum of the resident memory of the processes: the cluster's own and its pods'. */
export function totalRss(status: ClusterStatus): number {
  return [...status.processes, ...status.podProcesses].reduce((sum, { rssBytes }) => sum + rssBytes, 0);
}
