// The backend's configuration, read once at start-up.
import { ConfigError, type Env, readHttpUrl, readInteger } from './lib/env.ts';

export interface LagRange {
  minMs: number;
  maxMs: number;
}

/** Where the counter lives: in this process (one replica only), or in Redis (any number of replicas). */
export type CounterStoreConfig =
  | {
      kind: 'memory';
      /** The port this backend serves on: its address, for a backend it hands the count to, is made of it. */
      port: number;
      /** How long a visit passed on to that backend may take (COUNTER_STORE_TIMEOUT_MS). */
      timeoutMs: number;
      /** COUNTER_HANDOFF_URL: the backend's own Service, asked for the count at start-up (handoff-counter.ts). */
      handoff?: { from: URL; waitMs: number };
    }
  | {
      kind: 'redis';
      url: URL;
      timeoutMs: number;
      /** COUNTER_STORE_PASSWORD: Redis's password, from a Secret, kept out of the URL (and of every log). */
      password?: string;
    };

export interface BackendConfig {
  lag: LagRange;
  /** A fixed delay inside each read, to make another step slow on purpose (0: none). */
  readDelayMs: number;
  counterStore: CounterStoreConfig;
}

// Knative caps a request at 600 s, so a longer lag could never complete.
const LONGEST_LAG_MS = 600_000;

/**
 * As long as the frontend waits for the backend by default (BACKEND_TIMEOUT_MS): a Redis that stalls
 * makes the visit answer 504 at the frontend's deadline, and this bound only makes sure that no call
 * to Redis waits for ever.
 */
export const DEFAULT_COUNTER_STORE_TIMEOUT_MS = 15_000;

const COUNTER_STORE_EXPECTED = 'unset or "memory" (the counter in this process), or redis://host[:port][/db]';

/** The URL as it may be shown: a password never is. */
export function showRedisUrl(url: URL): string {
  if (!url.password) return url.href;
  const shown = new URL(url.href);
  shown.password = '***';
  return shown.href;
}

/** A value that is no URL at all, as it may be shown: whatever stands between `//` and `@` may be a password. */
export function showUnparsed(raw: string): string {
  return raw.replace(/\/\/[^/]*@/, '//***@');
}

function readCounterStore(env: Env): CounterStoreConfig {
  // Read in either mode, so that a bad value is refused even where it does not matter yet.
  const timeoutMs = readInteger(env, 'COUNTER_STORE_TIMEOUT_MS', DEFAULT_COUNTER_STORE_TIMEOUT_MS, {
    min: 1,
    max: LONGEST_LAG_MS,
  });
  const raw = env.COUNTER_STORE;
  const handoff = readHandoff(env);
  if (raw === undefined || raw.trim() === '' || raw.trim() === 'memory') {
    // Knative's PORT (the express entry's), or FUNC_PORT (faas-js-runtime's), 8080 for both by default.
    const port = readInteger(env, env.FUNC_PORT ? 'FUNC_PORT' : 'PORT', 8080, { min: 1, max: 65_535 });
    return handoff ? { kind: 'memory', port, timeoutMs, handoff } : { kind: 'memory', port, timeoutMs };
  }
  if (handoff) {
    throw new ConfigError(
      'COUNTER_HANDOFF_URL',
      env.COUNTER_HANDOFF_URL,
      'unset in Redis mode: the count is in Redis, and there is nothing to hand over',
    );
  }
  let url: URL | undefined;
  try {
    url = new URL(raw.trim());
  } catch {
    url = undefined;
  }
  const valid =
    url !== undefined &&
    url.protocol === 'redis:' &&
    url.hostname !== '' &&
    /^(\/\d{0,5})?$/.test(url.pathname) &&
    url.search === '' &&
    url.hash === '';
  if (!url || !valid)
    throw new ConfigError('COUNTER_STORE', url ? showRedisUrl(url) : showUnparsed(raw), COUNTER_STORE_EXPECTED);
  const password = readPassword(env, url);
  return password === undefined ? { kind: 'redis', url, timeoutMs } : { kind: 'redis', url, timeoutMs, password };
}

/** How long a new backend asks for the count before it starts at 1 (COUNTER_HANDOFF_WAIT_MS). */
export const DEFAULT_HANDOFF_WAIT_MS = 4000;

function readHandoff(env: Env): { from: URL; waitMs: number } | undefined {
  const waitMs = readInteger(env, 'COUNTER_HANDOFF_WAIT_MS', DEFAULT_HANDOFF_WAIT_MS, { max: LONGEST_LAG_MS });
  if (env.COUNTER_HANDOFF_URL === undefined || env.COUNTER_HANDOFF_URL.trim() === '') return undefined;
  const from = readHttpUrl(env, 'COUNTER_HANDOFF_URL');
  // Knative names a Configuration's Revisions <name>-00001, -00002, ... (K_REVISION): the first has no
  // predecessor to ask, so it does not, and no request of it goes out before its own Service exists.
  if (env.K_REVISION?.endsWith('-00001')) return undefined;
  return { from, waitMs };
}

/**
 * COUNTER_STORE_PASSWORD, as the manifests give it from a Secret: never shown, not even when refused.
 * One place for the password: a URL that carries one too would leave which of them counts unsaid.
 */
function readPassword(env: Env, url: URL): string | undefined {
  const password = env.COUNTER_STORE_PASSWORD;
  if (password === undefined) return undefined;
  if (password.trim() === '')
    throw new ConfigError('COUNTER_STORE_PASSWORD', password, "Redis's password, not empty (or leave it unset)");
  if (url.password !== '' || url.username !== '')
    throw new ConfigError(
      'COUNTER_STORE_PASSWORD',
      '***',
      `unset while COUNTER_STORE (${showRedisUrl(url)}) carries a user or password: give it in one place`,
    );
  return password;
}

export function loadConfig(env: Env): BackendConfig {
  const minMs = readInteger(env, 'LAG_MIN_MS', 1000, { max: LONGEST_LAG_MS });
  const maxMs = readInteger(env, 'LAG_MAX_MS', 10_000, { max: LONGEST_LAG_MS });
  if (maxMs < minMs) {
    throw new ConfigError('LAG_MAX_MS', env.LAG_MAX_MS ?? String(maxMs), `at least LAG_MIN_MS (${minMs})`);
  }
  const readDelayMs = readInteger(env, 'READ_DELAY_MS', 0, { max: LONGEST_LAG_MS });
  return { lag: { minMs, maxMs }, readDelayMs, counterStore: readCounterStore(env) };
}
