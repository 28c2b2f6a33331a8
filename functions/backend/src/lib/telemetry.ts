// Generated from functions/lib/telemetry.ts by tools/commands/generate-lib.ts (npm run build): do not edit.
// The telemetry preload: `node --import ./src/lib/telemetry.ts` loads it before any application
// module, so that the first request is traced and Redis's client is instrumented before it loads.
// With OTEL_SDK_DISABLED=true it loads nothing at all, which is what tracing's cost is measured against.
import { existsSync } from 'node:fs';

interface Telemetry {
  shutdown(): Promise<void>;
}

const off: Telemetry = { shutdown: async () => {} };

// `npm run build` bundles tracing.ts and its dependencies into one file: loading that instead of
// some 1,100 modules is most of what keeps a traced cold start close to an untraced one. Without
// the bundle (a checkout that was not built), the same code loads from source.
// The path is the function's own dist/, seen from its copy of this file in functions/<name>/src/lib/.
const BUNDLE = new URL('../../dist/tracing.mjs', import.meta.url);

// No ESM loader hook (@opentelemetry/instrumentation/hook.mjs) is registered: the HTTP spans need no
// hook at all (./http-spans.ts), ioredis is loaded through require (src/redis-counter.ts), and the
// hook costs some 400 ms of start-up.
async function startTelemetry(env: NodeJS.ProcessEnv): Promise<Telemetry> {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return off;
  if (tracerProviderRegistered()) {
    console.error("OpenTelemetry was started before this function's telemetry: it stays off and leaves tracing to it.");
    return off;
  }
  const tracing: typeof import('./tracing.ts') = existsSync(BUNDLE)
    ? await import(BUNDLE.href)
    : await import('./tracing.ts');
  return tracing.startTracing(env);
}

// @opentelemetry/api 1.x keeps what is registered under this symbol, shared by every copy of the API
// in the process (the bundle has one of its own).
const API_GLOBALS = Symbol.for('opentelemetry.js.api.1');

/**
 * Whether a tracer provider is registered already: OpenTelemetry's zero-code register module
 * (`--require @opentelemetry/auto-instrumentations-node/register`) or another preload started first.
 * Starting a second SDK then would instrument http twice (every span twice) and fail to register.
 */
export function tracerProviderRegistered(global: object = globalThis): boolean {
  const registered = (global as Record<symbol, { trace?: unknown } | undefined>)[API_GLOBALS];
  return registered?.trace !== undefined;
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
