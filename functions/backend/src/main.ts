// The process entry: `node --import ./src/lib/telemetry.ts ./src/main.ts`.
import * as backend from './index.ts';
import { startFunction } from './lib/faas.ts';

const url = await startFunction(backend, process.env, 'backend').catch((error: unknown) => {
  console.error(`backend did not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
console.log(`backend listening on ${url}`);
