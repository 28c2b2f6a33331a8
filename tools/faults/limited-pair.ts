// A backend and a frontend run as their containers run them: each in a memory cgroup at its
// manifest's limit (knative/<name>.yaml), with its manifest's NODE_OPTIONS, so that V8 sizes its heap
// from the limit as it does in the container, not from this machine's memory. Needs root.
import { containerLimits } from '../containers/knative-container.ts';
import type { FunctionName, RunningFunction } from '../functions/run.ts';
import { runLoad } from '../load/run.ts';
import { cleanEnv, type Processes, residentMb } from '../local/system.ts';
import { createMemoryCgroup, type MemoryCgroup } from '../processes/memory-cgroup.ts';

export interface LimitedFunction {
  name: FunctionName;
  running: RunningFunction;
  cgroup: MemoryCgroup;
}

export interface LimitedPair {
  frontend: LimitedFunction;
  backend: LimitedFunction;
  /** performance.now() just before the first of them was started. */
  startedAt: number;
  /** Stops both and removes their cgroups (the processes' stop in `processes` is then a no-op). */
  remove(): Promise<void>;
}

/** Starts the pair, both with `env` (and no lag), the frontend calling the backend; `runId` names the cgroups. */
export async function startLimitedPair(
  processes: Processes,
  env: NodeJS.ProcessEnv,
  runId: string,
): Promise<LimitedPair> {
  const started: LimitedFunction[] = [];
  const remove = async () => {
    for (const { running } of started) await running.stop('SIGKILL');
    await Promise.all(started.map(({ cgroup }) => cgroup.remove()));
  };
  const start = async (name: FunctionName, extra: NodeJS.ProcessEnv): Promise<LimitedFunction> => {
    const limits = await containerLimits(name);
    const cgroup = await createMemoryCgroup(`${runId}-${name}`, limits.memoryBytes);
    try {
      const running = await processes.fn(name, cleanEnv({ ...env, ...limits.env, ...extra }), {
        cgroupProcs: cgroup.procsFile,
      });
      const limited = { name, running, cgroup };
      started.push(limited);
      return limited;
    } catch (error) {
      await cgroup.remove().catch(() => {});
      throw error;
    }
  };
  const startedAt = performance.now();
  try {
    const backend = await start('backend', { LAG_MIN_MS: '0', LAG_MAX_MS: '0' });
    const frontend = await start('frontend', { COUNTER_ENDPOINT: backend.running.url });
    return { frontend, backend, startedAt, remove };
  } catch (error) {
    await remove();
    throw error;
  }
}

export interface Rounds {
  /** Each process's resident memory in MB after each round. */
  rss: Record<FunctionName, number[]>;
  failed: number;
}

/** `rounds` rounds of `visits` visits (20 at a time) to the pair's frontend, with both processes' RSS after each. */
export async function visitInRounds(pair: LimitedPair, rounds: number, visits: number): Promise<Rounds> {
  const rss: Rounds['rss'] = { frontend: [], backend: [] };
  let failed = 0;
  for (let round = 0; round < rounds; round += 1) {
    const results = await runLoad({ url: pair.frontend.running.url, visits, concurrency: 20 });
    failed += results.filter((result) => result.status !== 200).length;
    for (const { name, running } of [pair.frontend, pair.backend]) {
      // A process the OOM killer ended has no RSS: NaN, which no bound passes.
      rss[name].push(await residentMb(running.child.process.pid).catch(() => Number.NaN));
    }
  }
  return { rss, failed };
}
