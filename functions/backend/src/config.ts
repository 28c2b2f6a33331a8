// The backend's configuration, read once at start-up.
import { ConfigError, type Env, readInteger } from './lib/env.ts';

export interface LagRange {
  minMs: number;
  maxMs: number;
}

export interface BackendConfig {
  lag: LagRange;
  /** A fixed delay inside each read, to make another step slow on purpose (0: none). */
  readDelayMs: number;
}

// Knative caps a request at 600 s, so a longer lag could never complete.
const LONGEST_LAG_MS = 600_000;

export function loadConfig(env: Env): BackendConfig {
  const minMs = readInteger(env, 'LAG_MIN_MS', 1000, { max: LONGEST_LAG_MS });
  const maxMs = readInteger(env, 'LAG_MAX_MS', 10_000, { max: LONGEST_LAG_MS });
  if (maxMs < minMs) {
    throw new ConfigError('LAG_MAX_MS', env.LAG_MAX_MS ?? String(maxMs), `at least LAG_MIN_MS (${minMs})`);
  }
  const readDelayMs = readInteger(env, 'READ_DELAY_MS', 0, { max: LONGEST_LAG_MS });
  return { lag: { minMs, maxMs }, readDelayMs };
}
