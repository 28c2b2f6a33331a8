// Builds the frontend from its environment: what both entries, the faas-js-runtime function
// (index.ts) and the express server (express-main.ts), run.
import { loadConfig } from './config.ts';
import { createCounterClient } from './counter-client.ts';
import type { Env } from './lib/env.ts';
import type { Route } from './lib/express.ts';
import { ALLOWED_METHODS, type Frontend, replyTo } from './reply.ts';

export function createFrontend(env: Env): Frontend {
  const config = loadConfig(env);
  return {
    counter: createCounterClient({ endpoint: config.counterEndpoint }),
    backendTimeoutMs: config.backendTimeoutMs,
  };
}

export function frontendRoutes(frontend: Frontend): Route[] {
  return [{ path: '/', methods: ALLOWED_METHODS, replyTo: (request) => replyTo(frontend, request) }];
}
