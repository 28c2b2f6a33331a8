// A real redis-server for `npm start`, the tests, the fault scenarios and the benchmark: Debian's
// package, installed when missing (as podman is), run as a process of our own on a port of our
// choosing, never as the system's service.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDebianPackages } from '../containers/install.ts';
import { type Child, spawnChild, waitFor } from '../processes/process.ts';
import { authenticatedCommand } from './client.ts';

/** The command redis-server (and its redis-cli) come in. */
export const REDIS_PACKAGE = 'redis-server';

/** Installs Debian's redis-server when its command is missing; answers what it did. */
export function ensureRedisServer(progress: (line: string) => void): Promise<string> {
  return ensureDebianPackages(
    { 'redis-server': REDIS_PACKAGE },
    progress,
    'The counter in Redis (COUNTER_STORE=redis)',
  );
}

export interface RedisOptions {
  port: number;
  /** Keep the data across a restart on the same folder (append-only file, synced at every write). */
  persistence?: { dir: string };
  /** Allow DEBUG SLEEP from this machine, for making it slow on purpose (tests and faults only). */
  debug?: boolean;
  /** Refuse every command until AUTH with this password (Redis's requirepass), as redis/ in the cluster. */
  password?: string;
  echo?: boolean;
  timeoutMs?: number;
}

export interface RunningRedis {
  child: Child;
  port: number;
  /** COUNTER_STORE for a backend that uses it. */
  url: string;
  /** The password it requires (RedisOptions.password), for COUNTER_STORE_PASSWORD. */
  password: string | undefined;
  /** Freezes the process (SIGSTOP): connections stay open, nothing is answered. */
  pause(): void;
  resume(): void;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** The command line: no snapshots or append-only file unless asked, on loopback only. */
export function redisArguments({ port, persistence, debug = false, password }: RedisOptions, dir: string): string[] {
  return [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    ...(persistence ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']),
    ...(debug ? ['--enable-debug-command', 'local'] : []),
    // On the command line, as redis/deployment.yaml gives it: redis-server writes its own process
    // title over its arguments, so ps shows no password.
    ...(password === undefined ? [] : ['--requirepass', password]),
    '--daemonize',
    'no',
    '--loglevel',
    'warning',
  ];
}

/** Starts redis-server and waits until it answers PING. */
export async function startRedis(options: RedisOptions): Promise<RunningRedis> {
  const { port, persistence, password, echo = false, timeoutMs = 10_000 } = options;
  // Without persistence nothing is written; the folder is only somewhere harmless to point --dir at.
  const scratch = persistence ? undefined : await mkdtemp(join(tmpdir(), 'redis-'));
  const dir = persistence?.dir ?? scratch ?? tmpdir();
  const child = spawnChild('redis', 'redis-server', redisArguments(options, dir), { echo });
  const removeScratch = () => (scratch ? rm(scratch, { recursive: true, force: true }) : Promise.resolve());
  try {
    await waitFor(
      `redis-server on port ${port} to answer PING`,
      async () => ((await authenticatedCommand(port, password, 'PING')) === 'PONG' ? true : undefined),
      {
        timeoutMs,
        child,
      },
    );
  } catch (error) {
    await child.stop('SIGKILL');
    await removeScratch();
    throw error;
  }
  return {
    child,
    port,
    url: `redis://127.0.0.1:${port}`,
    password,
    pause: () => child.process.kill('SIGSTOP'),
    resume: () => child.process.kill('SIGCONT'),
    stop: async (signal = 'SIGTERM') => {
      // A paused process cannot act on SIGTERM.
      child.process.kill('SIGCONT');
      await child.stop(signal);
      await removeScratch();
    },
  };
}
