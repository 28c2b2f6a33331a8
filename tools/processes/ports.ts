// Free ports for the processes that tests, fault scenarios and benchmarks start, when many of them
// start at once in several processes (ava runs test files in parallel).
//
// The kernel's "free port" (bind to port 0) is free only until it is closed: another process may be
// handed the same one before our child binds it. That happened about once in eight test runs, and
// the child that lost then failed while the readiness check reached the winner, another test's
// process. So each port handed out is also leased, machine-wide, for LEASE_MS through a file of its
// own created exclusively: no two callers get the same port within that time.
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Far longer than any process takes to bind the port it was given. */
const LEASE_MS = 120_000;
const LEASES = join(tmpdir(), 'knative-tracing-counter-ports');

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

const isStale = async (file: string) => Date.now() - (await stat(file)).mtimeMs > LEASE_MS;

/** Takes the lease on `port`: false when another caller holds it. */
async function lease(port: number): Promise<boolean> {
  const file = join(LEASES, String(port));
  try {
    await writeFile(file, String(process.pid), { flag: 'wx' });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  // An old lease: its port was bound long ago, or given up (the kernel just called it free).
  if (!(await isStale(file).catch(() => true))) return false;
  await writeFile(file, String(process.pid));
  return true;
}

let pruned = false;

/** Removes the leases that ran out, once per process, so that the folder does not grow. */
async function pruneOnce(): Promise<void> {
  if (pruned) return;
  pruned = true;
  for (const name of await readdir(LEASES)) {
    const file = join(LEASES, name);
    if (await isStale(file).catch(() => false)) await rm(file, { force: true });
  }
}

/** A TCP port that is free on localhost and handed to no one else for two minutes. */
export async function findFreePort(): Promise<number> {
  await mkdir(LEASES, { recursive: true });
  await pruneOnce();
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const port = await kernelFreePort();
    if (await lease(port)) return port;
  }
  throw new Error(`No free port could be leased: see ${LEASES}`);
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
