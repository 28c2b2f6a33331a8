// The processes a fault scenario or a benchmark runs, each on free ports, all stopped at the end.

import { startFunctionContainer } from '../containers/run.ts';
import {
  type Entry,
  type FunctionName,
  type FunctionOptions,
  functionCommand,
  functionDirectory,
  type ProcessEntry,
  type RunningFunction,
  startFunctionProcess,
  waitForFunctionOutput,
} from '../functions/run.ts';
import { locateJaeger } from '../jaeger/binary.ts';
import { freeJaegerPorts, type JaegerPorts, type RunningJaeger, startJaeger } from '../jaeger/run.ts';
import { findFreePort, onFreePorts } from '../processes/ports.ts';
import { type Child, spawnChild } from '../processes/process.ts';
import { type RedisOptions, type RunningRedis, startRedis } from '../redis/server.ts';
import { type RoundRobin, startRoundRobin } from './round-robin.ts';

/** The environment of this process, less what would change the functions. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of Object.keys(env)) {
    if (/^(OTEL_|LAG_|READ_DELAY_MS|COUNTER_|BACKEND_TIMEOUT_MS|FUNC_|K_|PORT$)/.test(name)) delete env[name];
  }
  return { ...env, ...extra };
}

export class Processes {
  readonly #stops: (() => Promise<void>)[] = [];

  /** A Jaeger on free ports (or `ports`), with its sampling strategies from `strategies` if given. */
  async jaeger(ports?: JaegerPorts, strategies?: string): Promise<RunningJaeger> {
    const binary = await locateJaeger(process.env);
    if (!binary) throw new Error('No Jaeger binary: run npm run setup first.');
    const options = strategies === undefined ? {} : { strategies };
    const jaeger = ports
      ? await startJaeger(binary, { ports, ...options })
      : await onFreePorts(async () => startJaeger(binary, { ports: await freeJaegerPorts(), ...options }));
    this.#stops.push(() => jaeger.stop());
    return jaeger;
  }

  async fn(
    name: FunctionName,
    env: NodeJS.ProcessEnv,
    {
      entry = 'faas',
      port,
      preload,
      cgroupProcs,
      samplingEndpoint,
    }: { entry?: Entry; port?: number; samplingEndpoint?: string | undefined } & Pick<
      FunctionOptions,
      'preload' | 'cgroupProcs'
    > = {},
  ) {
    const sampling = samplingEndpoint === undefined ? {} : { samplingEndpoint };
    const start = (at: number): Promise<RunningFunction> =>
      entry === 'container'
        ? startFunctionContainer(name, { port: at, env, ...sampling })
        : startFunctionProcess(name, { port: at, env, entry, preload, cgroupProcs });
    const running = port ? await start(port) : await onFreePorts(async () => start(await findFreePort()));
    this.#stops.push(() => running.stop('SIGKILL'));
    return running;
  }

  /** Backend and frontend, traced to a fresh Jaeger (spans sent every 100 ms) unless `tracing` is false. */
  async system({
    backendEnv = {},
    frontendEnv = {},
    entry = 'faas',
    tracing = true,
    jaeger: shared,
  }: {
    backendEnv?: NodeJS.ProcessEnv;
    frontendEnv?: NodeJS.ProcessEnv;
    entry?: Entry;
    tracing?: boolean;
    /** A Jaeger to export to instead of one of its own (whoever started it stops it). */
    jaeger?: RunningJaeger | undefined;
  } = {}) {
    const jaeger = tracing ? (shared ?? (await this.jaeger())) : undefined;
    const telemetry = jaeger
      ? { OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpEndpoint, OTEL_BSP_SCHEDULE_DELAY: '100' }
      : { OTEL_SDK_DISABLED: 'true' };
    // A container's manifest names the cluster's Jaeger for its sampling strategy: this one instead.
    const samplingEndpoint = jaeger?.samplingUrl;
    const backend = await this.fn('backend', cleanEnv({ ...telemetry, ...backendEnv }), { entry, samplingEndpoint });
    const frontendEnvironment = cleanEnv({ ...telemetry, COUNTER_ENDPOINT: backend.url, ...frontendEnv });
    const frontend = await this.fn('frontend', frontendEnvironment, { entry, samplingEndpoint });
    return { jaeger, backend, frontend };
  }

  /** The same, traced, for callers that read Jaeger. */
  async tracedSystem(options: { backendEnv?: NodeJS.ProcessEnv; frontendEnv?: NodeJS.ProcessEnv; entry?: Entry } = {}) {
    const system = await this.system(options);
    const { jaeger } = system;
    if (!jaeger) throw new Error('tracing was on');
    return { ...system, jaeger };
  }

  /**
   * A function process that is waited for until it says it listens, not until it is ready (which may
   * be what the caller looks at); stopped with the rest.
   */
  async unready(
    name: FunctionName,
    env: NodeJS.ProcessEnv,
    entry: ProcessEntry = 'faas',
  ): Promise<{ child: Child; url: string }> {
    const port = await findFreePort();
    const [command = process.execPath, ...args] = functionCommand(entry);
    const child = spawnChild(name, command, args, {
      cwd: functionDirectory(name),
      env: { ...env, FUNC_PORT: String(port), PORT: String(port) },
    });
    this.#stops.push(async () => {
      await child.stop('SIGKILL');
    });
    const url = `http://localhost:${port}`;
    await waitForFunctionOutput(child, url, 20_000);
    return { child, url };
  }

  /** A redis-server of its own (on a free port unless `port` is given), stopped with the rest. */
  async redis(options: Partial<RedisOptions> = {}): Promise<RunningRedis> {
    const start = async (port: number) => startRedis({ ...options, port });
    const redis = options.port ? await start(options.port) : await onFreePorts(async () => start(await findFreePort()));
    this.#stops.push(() => redis.stop('SIGKILL'));
    return redis;
  }

  /** Backends behind one address that hands each request to the next (tools/local/round-robin.ts). */
  async backends(count: number, env: NodeJS.ProcessEnv, { entry = 'faas' }: { entry?: Entry } = {}) {
    const backends = await Promise.all(Array.from({ length: count }, () => this.fn('backend', env, { entry })));
    const proxy: RoundRobin = await onFreePorts(async () =>
      startRoundRobin(
        backends.map((backend) => backend.url),
        await findFreePort(),
      ),
    );
    this.#stops.push(() => proxy.close());
    return { backends, proxy };
  }

  /**
   * The system in Redis mode: a Redis of its own (or `redis`), `backendCount` backends on it behind
   * one address, and the frontend; traced to a fresh Jaeger (spans sent every 100 ms).
   */
  async redisSystem({
    backendCount = 1,
    backendEnv = {},
    frontendEnv = {},
    entry = 'faas',
    redis: given,
  }: {
    backendCount?: number;
    backendEnv?: NodeJS.ProcessEnv;
    frontendEnv?: NodeJS.ProcessEnv;
    entry?: Entry;
    redis?: RunningRedis;
  } = {}) {
    const jaeger = await this.jaeger();
    const redis = given ?? (await this.redis());
    const telemetry = { OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpEndpoint, OTEL_BSP_SCHEDULE_DELAY: '100' };
    const { backends, proxy } = await this.backends(
      backendCount,
      cleanEnv({ ...telemetry, COUNTER_STORE: redis.url, ...backendEnv }),
      { entry },
    );
    const frontend = await this.fn(
      'frontend',
      cleanEnv({ ...telemetry, COUNTER_ENDPOINT: proxy.url, ...frontendEnv }),
      { entry },
    );
    return { jaeger, redis, backends, proxy, frontend };
  }

  async stopAll(): Promise<void> {
    for (const stop of this.#stops.reverse()) await stop();
    this.#stops.length = 0;
  }
}

/** CPU time a process has used so far (user and system), in µs, from /proc (in clock ticks of 10 ms). */
export async function cpuMicroseconds(pid: number | undefined): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // The fields after the command name, which may itself hold spaces: utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

/** Resident memory of a process, in MB, from /proc. */
export async function residentMb(pid: number | undefined): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}
