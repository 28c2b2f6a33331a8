// The telemetry preload: `node --import ./src/lib/telemetry.ts` loads it before any application
// module, so that http and fetch are instrumented before anything imports them.
// With OTEL_SDK_DISABLED=true it loads nothing at all, which is what tracing's cost is measured against.
// This file is identical in every function (see test/shared-lib.test.ts).
import { register } from 'node:module';

interface Telemetry {
  shutdown(): Promise<void>;
}

const off: Telemetry = { shutdown: async () => {} };

async function startTelemetry(env: NodeJS.ProcessEnv): Promise<Telemetry> {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return off;
  // The ESM hook lets instrumentations patch modules that are imported, not required.
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
  const { startTracing } = await import('./tracing.ts');
  return startTracing(env);
}

const telemetry = await startTelemetry(process.env);
let flushed: Promise<void> | undefined;

/**
 * Flushes every span still queued; the function's `shutdown` hook awaits it before the process exits.
 * Safe to call more than once (SIGINT and SIGTERM may both arrive): the flush happens once.
 */
export function shutdownTelemetry(): Promise<void> {
  flushed ??= telemetry.shutdown().catch((error: unknown) => {
    console.error(`Could not flush the last spans: ${error instanceof Error ? error.message : String(error)}`);
  });
  return flushed;
}
