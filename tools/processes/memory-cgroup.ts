// A memory cgroup of its own for one function process, with the limit its container has (for the
// benchmark and the dead collector's memory row): Node reads the limit as it starts and sizes V8's
// heap from it, as it does in a container, so a plain process runs as it would in its container
// without podman in between. Needs root. cgroup v1 (the memory controller's own hierarchy, as on the
// machine this project is built on): a child of the caller's own memory cgroup, so that its memory
// still counts where the caller's does. cgroup
// v2: a child of the root, the one place a process may sit beside the memory controller's children.
import { mkdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { waitFor } from './process.ts';

export interface CgroupMemory {
  /** The most memory the cgroup has held since it was made, page cache included. */
  peakBytes: number;
  limitBytes: number;
  /** Processes the kernel's OOM killer ended inside it. */
  oomKills: number;
}

export interface MemoryCgroup {
  /** Write a process id here to move it into the cgroup (tools/functions/run.ts inCgroup). */
  procsFile: string;
  read(): Promise<CgroupMemory>;
  /** Removes the cgroup once its processes have gone (they must be stopped first). */
  remove(): Promise<void>;
}

export class CgroupError extends Error {
  override name = 'CgroupError';
}

const ROOT = '/sys/fs/cgroup';

interface Layout {
  parent: string;
  files: { limit: string; peak: string; events: string };
  oomKills(events: string): number;
}

const V1_FILES = { limit: 'memory.limit_in_bytes', peak: 'memory.max_usage_in_bytes', events: 'memory.oom_control' };
const V2_FILES = { limit: 'memory.max', peak: 'memory.peak', events: 'memory.events' };
const oomKillCount = (events: string) => Number(/^oom_kill (\d+)$/m.exec(events)?.[1] ?? 0);

async function exists(path: string): Promise<boolean> {
  return readFile(path).then(
    () => true,
    () => false,
  );
}

/** Where this machine keeps memory cgroups, from the cgroups of this process. */
async function findLayout(): Promise<Layout> {
  const membership = await readFile('/proc/self/cgroup', 'utf8');
  const v1 = /^\d+:(?:[^:]*,)?memory(?:,[^:]*)?:(.*)$/m.exec(membership)?.[1];
  if (v1 !== undefined && (await exists(join(ROOT, 'memory', V1_FILES.limit)))) {
    return { parent: join(ROOT, 'memory', v1), files: V1_FILES, oomKills: oomKillCount };
  }
  const controllers = await readFile(join(ROOT, 'cgroup.controllers'), 'utf8').catch(() => '');
  if (controllers.split(/\s+/).includes('memory')) {
    const subtree = await readFile(join(ROOT, 'cgroup.subtree_control'), 'utf8');
    if (!subtree.split(/\s+/).includes('memory')) await writeFile(join(ROOT, 'cgroup.subtree_control'), '+memory');
    return { parent: ROOT, files: V2_FILES, oomKills: oomKillCount };
  }
  throw new CgroupError('no memory cgroup controller found under /sys/fs/cgroup (neither v1 nor v2)');
}

/** Makes a memory cgroup named `name` (unique to this run) with `limitBytes`; needs root. */
export async function createMemoryCgroup(name: string, limitBytes: number): Promise<MemoryCgroup> {
  const layout = await findLayout();
  const path = join(layout.parent, name);
  try {
    await mkdir(path);
    await writeFile(join(path, layout.files.limit), String(limitBytes));
  } catch (error) {
    await rmdir(path).catch(() => {});
    const reason = error instanceof Error ? error.message : String(error);
    throw new CgroupError(`could not make the memory cgroup ${path} (needs root): ${reason}`);
  }
  const read = async (file: string) => (await readFile(join(path, file), 'utf8')).trim();
  return {
    procsFile: join(path, 'cgroup.procs'),
    read: async () => ({
      peakBytes: Number(await read(layout.files.peak)),
      limitBytes: Number(await read(layout.files.limit)),
      oomKills: layout.oomKills(await read(layout.files.events)),
    }),
    // A killed process leaves its cgroup a moment after its parent saw it exit: EBUSY until then.
    remove: () =>
      waitFor(
        `the cgroup ${path} to be empty and removed`,
        async () => {
          try {
            await rmdir(path);
          } catch (error) {
            if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
          }
          return true;
        },
        { timeoutMs: 10_000 },
      ).then(() => {}),
  };
}
