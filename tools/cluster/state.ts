// Where a cluster keeps its state, outside the clone: certificates, kubeconfigs, etcd's data, logs,
// the bridge's socket, and a record of the process that runs it (for `down` and `status`).
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { projectCacheDirectory } from '../go/build.ts';

export interface ClusterPaths {
  name: string;
  /** The network namespace everything runs in (/run/netns/<namespace>). */
  namespace: string;
  dir: string;
  pki: string;
  etcdData: string;
  logs: string;
  /** The bridge's Unix socket (see bridge.ts). */
  bridgeSocket: string;
  /** The admin kubeconfig for this machine: https://127.0.0.1:<bridge port>. */
  kubeconfig: string;
  /**
   * Kubeconfigs for the processes inside the namespace: https://127.0.0.1:6443; `admin` for a user's
   * shell there (`nsenter --net`), where the registry and the ingress are reached as a cluster's own
   * network reaches them.
   */
  inside: { controllerManager: string; knative: string; admin: string };
  record: string;
}

/** What `up` (or a test) writes while the cluster runs. */
export interface ClusterRecord {
  /** The process that started the cluster and stops it. */
  ownerPid: number;
  /** True when the owner is `npm run cluster -- up`, which `down` may stop with SIGTERM. */
  ownerIsCommand: boolean;
  namespace: string;
  server: string;
  startedAt: string;
}

export class ClusterStateError extends Error {
  override name = 'ClusterStateError';
}

/** Unix socket paths must fit sockaddr_un (108 bytes with the terminating NUL). */
const MAX_SOCKET_PATH = 100;

/** Every cluster's network namespace is named so: ktc-<cluster name>. */
export const NAMESPACE_PREFIX = 'ktc-';

export function clusterPaths(name: string, env: NodeJS.ProcessEnv): ClusterPaths {
  const dir = join(projectCacheDirectory(env), 'clusters', name);
  const paths: ClusterPaths = {
    name,
    namespace: `${NAMESPACE_PREFIX}${name}`,
    dir,
    pki: join(dir, 'pki'),
    etcdData: join(dir, 'etcd'),
    logs: join(dir, 'logs'),
    bridgeSocket: join(dir, 'bridge.sock'),
    kubeconfig: join(dir, 'kubeconfig'),
    inside: {
      controllerManager: join(dir, 'kube-controller-manager.kubeconfig'),
      knative: join(dir, 'knative.kubeconfig'),
      admin: join(dir, 'admin-inside.kubeconfig'),
    },
    record: join(dir, 'up.json'),
  };
  if (paths.bridgeSocket.length > MAX_SOCKET_PATH) {
    throw new ClusterStateError(
      `The cluster's folder ${dir} is too deep for its Unix socket (at most ${MAX_SOCKET_PATH} bytes): ` +
        'set XDG_CACHE_HOME to a shorter folder, or choose a shorter --name.',
    );
  }
  return paths;
}

/** Fresh folders for a new start: the state of an earlier run (certificates, etcd's data) goes. */
export async function prepareStateFolders(paths: ClusterPaths): Promise<void> {
  await mkdir(paths.dir, { recursive: true, mode: 0o700 });
  await rm(paths.bridgeSocket, { force: true });
  for (const folder of [paths.pki, paths.etcdData, paths.logs]) {
    await rm(folder, { recursive: true, force: true });
    await mkdir(folder, { recursive: true, mode: 0o700 });
  }
}

export async function readRecord(paths: ClusterPaths): Promise<ClusterRecord | undefined> {
  try {
    return JSON.parse(await readFile(paths.record, 'utf8')) as ClusterRecord;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ClusterStateError(`${paths.record} is unreadable (${(error as Error).message}): remove it.`);
  }
}

export async function writeRecord(paths: ClusterPaths, record: ClusterRecord): Promise<void> {
  await mkdir(paths.dir, { recursive: true, mode: 0o700 });
  await writeFile(paths.record, `${JSON.stringify(record, null, 2)}\n`);
}

export async function removeRecord(paths: ClusterPaths): Promise<void> {
  await rm(paths.record, { force: true });
}

/** Whether a process with this id runs (and is not a zombie). */
export async function isRunning(pid: number): Promise<boolean> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    return !/^State:\s+Z/m.test(status);
  } catch {
    return false;
  }
}
