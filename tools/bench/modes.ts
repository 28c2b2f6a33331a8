// The ways the benchmark runs the two functions, side by side: untraced, traced by their own
// telemetry, traced by the zero-code peer (peer.ts), and the first two again inside the memory limit
// their containers have (knative/*.yaml), each process in a memory cgroup of its own with the
// manifest's NODE_OPTIONS, as its container runs. Two more split tracing's cost in its parts, with
// the SDK's own settings: our telemetry with nothing recorded (the sampler always_off: what the
// HTTP spans' layer and the context cost alone), and with every span recorded but none exported
// (OTEL_TRACES_EXPORTER=none: the export's share is what `on` costs beyond it). Two more sample 10 % and
// 1 % of visits (OTEL_TRACES_SAMPLER=parentbased_traceidratio), what a busy service would set.
import type { ContainerLimits } from '../containers/knative-container.ts';
import type { FunctionName, RunningFunction } from '../functions/run.ts';
import type { RunningJaeger } from '../jaeger/run.ts';
import { cleanEnv, type Processes } from '../local/system.ts';
import { type CgroupMemory, createMemoryCgroup, type MemoryCgroup } from '../processes/memory-cgroup.ts';
import { ZERO_CODE_PRELOAD, zeroCodeEnv } from './peer.ts';

export type Mode =
  | 'off'
  | 'on'
  | 'peer'
  | 'offLimited'
  | 'onLimited'
  | 'unrecorded'
  | 'unexported'
  | 'sampled10'
  | 'sampled1';

/** The sampled modes' ratio: the SDK's own parent-based ratio sampler, set by its variables. */
export const SAMPLED: Partial<Record<Mode, string>> = { sampled10: '0.1', sampled1: '0.01' };

/** No lag: the benchmark measures what a visit costs, not how long the simulated slow step waits. */
export const NO_LAG = { LAG_MIN_MS: '0', LAG_MAX_MS: '0' };

export const OFF_ENV = { OTEL_SDK_DISABLED: 'true' };

export function onEnv(jaeger: RunningJaeger): NodeJS.ProcessEnv {
  return { OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpEndpoint };
}

/** What each mode sets, beyond the memory limit's NODE_OPTIONS. */
function telemetryEnv(mode: Mode, name: FunctionName, setting: PairSetting): NodeJS.ProcessEnv {
  switch (mode) {
    case 'peer':
      return zeroCodeEnv(name, setting.peerJaeger.otlpEndpoint);
    case 'off':
    case 'offLimited':
      return OFF_ENV;
    case 'unrecorded':
      return { ...onEnv(setting.jaeger), OTEL_TRACES_SAMPLER: 'always_off' };
    case 'unexported':
      return { ...onEnv(setting.jaeger), OTEL_TRACES_EXPORTER: 'none' };
    case 'sampled10':
    case 'sampled1':
      return {
        ...onEnv(setting.jaeger),
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: SAMPLED[mode],
      };
    default:
      return onEnv(setting.jaeger);
  }
}

export interface Pair {
  mode: Mode;
  backend: RunningFunction;
  frontend: RunningFunction;
  /** Frontend first. */
  pids: [number, number];
  /** The cgroups of a limited pair, frontend first. */
  cgroups?: [MemoryCgroup, MemoryCgroup];
}

export interface PairSetting {
  jaeger: RunningJaeger;
  /** The peer exports to a Jaeger of its own, so that ours counts only our spans. */
  peerJaeger: RunningJaeger;
  limits: Record<FunctionName, ContainerLimits>;
  /** Unique to this run: the cgroups' names start with it. */
  runId: string;
  /** Every cgroup made, for removal at the end whatever happened (removing one twice is harmless). */
  cgroups: MemoryCgroup[];
}

const isLimited = (mode: Mode) => mode === 'offLimited' || mode === 'onLimited';

/** Starts a backend and a frontend calling it, run the mode's way; `processes` stops them, the caller removes the cgroups. */
export async function startPair(processes: Processes, mode: Mode, setting: PairSetting): Promise<Pair> {
  const start = async (name: FunctionName, extra: NodeJS.ProcessEnv) => {
    const limited = isLimited(mode);
    const cgroup = limited
      ? await createMemoryCgroup(`${setting.runId}-${mode}-${name}`, setting.limits[name].memoryBytes)
      : undefined;
    if (cgroup) setting.cgroups.push(cgroup);
    const env = cleanEnv({
      ...telemetryEnv(mode, name, setting),
      ...(limited ? setting.limits[name].env : {}),
      ...extra,
    });
    try {
      const running = await processes.fn(name, env, {
        ...(mode === 'peer' ? { preload: ZERO_CODE_PRELOAD } : {}),
        ...(cgroup ? { cgroupProcs: cgroup.procsFile } : {}),
      });
      return { running, cgroup };
    } catch (error) {
      await cgroup?.remove().catch(() => {});
      throw error;
    }
  };
  const backend = await start('backend', NO_LAG);
  const frontend = await start('frontend', { COUNTER_ENDPOINT: backend.running.url });
  return {
    mode,
    backend: backend.running,
    frontend: frontend.running,
    pids: [frontend.running.child.process.pid ?? 0, backend.running.child.process.pid ?? 0],
    ...(frontend.cgroup && backend.cgroup ? { cgroups: [frontend.cgroup, backend.cgroup] } : {}),
  };
}

/** Stops a pair and removes its cgroups; answers what they held, frontend first. */
export async function stopPair(pair: Pair): Promise<CgroupMemory[] | undefined> {
  const memory = pair.cgroups ? await Promise.all(pair.cgroups.map((cgroup) => cgroup.read())) : undefined;
  await pair.frontend.stop('SIGKILL');
  await pair.backend.stop('SIGKILL');
  await Promise.all((pair.cgroups ?? []).map((cgroup) => cgroup.remove()));
  return memory;
}
