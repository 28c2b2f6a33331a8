// The node's cgroups (cgroup v1, cgroupfs driver): kubelet puts its QoS cgroups and every pod under
// a cgroup root of the cluster's own, /ktc-<name>, in each hierarchy. They stay after kubelet exits,
// and the pods' processes in them outlive containerd's shims: on the way down (and when a crashed
// cluster is cleaned up) every process in them is killed, and the cgroups are removed, deepest first.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

const CGROUP_MOUNT = '/sys/fs/cgroup';

export class NodeCgroupError extends Error {
  override name = 'NodeCgroupError';
}

/** The hierarchies' folders (cpu, memory, pids, ..., the named systemd one and the unified one). */
async function hierarchies(): Promise<string[]> {
  const entries = await readdir(CGROUP_MOUNT, { withFileTypes: true });
  return entries.filter((entry) => entry.isDirectory()).map((entry) => join(CGROUP_MOUNT, entry.name));
}

/** Creates `/<root>` in every hierarchy (kubelet refuses a cgroup root that does not exist). */
export async function createCgroupRoot(root: string): Promise<void> {
  try {
    for (const hierarchy of await hierarchies()) {
      const folder = join(hierarchy, root);
      await mkdir(folder, { recursive: true });
      // A new cpuset cgroup has no CPUs and no memory nodes: nothing could run in it.
      if (existsSync(join(folder, 'cpuset.cpus'))) {
        for (const file of ['cpuset.cpus', 'cpuset.mems']) {
          await writeFile(join(folder, file), await readFile(join(hierarchy, file), 'utf8'));
        }
      }
    }
  } catch (error) {
    throw new NodeCgroupError(
      `Could not create the node's cgroup /${root} under ${CGROUP_MOUNT} (this needs root and cgroup v1): ${(error as Error).message}`,
    );
  }
}

/** Every cgroup folder under `/<root>`, in every hierarchy, deepest first. */
async function cgroupFolders(root: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (folder: string) => {
    const entries = await readdir(folder, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) if (entry.isDirectory()) await walk(join(folder, entry.name));
    found.push(folder);
  };
  for (const hierarchy of await hierarchies()) {
    const folder = join(hierarchy, root);
    if (existsSync(folder)) await walk(folder);
  }
  return found;
}

/** The processes in the cgroups under `/<root>`. */
export async function cgroupPids(root: string): Promise<number[]> {
  const pids = new Set<number>();
  for (const folder of await cgroupFolders(root)) {
    const procs = await readFile(join(folder, 'cgroup.procs'), 'utf8').catch(() => '');
    for (const pid of procs.split('\n').filter(Boolean)) pids.add(Number(pid));
  }
  return [...pids];
}

/** Kills every process under `/<root>` and removes its cgroups; answers how many processes it killed. */
export async function removeCgroupRoot(root: string, timeoutMs = 10_000): Promise<number> {
  const killed = new Set<number>();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pids = await cgroupPids(root);
    if (pids.length === 0) break;
    if (Date.now() > deadline) {
      throw new NodeCgroupError(
        `Processes ${pids.join(', ')} in the node's cgroup /${root} did not die within ${timeoutMs} ms: kill them, then run down again.`,
      );
    }
    for (const pid of pids) {
      killed.add(pid);
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone already.
      }
    }
    await delay(50);
  }
  for (const folder of await cgroupFolders(root)) {
    // A cgroup can stay busy for a moment after its last process died.
    for (let attempt = 0; ; attempt += 1) {
      try {
        await rmdir(folder);
        break;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') break;
        if (code !== 'EBUSY' || attempt >= 100) {
          throw new NodeCgroupError(`Could not remove the node's cgroup ${folder}: ${(error as Error).message}`);
        }
        await delay(50);
      }
    }
  }
  return killed.size;
}

/**
 * For an exit handler, which cannot wait: SIGKILL to every process under `/<root>` (the pods' processes,
 * which would outlive the node). Their cgroups stay until the next `up` or `down` removes them.
 */
export function killCgroupProcessesSync(root: string): void {
  const walk = (folder: string): void => {
    for (const pid of readFileSync(join(folder, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean)) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // Gone already.
      }
    }
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(folder, entry.name));
    }
  };
  for (const hierarchy of readdirSync(CGROUP_MOUNT)) {
    const folder = join(CGROUP_MOUNT, hierarchy, root);
    try {
      if (existsSync(folder)) walk(folder);
    } catch {
      // A cgroup removed meanwhile: nothing to kill there.
    }
  }
}
