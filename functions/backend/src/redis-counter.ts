// The visit counter in Redis, for any number of backend replicas: INCR is atomic in Redis, so
// replicas that increase at once still get distinct, gap-free values, and the count outlives them.
import { createRequire } from 'node:module';
import type { RedisOptions } from 'ioredis';
import { showRedisUrl } from './config.ts';
import {
  type CounterStore,
  CounterStoreTimeoutError,
  CounterStoreUnavailableError,
  START_VALUE,
} from './counter-store.ts';

// Through require, not import: the OpenTelemetry instrumentation patches ioredis as require loads
// it, and the functions register no ESM loader hook (see src/lib/telemetry.ts), so an imported
// ioredis would make no Redis spans.
const { Redis, ReplyError } = createRequire(import.meta.url)('ioredis') as typeof import('ioredis');

/** The one key the backend uses; nothing else is stored. */
export const COUNTER_KEY = 'knative-tracing-counter:visits';

/** How long one attempt to connect may take before the next. */
const CONNECT_TIMEOUT_MS = 2000;

/** Reconnection attempts come 100 ms apart, then further, but never more than this: recovery is quick. */
const LONGEST_RECONNECT_DELAY_MS = 1000;

export interface RedisCounterOptions {
  url: URL;
  /** How long one command may take before the visit answers 504 (COUNTER_STORE_TIMEOUT_MS). */
  timeoutMs: number;
  /** Redis's password (COUNTER_STORE_PASSWORD), when the URL carries none. */
  password?: string | undefined;
  /** Where the changes of the connection's state are told, one line each. */
  log: (line: string) => void;
  key?: string;
}

export function clientOptions(timeoutMs: number, password?: string): RedisOptions {
  return {
    ...(password === undefined ? {} : { password }),
    commandTimeout: timeoutMs,
    // A connection is made in milliseconds or not at all: one sent to a Redis pod just killed (its
    // Service not yet updated) is never answered, and the next attempt, to the new pod, waits for it.
    // With the 15 s of a command here, visits failed 16 s after a kill whose new pod was ready in 2 s.
    connectTimeout: CONNECT_TIMEOUT_MS,
    // Without a connection a command fails at once (503) instead of waiting in a queue for one.
    enableOfflineQueue: false,
    // A command whose connection broke is failed, never sent again: an INCR that reached Redis
    // before the break would otherwise count twice.
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    retryStrategy: (attempt) => Math.min(attempt * 100, LONGEST_RECONNECT_DELAY_MS),
  };
}

/** What went wrong, in words that say what to do when it is the password. */
export function problemOf(error: Error): string {
  if (/^NOAUTH\b/.test(error.message))
    return `Redis asks for a password and none was given: set COUNTER_STORE_PASSWORD (${error.message})`;
  if (/^WRONGPASS\b/.test(error.message))
    return `Redis refused the password: COUNTER_STORE_PASSWORD is not the one Redis requires (${error.message})`;
  return error.message;
}

export interface RedisCounter extends CounterStore {
  read(): Promise<number>;
  increase(): Promise<number>;
}

export function createRedisCounter({
  url,
  timeoutMs,
  password,
  log,
  key = COUNTER_KEY,
}: RedisCounterOptions): RedisCounter {
  const shown = showRedisUrl(url);
  const client = new Redis(url.href, clientOptions(timeoutMs, password));
  /** Redis has answered once: the backend is ready, and stays so through later outages (see below). */
  let answered = false;
  let connected = false;
  let closing = false;
  let lastProblem: string | undefined;

  client.on('ready', () => {
    connected = true;
    lastProblem = undefined;
    log(
      answered
        ? `The counter store ${shown} is back: visits are counted again.`
        : `The counter store is Redis at ${shown}: ready.`,
    );
    answered = true;
    // The count starts at START_VALUE, as in memory. Each time a connection is made, since a Redis
    // without persistence comes back empty. No visit waits for it: an INCR that answers 1 is
    // handled below.
    client.set(key, START_VALUE, 'NX').catch(() => {});
  });
  client.on('error', (error: Error) => {
    // Each failed attempt to connect says so; only the first of an outage is told. (An attempt that
    // connects and is then refused its password fails the same way each time: told once too.)
    const first = lastProblem === undefined;
    lastProblem = problemOf(error);
    if (!answered && first) {
      const refused = lastProblem !== error.message;
      log(
        `The counter store ${shown} ${refused ? 'refuses the backend' : 'cannot be reached'} (${lastProblem}): ` +
          'not ready until it answers; trying again every second.',
      );
    }
  });
  client.on('close', () => {
    if (closing || !connected) return;
    connected = false;
    lastProblem ??= 'connection closed';
    log(`Lost the counter store ${shown}: visits answer 503 until it is back; trying again every second.`);
  });

  const failure = (error: unknown): Error => {
    if (!(error instanceof Error) || error instanceof ReplyError) return error as Error;
    if (error.message === 'Command timed out') {
      return new CounterStoreTimeoutError(
        `The counter store ${shown} did not answer within ${timeoutMs} ms`,
        timeoutMs,
        {
          cause: error,
        },
      );
    }
    return new CounterStoreUnavailableError(`The counter store ${shown} is unreachable: ${error.message}`, {
      cause: error,
    });
  };
  const run = async <T>(command: () => Promise<T>): Promise<T> => {
    try {
      return await command();
    } catch (error) {
      throw failure(error);
    }
  };

  return {
    kind: 'redis',
    read: async () => {
      const value = await run(() => client.get(key));
      return value === null ? START_VALUE : Number(value);
    },
    increase: async () => {
      const value = await run(() => client.incr(key));
      // 1 means the key was missing (Redis lost it: restarted without persistence, or flushed):
      // INCR created it at 0 and counted 1, which is the count's start (START_VALUE), not a visit.
      // Counting again gives this visit the value a fresh count gives its first one. Only one caller
      // ever sees 1, so replicas that do this at once still get distinct values.
      return value === 1 ? run(() => client.incr(key)) : value;
    },
    notReadyReason: () =>
      answered ? undefined : `the counter store ${shown} has not answered yet${lastProblem ? ` (${lastProblem})` : ''}`,
    close: async () => {
      // At once, not QUIT: the requests are drained by now, and a stalled Redis must not hold the exit.
      closing = true;
      client.disconnect();
    },
  };
}
