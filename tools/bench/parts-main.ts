// Runs tools/bench/parts.ts in processes of its own (it sets OpenTelemetry's globals and wraps
// node:http, which the benchmark's own process, the load generator, must not have) and prints its
// figures as JSON. The HTTP exchange runs one mode per child process, the modes in turns, three times:
// the median of each mode's three.
// `node tools/bench/parts-main.ts <OTLP gRPC endpoint> <OTLP/HTTP endpoint> [--quick]`
// `node tools/bench/parts-main.ts --exchange <mode> <requests> [<OTLP gRPC endpoint>]` (one mode's CPU µs per request)
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { median } from '../report/stats.ts';
import { type ExchangeMode, exchangeFigures, measureExchange, measureParts } from './parts.ts';

const MODES: readonly ExchangeMode[] = ['untraced', 'unrecorded', 'recorded', 'exported'];
const TURNS = 3;

async function exchangeInChildren(requests: number, grpc: string): Promise<Record<ExchangeMode, number>> {
  const figures: Record<ExchangeMode, number[]> = { untraced: [], unrecorded: [], recorded: [], exported: [] };
  for (let turn = 0; turn < TURNS; turn += 1) {
    for (const mode of MODES) {
      const args = [fileURLToPath(import.meta.url), '--exchange', mode, String(requests), grpc];
      const { stdout } = await promisify(execFile)(process.execPath, args);
      figures[mode].push(Number(stdout));
    }
  }
  return {
    untraced: median(figures.untraced),
    unrecorded: median(figures.unrecorded),
    recorded: median(figures.recorded),
    exported: median(figures.exported),
  };
}

const [first, second, third, fourth] = process.argv.slice(2);
if (first === '--exchange' && MODES.includes(second as ExchangeMode)) {
  console.log(await measureExchange(second as ExchangeMode, Number(third), fourth));
  // The gRPC channel's timers would keep the process a while.
  process.exit(0);
} else if (first && second && !first.startsWith('--')) {
  const quick = third === '--quick';
  const parts = await measureParts({ grpc: first, http: second }, quick);
  const exchange = exchangeFigures(await exchangeInChildren(quick ? 5000 : 20_000, first));
  console.log(JSON.stringify([...parts, ...exchange]));
} else {
  console.error('usage: node tools/bench/parts-main.ts <OTLP gRPC endpoint> <OTLP/HTTP endpoint> [--quick]');
  process.exit(2);
}
