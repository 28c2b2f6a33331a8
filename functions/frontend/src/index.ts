// The frontend as a faas-js-runtime function: `init` builds it from the environment, `handle`
// adapts each invocation to the plain core in reply.ts.
import type { Context, StructuredReturn } from 'faas-js-runtime';
import { createFrontend } from './create.ts';
import { replyToInvocation } from './lib/faas.ts';
import { shutdownTelemetry } from './lib/telemetry.ts';
import { type Frontend, replyTo } from './reply.ts';

// faas-js-runtime's contract is a module of hooks, so the one instance lives here, built by init.
let frontend: Frontend | undefined;

export function init(): void {
  frontend = createFrontend(process.env);
}

export function handle(context: Context): Promise<StructuredReturn> {
  if (!frontend) throw new Error('The frontend was not initialised: faas-js-runtime calls init() first.');
  const ready = frontend;
  return replyToInvocation(context, (request) => replyTo(ready, request));
}

export const shutdown = shutdownTelemetry;
export { healthy as liveness, healthy as readiness } from './lib/faas.ts';
