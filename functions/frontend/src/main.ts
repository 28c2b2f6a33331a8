// The process entry: `node --import ./src/lib/telemetry.ts ./src/main.ts`.
import * as frontend from './index.ts';
import { startFunction } from './lib/faas.ts';

const url = await startFunction(frontend, process.env, 'frontend').catch((error: unknown) => {
  console.error(`frontend did not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
console.log(`frontend listening on ${url}`);
