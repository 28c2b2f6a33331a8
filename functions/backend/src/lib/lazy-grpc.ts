// Generated from functions/lib/lazy-grpc.ts by tools/commands/generate-lib.ts (npm run build): do not edit.
// What the bundle (dist/tracing.mjs) gets for `import * as grpc from '@grpc/grpc-js'`: the OTLP
// exporter's one static use of it, loading the real @grpc/grpc-js on the first call, that is at the
// first export (after the batch processor's delay, 5 s by default, or at shutdown). Its other uses
// are already lazy. Loading it at start-up cost a cold start some 20 ms (Knative scales from zero);
// the first export pays that instead, once per process. `npm run build` puts this module in place
// of @grpc/grpc-js (esbuild's --alias); the source, run without the bundle, loads the real one.
import { createRequire } from 'node:module';

const load = createRequire(import.meta.url);

export function makeGenericClientConstructor(...args: unknown[]): unknown {
  return load('@grpc/grpc-js').makeGenericClientConstructor(...args);
}
