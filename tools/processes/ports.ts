// Free ports for the processes that tests, fault scenarios and benchmarks start, when many of them
// start at once in several processes (ava runs test files in parallel).
//
// The kernel's "free port" (bind to port 0) is free only until it is closed: another process may be
// handed the same one before our child binds it. That happened about once in eight test runs, and
// the child that lost then failed while the readiness check reached the winner, another test's
// process. So each port handed out is also leased, machine-wide, for LEASE_MS through a file of its
// own created exclusively: no two callers get the same port within that time. The leases live in a
// folder of this user's alone under the shared temporary folder (checked, as tests run as root), and
// no lease is ever written through a link.
import { lstat, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Far longer than any process takes to bind the port it was given. */
const LEASE_MS = 120_000;
/** One folder per user: another user's cannot hand out, or take, this user's ports. */
export const leasesFolder = () => join(tmpdir(), `knative-tracing-counter-ports-${process.getuid?.() ?? 'user'}`);

export class LeasesFolderError extends Error {
  override name = 'LeasesFolderError';
}

/**
 * Makes the folder (mode 0700) unless it is there, then refuses it unless it is a real folder (not a
 * link), this user's, that no one else can write to: anyone who could would choose our ports, or
 * have us write where a link of theirs leads.
 */
export async function ensureLeasesFolder(folder: string): Promise<void> {
  await mkdir(folder, { recursive: true, mode: 0o700 });
  const found = await lstat(folder);
  const uid = process.getuid?.();
  const problem = !found.isDirectory()
    ? 'is not a folder (a link?)'
    : uid !== undefined && found.uid !== uid
      ? `belongs to user ${found.uid}, not to this one (${uid})`
      : (found.mode & 0o022) !== 0
        ? `can be written by others (mode ${(found.mode & 0o777).toString(8)})`
        : undefined;
  if (problem) throw new LeasesFolderError(`The port leases' folder ${folder} ${problem}: remove it, and run again.`);
}

/** A port the kernel calls free now. */
function kernelFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** lstat: a link is judged by its own time, never followed. */
const isStale = async (file: string) => Date.now() - (await lstat(file)).mtimeMs > LEASE_MS;

/** Creates the lease file exclusively (O_EXCL: a link at its name is not followed): false when it exists. */
async function create(file: string): Promise<boolean> {
  try {
    await writeFile(file, String(process.pid), { flag: 'wx' });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return false;
  }
}

/** Takes the lease on `port` in `folder`: false when another caller holds it. */
export async function takeLease(folder: string, port: number): Promise<boolean> {
  const file = join(folder, String(port));
  if (await create(file)) return true;
  // An old lease: its port was bound long ago, or given up (the kernel just called it free). It is
  // removed and made anew, exclusively, so that of two callers who both found it old one wins.
  if (!(await isStale(file).catch(() => true))) return false;
  await rm(file, { force: true });
  return create(file);
}

let pruned = false;

/** Removes the leases that ran out, once per process, so that the folder does not grow. */
async function pruneOnce(folder: string): Promise<void> {
  if (pruned) return;
  pruned = true;
  for (const name of await readdir(folder)) {
    const file = join(folder, name);
    if (await isStale(file).catch(() => false)) await rm(file, { force: true });
  }
}

/** A TCP port that is free on localhost and handed to no one else for two minutes. */
export async function findFreePort(): Promise<number> {
  const folder = leasesFolder();
  await ensureLeasesFolder(folder);
  await pruneOnce(folder);
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const port = await kernelFreePort();
    if (await takeLease(folder, port)) return port;
  }
  throw new Error(`No free port could be leased: see ${folder}`);
}

/**
 * A leased port can still be taken by an outgoing connection before our process binds it (they take
 * ports from the same range): try again on new ports.
 */
export async function onFreePorts<T>(start: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await start();
    } catch (error) {
      const taken = error instanceof Error && /address already in use|EADDRINUSE/.test(error.message);
      if (!taken || attempt >= attempts) throw error;
    }
  }
}
