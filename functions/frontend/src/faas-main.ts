// The frontend on faas-js-runtime, as func builds it: package.json's start script runs
// `node --import ./src/lib/telemetry.ts ./src/faas-main.ts`; the function itself is index.ts.
import * as frontend from './index.ts';
import { startFunction } from './lib/faas.ts';

const url = await startFunction(frontend, process.env, 'frontend').catch((error: unknown) => {
  console.error(`frontend did not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
console.log(`frontend listening on ${url}`);
