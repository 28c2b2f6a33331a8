// The backend as a faas-js-runtime function: `init` builds it from the environment, `handle`
// adapts each invocation to the plain core in reply.ts.

import type { Context, StructuredReturn } from 'faas-js-runtime';
import type { CounterService } from './counter-service.ts';
import { createBackend } from './create.ts';
import { replyToInvocation } from './lib/faas.ts';
import { shutdownTelemetry } from './lib/telemetry.ts';
import { replyTo } from './reply.ts';

// faas-js-runtime's contract is a module of hooks, so the one instance lives here, built by init.
let service: CounterService | undefined;

export function init(): void {
  service = createBackend(process.env);
}

export function handle(context: Context): Promise<StructuredReturn> {
  if (!service) throw new Error('The backend was not initialised: faas-js-runtime calls init() first.');
  const ready = service;
  return replyToInvocation(context, (request) => replyTo(ready, request));
}

export const shutdown = shutdownTelemetry;
export { healthy as liveness, healthy as readiness } from './lib/faas.ts';
