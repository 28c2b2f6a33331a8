// The backend as a faas-js-runtime function: `init` builds it from the environment, `handle`
// adapts each invocation to the plain core in reply.ts.

import type { Context, StructuredReturn } from 'faas-js-runtime';
import { type Backend, createBackend } from './create.ts';
import { readinessCheck, replyToInvocation } from './lib/faas.ts';
import { shutdownTelemetry } from './lib/telemetry.ts';
import { replyTo } from './reply.ts';

// faas-js-runtime's contract is a module of hooks, so the one instance lives here, built by init.
let backend: Backend | undefined;

export function init(): void {
  backend = createBackend(process.env);
}

export function handle(context: Context): Promise<StructuredReturn> {
  if (!backend) throw new Error('The backend was not initialised: faas-js-runtime calls init() first.');
  const { service } = backend;
  return replyToInvocation(context, (request) => replyTo(service, request));
}

/** Ready once its counter store is: always in memory, once Redis has answered in Redis mode. */
export const readiness = readinessCheck(() => (backend ? backend.store.notReadyReason() : 'not initialised'));

export async function shutdown(): Promise<void> {
  await backend?.store.close();
  await shutdownTelemetry();
}

export { healthy as liveness } from './lib/faas.ts';
