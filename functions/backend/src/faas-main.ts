// The backend on faas-js-runtime, as func builds it: package.json's start script runs
// `node --import ./src/lib/telemetry.ts ./src/faas-main.ts`; the function itself is index.ts.
import * as backend from './index.ts';
import { startFunction } from './lib/faas.ts';

const url = await startFunction(backend, process.env, 'backend').catch((error: unknown) => {
  console.error(`backend did not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
console.log(`backend listening on ${url}`);
