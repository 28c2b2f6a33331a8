// The backend as a faas-js-runtime function: `init` builds it from the environment, `handle`
// adapts each invocation to the plain core in respond.ts.

import type { CounterService } from './counter-service.ts';
import { createBackend } from './create.ts';
import { answer, type FaasContext, type FaasResponse } from './lib/faas.ts';
import { shutdownTelemetry } from './lib/telemetry.ts';
import { respond } from './respond.ts';

// faas-js-runtime's contract is a module of hooks, so the one instance lives here, built by init.
let service: CounterService | undefined;

export function init(): void {
  service = createBackend(process.env);
}

export function handle(context: FaasContext): Promise<FaasResponse> {
  if (!service) throw new Error('The backend was not initialised: faas-js-runtime calls init() first.');
  const ready = service;
  return answer(context, (request) => respond(ready, request));
}

export const shutdown = shutdownTelemetry;
export { healthy as liveness, healthy as readiness } from './lib/faas.ts';
