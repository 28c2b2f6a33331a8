// Generated from functions/lib/lifecycle.ts by tools/commands/generate-lib.ts (npm run build): do not edit.
// How a function process ends, the same for both entries: on SIGTERM it stops taking requests,
// lets the ones in flight finish, flushes its spans and exits 0; on an uncaught exception it says
// so, flushes and exits 1, so that Kubernetes sees a crash (faas-js-runtime would exit 0 in silence).
import type { Server, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { shutdownTelemetry } from './telemetry.ts';

/** In-flight requests may take this long to finish after SIGTERM: below Knative's 30 s grace period. */
export const DRAIN_TIMEOUT_MS = 15_000;

/** Tracks the requests in flight on `server`; `drain()` stops new ones and waits for those. */
export function trackRequests(server: Server): { drain(timeoutMs?: number): Promise<void> } {
  const inFlight = new Set<ServerResponse>();
  server.on('request', (_request, response: ServerResponse) => {
    inFlight.add(response);
    response.once('close', () => inFlight.delete(response));
  });
  return {
    async drain(timeoutMs = DRAIN_TIMEOUT_MS) {
      server.close();
      server.closeIdleConnections();
      const deadline = Date.now() + timeoutMs;
      while (inFlight.size > 0 && Date.now() < deadline) await delay(20);
    },
  };
}

/**
 * Makes an uncaught exception (or unhandled rejection) end the process with status 1, after a line
 * that says what happened and a flush of the spans. Other handlers are removed: faas-js-runtime's
 * would exit 0 without a word.
 */
export function exitOnUncaughtError(name: string): void {
  const handler = (error: unknown) => {
    console.error(`${name} is stopping on an uncaught error:`, error);
    void shutdownTelemetry().finally(() => process.exit(1));
  };
  for (const listener of process.listeners('uncaughtException')) process.off('uncaughtException', listener);
  process.on('uncaughtException', handler);
}
