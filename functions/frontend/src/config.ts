// The frontend's configuration, read once at start-up.
import { type Env, readHttpUrl, readInteger } from './lib/env.ts';

export interface FrontendConfig {
  /** The backend's URL: its root resource is the counter (the tutorial's variable). */
  counterEndpoint: URL;
  /** How long one visit may wait for the backend before answering 504. */
  backendTimeoutMs: number;
}

// Above the backend's default longest lag (10 s), so the default demo never times out.
const DEFAULT_BACKEND_TIMEOUT_MS = 15_000;

export function loadConfig(env: Env): FrontendConfig {
  return {
    counterEndpoint: readHttpUrl(env, 'COUNTER_ENDPOINT'),
    backendTimeoutMs: readInteger(env, 'BACKEND_TIMEOUT_MS', DEFAULT_BACKEND_TIMEOUT_MS, { min: 1, max: 600_000 }),
  };
}
