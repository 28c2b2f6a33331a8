// What tracing costs, measured side by side with tracing off (OTEL_SDK_DISABLED=true) and with the
// zero-code peer (peer.ts) on this machine, in one run: cold start, throughput, latency and CPU per
// request, the same inside the containers' memory limit, spans exported, memory. `npm run bench` prints it.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseTally } from '../../functions/lib/span-tally.ts';
import { containerLimits } from '../containers/knative-container.ts';
import { functionCommand, functionDirectory, REPOSITORY_ROOT } from '../functions/run.ts';
import type { RunningJaeger } from '../jaeger/run.ts';
import { runLoad } from '../load/run.ts';
import { cleanEnv, Processes } from '../local/system.ts';
import type { MemoryCgroup } from '../processes/memory-cgroup.ts';
import { findFreePort } from '../processes/ports.ts';
import { spawnChild, waitForHttp } from '../processes/process.ts';
import { median } from '../report/stats.ts';
import { measureColdStarts, type StartTarget } from './cold-start.ts';
import { acceptedSpans, settledAcceptedSpans } from './export.ts';
import { type Mode, NO_LAG, OFF_ENV, onEnv, type Pair, type PairSetting, startPair, stopPair } from './modes.ts';
import type { PartFigure } from './parts.ts';
import { ZERO_CODE_PRELOAD, zeroCodeEnv } from './peer.ts';
import { measureRedisScaleOut } from './redis.ts';
import { type BenchResults, type ColdStarts, type ExportFigures, renderParts, renderRows } from './rows.ts';
import { combineLoads, type LoadFigures, type LoadOptions, measureLoad, warmUp } from './throughput.ts';

export interface BenchPlan {
  starts: number;
  /** Seconds of each measured run; each mode runs `rounds` of them, the modes taking turns. */
  seconds: number;
  rounds: number;
  warmup: number;
  connections: number;
}

export const QUICK_PLAN: BenchPlan = { starts: 6, seconds: 5, rounds: 1, warmup: 2, connections: 16 };
export const FULL_PLAN: BenchPlan = { starts: 20, seconds: 3, rounds: 5, warmup: 5, connections: 16 };

const MODES: readonly Mode[] = [
  'off',
  'on',
  'peer',
  'offLimited',
  'onLimited',
  'unrecorded',
  'unexported',
  'sampled10',
  'sampled1',
];

export interface Benchmark {
  table: string;
  results: BenchResults;
}

async function measureColdStart(
  plan: BenchPlan,
  processes: Processes,
  jaeger: RunningJaeger,
  peerJaeger: RunningJaeger,
) {
  const backendWarm = await processes.fn('backend', cleanEnv({ ...OFF_ENV, ...NO_LAG }));
  const target = (name: 'backend' | 'frontend', env: NodeJS.ProcessEnv, preload?: readonly string[]): StartTarget => ({
    name,
    cwd: functionDirectory(name),
    args: functionCommand('faas', preload).slice(1),
    env: cleanEnv({ ...env, ...NO_LAG, COUNTER_ENDPOINT: backendWarm.url }),
    portVariable: 'FUNC_PORT',
  });
  const [floor = []] = await measureColdStarts(
    [
      {
        name: 'bare faas-js-runtime',
        cwd: REPOSITORY_ROOT,
        args: [join(REPOSITORY_ROOT, 'node_modules/faas-js-runtime/bin/cli.js'), 'tools/bench/hello.mjs'],
        env: cleanEnv(),
        portVariable: 'FUNC_PORT',
      },
    ],
    plan.starts,
  );
  const coldStart: Partial<ColdStarts> = { floorMs: median(floor) };
  for (const name of ['backend', 'frontend'] as const) {
    const [off = [], on = [], peer = []] = await measureColdStarts(
      [
        target(name, OFF_ENV),
        target(name, onEnv(jaeger)),
        target(name, zeroCodeEnv(name, peerJaeger.otlpEndpoint), ZERO_CODE_PRELOAD),
      ],
      plan.starts,
    );
    coldStart[name] = { off: median(off), on: median(on), peer: median(peer) };
  }
  return coldStart as ColdStarts;
}

async function measureCeiling(plan: BenchPlan): Promise<number> {
  const port = await findFreePort();
  const ceiling = spawnChild('node:http hello', process.execPath, [
    '-e',
    `require('node:http').createServer((q, r) => r.end('hello')).listen(${port})`,
  ]);
  try {
    await waitForHttp(`http://localhost:${port}/`, { timeoutMs: 10_000, child: ceiling });
    const options = { connections: plan.connections, seconds: plan.seconds, warmupSeconds: plan.warmup, pids: [] };
    return (await measureLoad(`http://localhost:${port}/`, options)).requestsPerSecond;
  } finally {
    await ceiling.stop('SIGKILL');
  }
}

async function cpuSeconds(pid: number | undefined): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * Frontend visits in every mode, the modes taking turns round by round so that a slower minute of a
 * shared machine falls on all of them alike; then the backend alone, off, on and peer.
 */
async function measureThroughput(
  plan: BenchPlan,
  processes: Processes,
  setting: PairSetting,
  log: (line: string) => void,
) {
  const pairs = new Map<Mode, Pair>();
  for (const mode of MODES) pairs.set(mode, await startPair(processes, mode, setting));
  const options = (pids: number[]): LoadOptions => ({
    connections: plan.connections,
    seconds: plan.seconds,
    warmupSeconds: 0,
    pids,
  });
  const warmupVisits = new Map<Mode, number>();
  for (const [mode, pair] of pairs) {
    warmupVisits.set(mode, await warmUp(pair.frontend.url, { ...options([]), warmupSeconds: plan.warmup }));
  }
  const runs = new Map<Mode, LoadFigures[]>(MODES.map((mode) => [mode, []]));
  const jaegerCpu = new Map<Mode, number>();
  for (let round = 0; round < plan.rounds; round += 1) {
    log(`throughput: round ${round + 1} of ${plan.rounds}, ${plan.seconds} s per mode…`);
    // Every other round in reverse order, so that no mode always follows the same one.
    const order = round % 2 === 0 ? [...pairs] : [...pairs].reverse();
    for (const [mode, pair] of order) {
      const jaeger = mode === 'peer' ? setting.peerJaeger : setting.jaeger;
      const before = await cpuSeconds(jaeger.child.process.pid);
      runs.get(mode)?.push(await measureLoad(pair.frontend.url, options(pair.pids)));
      jaegerCpu.set(mode, (jaegerCpu.get(mode) ?? 0) + (await cpuSeconds(jaeger.child.process.pid)) - before);
    }
  }
  const visits = Object.fromEntries(MODES.map((mode) => [mode, combineLoads(runs.get(mode) ?? [])])) as Record<
    Mode,
    LoadFigures
  >;
  const backendAlone: Partial<Record<Mode, LoadFigures>> = {};
  for (const mode of ['off', 'on', 'peer'] as const) {
    const pair = pairs.get(mode);
    if (!pair) continue;
    const backend = [pair.pids[1]];
    await warmUp(pair.backend.url, { ...options(backend), warmupSeconds: plan.warmup });
    backendAlone[mode] = combineLoads([await measureLoad(pair.backend.url, options(backend))]);
  }
  const cgroups: Partial<Record<Mode, Awaited<ReturnType<typeof stopPair>>>> = {};
  for (const [mode, pair] of pairs) cgroups[mode] = await stopPair(pair);
  const jaegerCores = Object.fromEntries(
    [...jaegerCpu].map(([mode, seconds]) => [mode, seconds / (plan.seconds * plan.rounds)]),
  );
  return { visits, backendAlone, cgroups, jaegerCores, warmupVisits: Object.fromEntries(warmupVisits) };
}

/**
 * A burst of `visits` visits as fast as the traced frontend takes them, then Jaeger's count of their
 * spans against the spans the functions say they ended (the line each writes when it stops).
 */
async function measureExport(
  processes: Processes,
  setting: PairSetting,
  mode: 'on' | 'onLimited',
  visits: number,
  connections: number,
): Promise<ExportFigures> {
  const pair = await startPair(processes, mode, setting);
  const metricsUrl = setting.jaeger.metricsUrl;
  const before = await acceptedSpans(metricsUrl);
  const burst = await runLoad({ url: pair.frontend.url, visits, concurrency: connections });
  const answered = burst.filter((result) => result.status === 200).length;
  // SIGTERM: each function flushes its last spans and says how many it ended before it exits.
  await Promise.all([pair.frontend.child.stop('SIGTERM', 30_000), pair.backend.child.stop('SIGTERM', 30_000)]);
  await stopPair(pair);
  const tallies = [pair.frontend, pair.backend].map((running) => {
    const tally = parseTally(running.child.output());
    if (!tally) throw new Error(`${running.child.name} stopped without saying how many spans it ended`);
    return tally;
  });
  const created = tallies.reduce((sum, tally) => sum + tally.ended, 0);
  const reached = (await settledAcceptedSpans(metricsUrl, before + created)) - before;
  return {
    visits,
    answered,
    spansCreated: created,
    spansReached: reached,
    dropped: created - reached,
    spansPerExport: tallies.map((tally) => (tally.exports > 0 ? tally.sent / tally.exports : 0)),
  };
}

/**
 * What each part of a span costs (parts.ts), in a process of its own: it sets OpenTelemetry's globals and
 * wraps node:http, which this process, the load generator, must not have.
 */
async function measurePartsInChild(jaeger: RunningJaeger, quick: boolean): Promise<PartFigure[]> {
  const args = [
    join(REPOSITORY_ROOT, 'tools/bench/parts-main.ts'),
    jaeger.otlpEndpoint,
    `http://localhost:${jaeger.ports.otlpHttp}`,
    ...(quick ? ['--quick'] : []),
  ];
  const { stdout } = await promisify(execFile)(process.execPath, args, { cwd: REPOSITORY_ROOT, env: cleanEnv() });
  return JSON.parse(stdout) as PartFigure[];
}

/** Runs every measure on its own processes, all stopped at the end; Jaeger must be built (ensureJaeger). */
export async function runBenchmark(plan: BenchPlan, log: (line: string) => void): Promise<Benchmark> {
  const processes = new Processes();
  const cgroups: MemoryCgroup[] = [];
  try {
    const jaeger = await processes.jaeger();
    const peerJaeger = await processes.jaeger();
    const setting: PairSetting = {
      jaeger,
      peerJaeger,
      limits: { backend: await containerLimits('backend'), frontend: await containerLimits('frontend') },
      runId: `bench-${process.pid}`,
      cgroups,
    };
    log(`cold start: ${plan.starts} starts each, off, on and peer in turns…`);
    const coldStart = await measureColdStart(plan, processes, jaeger, peerJaeger);
    log('parts: what each part of a span costs, in a process of its own…');
    const parts = await measurePartsInChild(jaeger, plan.rounds === 1);
    log(`throughput: the node:http ceiling…`);
    const ceiling = await measureCeiling(plan);
    const load = await measureThroughput(plan, processes, setting, log);
    // The counter in Redis: one backend, then three (tracing on).
    log(`counter in Redis: ${plan.seconds} s runs with 1 and 3 backends…`);
    const redis = await measureRedisScaleOut(processes, plan, onEnv(jaeger));
    log('export: a burst of visits, unlimited and in the memory limit, then counting spans in Jaeger…');
    const burst = (mode: 'on' | 'onLimited') =>
      measureExport(
        processes,
        setting,
        mode,
        Math.round(load.visits[mode].requestsPerSecond * plan.seconds),
        plan.connections,
      );
    const exported = { unlimited: await burst('on'), limited: await burst('onLimited') };
    const results: BenchResults = {
      plan,
      coldStartMs: coldStart,
      ceilingRequestsPerSecond: ceiling,
      ...load,
      memoryLimitBytes: setting.limits.frontend.memoryBytes,
      limitedNodeOptions: {
        backend: setting.limits.backend.env.NODE_OPTIONS,
        frontend: setting.limits.frontend.env.NODE_OPTIONS,
      },
      export: exported,
      redis: redis.results,
      redisRow: redis.row,
    };
    return { table: `${renderRows(results)}\n\n${renderParts(parts)}`, results: { ...results, parts } };
  } finally {
    await processes.stopAll();
    for (const cgroup of cgroups) await cgroup.remove();
  }
}

/** The machine the figures belong to. */
export function describeMachine() {
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  };
}
