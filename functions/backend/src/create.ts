// Builds the backend from its environment with the real clock and randomness: what both entries,
// the faas-js-runtime function (index.ts) and the express server (express-main.ts), run.
import { promisify } from 'node:util';
import { type CounterStoreConfig, loadConfig } from './config.ts';
import { type CounterService, createCounterService } from './counter-service.ts';
import type { CounterStore } from './counter-store.ts';
import { createHandoffCounter } from './handoff-counter.ts';
import type { Env } from './lib/env.ts';
import type { Route } from './lib/express.ts';
import { createRedisCounter } from './redis-counter.ts';
import { ALLOWED_METHODS, replyTo } from './reply.ts';

const sleep = promisify(setTimeout) as (ms: number) => Promise<void>;

export interface Backend {
  service: CounterService;
  /** Its readiness is the backend's; closed at shutdown. */
  store: CounterStore;
}

export function createCounterStore(config: CounterStoreConfig, log: (line: string) => void): CounterStore {
  if (config.kind === 'redis') {
    return createRedisCounter({ url: config.url, timeoutMs: config.timeoutMs, password: config.password, log });
  }
  // In memory, always a count that can be handed over; taken over at start-up only with COUNTER_HANDOFF_URL.
  const { port, timeoutMs, handoff } = config;
  return createHandoffCounter({ predecessor: handoff?.from, waitMs: handoff?.waitMs ?? 0, port, timeoutMs, log });
}

/** `log` tells what the counter store does (connected, lost, back): standard error unless told. */
export function createBackend(env: Env, log = (line: string) => console.error(`backend: ${line}`)): Backend {
  const config = loadConfig(env);
  const store = createCounterStore(config.counterStore, log);
  const service = createCounterService({
    counter: store,
    lag: config.lag,
    readDelayMs: config.readDelayMs,
    random: Math.random,
    sleep,
  });
  return { service, store };
}

/** The backend's routes on express: the root resource, and the original tutorial's /api/counter. */
export function backendRoutes(service: CounterService): Route[] {
  return ['/', '/api/counter'].map((path) => ({
    path,
    methods: ALLOWED_METHODS,
    replyTo: (request) => replyTo(service, request),
  }));
}
