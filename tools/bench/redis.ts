// What the counter's Redis mode does for throughput: visits per second with one backend, then with
// three behind one round-robin address, each counting in the same redis-server; traced, no lag.
import { cleanEnv, type Processes } from '../local/system.ts';
import type { BenchRow } from './rows.ts';
import type { BenchPlan } from './run.ts';
import { type LoadFigures, measureLoad } from './throughput.ts';

export async function measureRedisScaleOut(
  processes: Processes,
  plan: BenchPlan,
  telemetry: NodeJS.ProcessEnv,
): Promise<{ row: BenchRow; results: Record<string, LoadFigures> }> {
  const redis = await processes.redis();
  const results: Record<string, LoadFigures> = {};
  for (const count of [1, 3]) {
    const env = cleanEnv({ ...telemetry, LAG_MIN_MS: '0', LAG_MAX_MS: '0', COUNTER_STORE: redis.url });
    const { backends, proxy } = await processes.backends(count, env);
    const frontend = await processes.fn('frontend', cleanEnv({ ...telemetry, COUNTER_ENDPOINT: proxy.url }));
    const pids = [frontend, ...backends].map((running) => running.child.process.pid ?? 0);
    results[`${count}`] = await measureLoad(frontend.url, {
      connections: plan.connections,
      seconds: plan.seconds,
      warmupSeconds: plan.warmup,
      pids,
    });
    // Out of the way of the next measure: they share the machine's cores.
    await Promise.all([frontend, ...backends].map((running) => running.stop('SIGKILL')));
    await proxy.close();
  }
  const [one = 0, three = 0] = [results['1']?.requestsPerSecond, results['3']?.requestsPerSecond];
  return {
    row: {
      measure: 'frontend visits, counter in Redis, 1 / 3 backends, requests/s',
      off: '',
      on: `${one.toFixed(0)} / ${three.toFixed(0)}`,
      ratio: one > 0 ? `${(three / one).toFixed(2)}× with 3` : '',
      peer: '',
      onPerPeer: '',
    },
    results,
  };
}
