// Throughput and latency under a steady load (autocannon), and what the processes serving it spent:
// peak memory and CPU time per request.
import autocannon from 'autocannon';
import { cpuMicroseconds, residentMb } from '../local/system.ts';

export interface LoadFigures {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Answers other than 2xx, plus errors and timeouts. */
  failures: number;
  ok: number;
  /** Peak resident memory of each watched process, in MB. */
  peakRssMb: number[];
  /** CPU time (user and system) each watched process spent during the measured run, in µs. */
  cpuMicroseconds: number[];
  /** The same per answered request. */
  cpuPerRequestMicros: number[];
}

export interface LoadOptions {
  connections: number;
  seconds: number;
  warmupSeconds: number;
  pids: number[];
}

/** Answered requests (2xx) of a warm-up, for counting the spans it made. */
export async function warmUp(url: string, { connections, warmupSeconds }: LoadOptions): Promise<number> {
  if (warmupSeconds <= 0) return 0;
  return (await autocannon({ url, connections, duration: warmupSeconds }))['2xx'];
}

export async function measureLoad(url: string, options: LoadOptions): Promise<LoadFigures> {
  const { connections, seconds, pids } = options;
  await warmUp(url, options);
  const peaks = pids.map(() => 0);
  const sample = async () => {
    for (const [index, pid] of pids.entries()) peaks[index] = Math.max(peaks[index] ?? 0, await residentMb(pid));
  };
  const sampler = setInterval(() => void sample().catch(() => {}), 100);
  try {
    const cpuBefore = await Promise.all(pids.map(cpuMicroseconds));
    const result = await autocannon({ url, connections, duration: seconds });
    const cpuAfter = await Promise.all(pids.map(cpuMicroseconds));
    await sample();
    return {
      requestsPerSecond: result['2xx'] / seconds,
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      failures: result.non2xx + result.errors + result.timeouts,
      ok: result['2xx'],
      peakRssMb: peaks,
      cpuMicroseconds: cpuAfter.map((after, index) => after - (cpuBefore[index] ?? 0)),
      cpuPerRequestMicros: cpuAfter.map((after, index) => (after - (cpuBefore[index] ?? 0)) / result['2xx']),
    };
  } finally {
    clearInterval(sampler);
  }
}

/**
 * Several measured runs of the same processes as one: rates, latencies and CPU per request at their
 * median (a burst of other work on a shared machine spoils one run, not the figure), requests,
 * failures and CPU time added up, memory at its peak.
 */
export function combineLoads(runs: readonly LoadFigures[]): LoadFigures {
  const sum = (pick: (run: LoadFigures) => number) => runs.reduce((total, run) => total + pick(run), 0);
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
  const perProcess = (pick: (run: LoadFigures) => number[], combine: (values: number[]) => number) =>
    (runs[0] ? pick(runs[0]) : []).map((_, index) => combine(runs.map((run) => pick(run)[index] ?? 0)));
  return {
    requestsPerSecond: median(runs.map((run) => run.requestsPerSecond)),
    p50Ms: median(runs.map((run) => run.p50Ms)),
    p99Ms: median(runs.map((run) => run.p99Ms)),
    failures: sum((run) => run.failures),
    ok: sum((run) => run.ok),
    peakRssMb: perProcess(
      (run) => run.peakRssMb,
      (values) => Math.max(...values),
    ),
    cpuMicroseconds: perProcess(
      (run) => run.cpuMicroseconds,
      (values) => values.reduce((a, b) => a + b, 0),
    ),
    cpuPerRequestMicros: perProcess((run) => run.cpuPerRequestMicros, median),
  };
}
