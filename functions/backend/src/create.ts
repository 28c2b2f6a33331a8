// Builds the backend from its environment with the real clock and randomness: what both entries,
// the faas-js-runtime function (index.ts) and the express server (express-main.ts), run.
import { promisify } from 'node:util';
import { loadConfig } from './config.ts';
import { createCounter } from './counter.ts';
import { type CounterService, createCounterService } from './counter-service.ts';
import type { Env } from './lib/env.ts';
import type { Route } from './lib/express.ts';
import { ALLOWED_METHODS, replyTo } from './reply.ts';

const sleep = promisify(setTimeout) as (ms: number) => Promise<void>;

export function createBackend(env: Env): CounterService {
  const config = loadConfig(env);
  return createCounterService({
    counter: createCounter(),
    lag: config.lag,
    readDelayMs: config.readDelayMs,
    random: Math.random,
    sleep,
  });
}

/** The backend's routes on express: the root resource, and the original tutorial's /api/counter. */
export function backendRoutes(service: CounterService): Route[] {
  return ['/', '/api/counter'].map((path) => ({
    path,
    methods: ALLOWED_METHODS,
    replyTo: (request) => replyTo(service, request),
  }));
}
