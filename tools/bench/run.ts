// What tracing costs, measured side by side with tracing off (OTEL_SDK_DISABLED=true) on this machine,
// in one run: cold start, throughput and latency, spans exported, memory. `npm run bench` prints it.
import { readFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { functionCommand, functionDirectory, REPOSITORY_ROOT } from '../functions/run.ts';
import { runLoad } from '../load/run.ts';
import { cleanEnv, Processes } from '../local/system.ts';
import { findFreePort } from '../processes/ports.ts';
import { spawnChild, waitForHttp } from '../processes/process.ts';
import { percentile } from '../report/stats.ts';
import { renderTable } from '../report/table.ts';
import { measureColdStarts, type StartTarget } from './cold-start.ts';
import { acceptedSpans, settledAcceptedSpans } from './export.ts';
import { measureRedisScaleOut } from './redis.ts';
import { measureLoad } from './throughput.ts';

export interface BenchPlan {
  starts: number;
  seconds: number;
  warmup: number;
  connections: number;
}

export const QUICK_PLAN: BenchPlan = { starts: 10, seconds: 5, warmup: 2, connections: 16 };
export const FULL_PLAN: BenchPlan = { starts: 20, seconds: 15, warmup: 5, connections: 16 };

export interface BenchRow {
  measure: string;
  off: string;
  on: string;
  ratio: string;
}

export interface Benchmark {
  rows: BenchRow[];
  results: Record<string, unknown>;
}

const median = (values: number[]) => percentile(values, 50) ?? Number.NaN;
const ratio = (tracing: number, without: number) => (without > 0 ? `${(tracing / without).toFixed(2)}×` : '');
const quickLag = { LAG_MIN_MS: '0', LAG_MAX_MS: '0' };

/** Runs every measure on its own processes, all stopped at the end; Jaeger must be built (ensureJaeger). */
export async function runBenchmark(plan: BenchPlan, log: (line: string) => void): Promise<Benchmark> {
  const rows: BenchRow[] = [];
  const results: Record<string, unknown> = {};
  const processes = new Processes();
  try {
    const jaeger = await processes.jaeger();
    const on = { OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpEndpoint };
    const off = { OTEL_SDK_DISABLED: 'true' };
    // 1. Cold start.
    const backendWarm = await processes.fn('backend', cleanEnv({ ...off, ...quickLag }));
    const [, ...faasArgs] = functionCommand('faas');
    const target = (name: 'backend' | 'frontend', env: NodeJS.ProcessEnv): StartTarget => ({
      name,
      cwd: functionDirectory(name),
      args: faasArgs,
      env: cleanEnv({ ...env, ...quickLag, COUNTER_ENDPOINT: backendWarm.url }),
      portVariable: 'FUNC_PORT',
    });
    log(`cold start: ${plan.starts} starts each…`);
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
    const coldStart: Record<string, { off: number; on: number }> = {};
    for (const name of ['backend', 'frontend'] as const) {
      const [offTimes = [], onTimes = []] = await measureColdStarts([target(name, off), target(name, on)], plan.starts);
      const without = median(offTimes);
      const tracing = median(onTimes);
      coldStart[name] = { off: without, on: tracing };
      rows.push({
        measure: `cold start, ${name} (median ms)`,
        off: without.toFixed(0),
        on: tracing.toFixed(0),
        ratio: ratio(tracing, without),
      });
    }
    rows.push({
      measure: 'cold start, bare faas-js-runtime (floor)',
      off: median(floor).toFixed(0),
      on: '',
      ratio: '',
    });
    results.coldStartMs = { ...coldStart, bareFaasJsRuntime: median(floor), starts: plan.starts };

    // 2. Throughput and latency; 4. memory.
    const ceilingPort = await findFreePort();
    const ceiling = spawnChild('node:http hello', process.execPath, [
      '-e',
      `require('node:http').createServer((q, r) => r.end('hello')).listen(${ceilingPort})`,
    ]);
    await waitForHttp(`http://localhost:${ceilingPort}/`, { timeoutMs: 10_000, child: ceiling });
    log(`throughput: ${plan.seconds} s runs at ${plan.connections} connections…`);
    const raw = await measureLoad(`http://localhost:${ceilingPort}/`, {
      connections: plan.connections,
      seconds: plan.seconds,
      warmupSeconds: plan.warmup,
      pids: [ceiling.process.pid ?? 0],
    });
    await ceiling.stop('SIGKILL');
    const jaegerCpuSeconds = async () => {
      const stat = await readFile(`/proc/${jaeger.child.process.pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(fields[11]) + Number(fields[12])) / 100;
    };
    const jaegerCpu: Record<string, number> = {};
    const measureMode = async (mode: 'off' | 'on') => {
      const env = mode === 'on' ? on : off;
      const backend = await processes.fn('backend', cleanEnv({ ...env, ...quickLag }));
      const frontend = await processes.fn('frontend', cleanEnv({ ...env, COUNTER_ENDPOINT: backend.url }));
      const pids = [frontend.child.process.pid ?? 0, backend.child.process.pid ?? 0];
      const options = { connections: plan.connections, seconds: plan.seconds, warmupSeconds: plan.warmup };
      const cpuBefore = await jaegerCpuSeconds();
      const visits = await measureLoad(frontend.url, { ...options, pids });
      jaegerCpu[mode] = (await jaegerCpuSeconds()) - cpuBefore;
      const backendAlone = await measureLoad(backend.url, { ...options, pids: [pids[1] ?? 0] });
      await frontend.stop('SIGKILL');
      await backend.stop('SIGKILL');
      return { frontend: visits, backendAlone };
    };
    const load = { off: await measureMode('off'), on: await measureMode('on') };
    for (const [part, label] of [
      ['frontend', 'frontend visits'],
      ['backendAlone', 'backend alone (GET /)'],
    ] as const) {
      const [without, tracing] = [load.off[part], load.on[part]];
      rows.push({
        measure: `${label}, requests/s`,
        off: without.requestsPerSecond.toFixed(0),
        on: tracing.requestsPerSecond.toFixed(0),
        ratio: ratio(tracing.requestsPerSecond, without.requestsPerSecond),
      });
      rows.push({
        measure: `${label}, p50 / p99 ms`,
        off: `${without.p50Ms} / ${without.p99Ms}`,
        on: `${tracing.p50Ms} / ${tracing.p99Ms}`,
        ratio: ratio(tracing.p50Ms, without.p50Ms),
      });
    }
    rows.push({
      measure: 'node:http hello (ceiling), requests/s',
      off: raw.requestsPerSecond.toFixed(0),
      on: '',
      ratio: '',
    });
    // On this machine Jaeger shares the two cores with the functions; in a cluster it runs elsewhere.
    const cores = (mode: string) => ((jaegerCpu[mode] ?? 0) / (plan.seconds + plan.warmup)).toFixed(2);
    rows.push({ measure: 'cores Jaeger used during the frontend run', off: cores('off'), on: cores('on'), ratio: '' });
    for (const [index, name] of ['frontend', 'backend'].entries()) {
      const [without = 0, tracing = 0] = [load.off.frontend.peakRssMb[index], load.on.frontend.peakRssMb[index]];
      rows.push({
        measure: `peak RSS under load, ${name} (MB)`,
        off: without.toFixed(0),
        on: tracing.toFixed(0),
        ratio: ratio(tracing, without),
      });
    }
    results.load = {
      ...load,
      ceiling: raw,
      jaegerCpuSeconds: jaegerCpu,
      connections: plan.connections,
      seconds: plan.seconds,
    };

    // The counter in Redis: one backend, then three (tracing on).
    log(`counter in Redis: ${plan.seconds} s runs with 1 and 3 backends…`);
    const redis = await measureRedisScaleOut(processes, plan, on);
    rows.push(redis.row);
    results.redis = redis.results;

    // 3. Export completeness, after a burst at the highest sustained rate.
    log('export: a burst of visits, then counting spans in Jaeger…');
    const backend = await processes.fn('backend', cleanEnv({ ...on, ...quickLag }));
    const frontend = await processes.fn('frontend', cleanEnv({ ...on, COUNTER_ENDPOINT: backend.url }));
    // As many visits as the traced frontend answered in one run, sent as fast as it takes them.
    const visits = Math.round(load.on.frontend.requestsPerSecond * plan.seconds);
    const before = await acceptedSpans(jaeger.metricsUrl);
    const burst = await runLoad({ url: frontend.url, visits, concurrency: plan.connections });
    const answered = burst.filter((result) => result.status === 200).length;
    const created = answered * 8;
    await Promise.all([frontend.child.stop('SIGTERM', 30_000), backend.child.stop('SIGTERM', 30_000)]);
    const reached = (await settledAcceptedSpans(jaeger.metricsUrl, before + created)) - before;
    rows.push({
      measure: `spans of ${visits} visits at full speed: reached Jaeger / created`,
      off: '',
      on: `${reached} / ${created}`,
      ratio: `${created - reached} dropped`,
    });
    results.export = { visits, answered, spansCreated: created, spansReached: reached, dropped: created - reached };
  } finally {
    await processes.stopAll();
  }
  return { rows, results };
}

export function renderBenchTable(rows: readonly BenchRow[]): string {
  return renderTable(
    [
      { title: 'measure' },
      { title: 'tracing off', right: true },
      { title: 'tracing on', right: true },
      { title: 'on / off', right: true },
    ],
    rows.map((row) => [row.measure, row.off, row.on, row.ratio]),
  );
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
