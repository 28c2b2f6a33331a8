// A container's memory as its cgroup (v1) counts it: what the limit is judged against, page cache
// included, and how often the kernel's OOM killer struck inside it.
import { readFile } from 'node:fs/promises';
import { podmanOk } from './podman.ts';

export interface CgroupMemory {
  peakBytes: number;
  limitBytes: number;
  oomKills: number;
}

/** The host PID of the container's first process (node, here). */
export async function containerPid(containerName: string): Promise<number> {
  return Number((await podmanOk(['inspect', '--format', '{{.State.Pid}}', containerName])).trim());
}

/** Reads the memory cgroup of a process: peak usage, limit and OOM kills so far. */
export async function cgroupMemory(pid: number): Promise<CgroupMemory> {
  const membership = await readFile(`/proc/${pid}/cgroup`, 'utf8');
  const path = /^\d+:(?:[^:]*,)?memory(?:,[^:]*)?:(.*)$/m.exec(membership)?.[1];
  if (path === undefined) throw new Error(`process ${pid} is in no memory cgroup (cgroup v1 expected)`);
  const folder = `/sys/fs/cgroup/memory${path}`;
  const read = async (file: string) => (await readFile(`${folder}/${file}`, 'utf8')).trim();
  const oomControl = await read('memory.oom_control');
  return {
    peakBytes: Number(await read('memory.max_usage_in_bytes')),
    limitBytes: Number(await read('memory.limit_in_bytes')),
    oomKills: Number(/^oom_kill (\d+)$/m.exec(oomControl)?.[1] ?? 0),
  };
}
