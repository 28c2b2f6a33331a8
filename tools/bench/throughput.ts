// Throughput and latency under a steady load (autocannon), and the peak memory of the processes
// serving it.
import autocannon from 'autocannon';
import { residentMb } from '../local/system.ts';

export interface LoadFigures {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Answers other than 2xx, plus errors and timeouts. */
  failures: number;
  ok: number;
  /** Peak resident memory of each watched process, in MB. */
  peakRssMb: number[];
}

export async function measureLoad(
  url: string,
  {
    connections,
    seconds,
    warmupSeconds,
    pids,
  }: { connections: number; seconds: number; warmupSeconds: number; pids: number[] },
): Promise<LoadFigures> {
  if (warmupSeconds > 0) await autocannon({ url, connections, duration: warmupSeconds });
  const peaks = pids.map(() => 0);
  const sample = async () => {
    for (const [index, pid] of pids.entries()) peaks[index] = Math.max(peaks[index] ?? 0, await residentMb(pid));
  };
  const sampler = setInterval(() => void sample().catch(() => {}), 100);
  try {
    const result = await autocannon({ url, connections, duration: seconds });
    await sample();
    return {
      requestsPerSecond: result.requests.average,
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      failures: result.non2xx + result.errors + result.timeouts,
      ok: result['2xx'],
      peakRssMb: peaks,
    };
  } finally {
    clearInterval(sampler);
  }
}
