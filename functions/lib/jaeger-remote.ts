// Jaeger's remote sampling through @opentelemetry/sampler-jaeger-remote, with what it lacks made up
// here. The package polls Jaeger (GET <endpoint>/sampling?service=<name>) from a setInterval that it
// starts in its constructor, never unrefs and never clears, and whose first run comes only after a
// whole interval: a function would sample by the initial rate for a minute, and the timer would hold a
// process that has nothing else to do. So the constructor's timer is taken (the global setInterval is
// swapped for the duration of that one synchronous call) and replaced by one of ours that runs the
// package's own poll: once at once, not awaited, so start-up and the first request never wait for
// Jaeger; then every interval, unref'd, and cleared by stop().
//
// What the package follows: a probabilistic strategy, with or without per-operation probabilities.
// Not rate-limiting strategies (it keeps its sampler and warns "Strategy ... not supported"). And, with
// Jaeger v2's HTTP answer, whose strategyType is a number (0), not the string it compares with, only
// strategies that have a per-operation part: docs/sampling.md says how to write them.
import { type Sampler, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace';
import type { RemoteSettings, Warn } from './sampler.ts';

export interface RemoteSamplerOptions extends RemoteSettings {
  serviceName: string;
  warn: Warn;
}

export interface RemoteSampler {
  sampler: Sampler;
  /** The probability a root span of this name is sampled at now; undefined if it cannot be told. */
  probabilityOf(spanName: string): number | undefined;
  /** Resolves after each poll (the first one at start, then every interval): for tests and logs. */
  polled(): Promise<void>;
  stop(): void;
}

/** The probabilities the package samples by: a default, and some operations' own. */
export interface Probabilities {
  fallback: number;
  operations: ReadonlyMap<string, number>;
}

const RATIO = /^TraceIdRatioBased\{([^}]*)\}/;

/**
 * What the package's sampler samples by, read from its description (toString, which it exists to
 * give): `ParentBased{root=TraceIdRatioBased{p}, ...}` for a probabilistic strategy,
 * `ParentBased{root=PerOperationSampler{default=TraceIdRatioBased{p}, perOperationSamplers={GET=TraceIdRatioBased{q},...}}, ...}`
 * for per-operation ones, and our initial `TraceIdRatioBased{p}` until a strategy arrives.
 */
export function probabilitiesOf(description: string): Probabilities | undefined {
  const at = description.indexOf(' sampler=');
  if (at < 0) return undefined;
  let sampler = description.slice(at + ' sampler='.length);
  if (sampler.startsWith('ParentBased{root=')) sampler = sampler.slice('ParentBased{root='.length);
  const plain = RATIO.exec(sampler);
  if (plain) return { fallback: Number(plain[1]), operations: new Map() };
  // The map's entries end with a brace of their own: `{GET=TraceIdRatioBased{0.5},POST=...{1}}}`.
  const perOperation =
    /^PerOperationSampler\{default=TraceIdRatioBased\{([^}]*)\}, perOperationSamplers=\{((?:.*?\})?)\}\}/.exec(sampler);
  if (!perOperation) return undefined;
  const operations = new Map<string, number>();
  for (const entry of (perOperation[2] ?? '').matchAll(/(?:^|,)(.*?)=TraceIdRatioBased\{([^}]*)\}/g)) {
    operations.set(entry[1] ?? '', Number(entry[2]));
  }
  return { fallback: Number(perOperation[1]), operations };
}

/** Runs `construct` while catching the one setInterval it starts: its callback and its timer. */
function catchInterval<T>(construct: () => T): { made: T; poll: () => unknown; timer: NodeJS.Timeout } {
  const original = globalThis.setInterval;
  let caught: { poll: () => unknown; timer: NodeJS.Timeout } | undefined;
  globalThis.setInterval = ((callback: () => unknown, ms?: number) => {
    const timer = original(callback, ms);
    caught = { poll: callback, timer };
    return timer;
  }) as typeof setInterval;
  try {
    const made = construct();
    if (!caught) {
      throw new Error(
        '@opentelemetry/sampler-jaeger-remote started no setInterval in its constructor: this version polls differently, and jaeger-remote.ts must follow it.',
      );
    }
    return { made, ...caught };
  } finally {
    globalThis.setInterval = original;
  }
}

export async function startJaegerRemoteSampler({
  endpoint,
  pollingIntervalMs,
  initialSamplingRate,
  serviceName,
  warn,
}: RemoteSamplerOptions): Promise<RemoteSampler> {
  // Imported only here, and left out of the bundle (the build's --external): it brings a second copy
  // of the SDK's tracing (2.x, some 470 KB bundled), which would weigh on every cold start.
  const { JaegerRemoteSampler } = await import('@opentelemetry/sampler-jaeger-remote');
  const {
    made: remote,
    poll,
    timer,
  } = catchInterval(
    () =>
      new JaegerRemoteSampler({
        endpoint,
        serviceName,
        poolingInterval: pollingIntervalMs,
        initialSampler: new TraceIdRatioBasedSampler(initialSamplingRate),
      }),
  );
  clearInterval(timer);
  let current: Probabilities | undefined = { fallback: initialSamplingRate, operations: new Map() };
  // The package's samplers made from a strategy are ParentBased; the initial one is not.
  let followed = false;
  let warned = false;
  let waiting: (() => void)[] = [];

  const refresh = async () => {
    try {
      // The package's own poll: it fetches, replaces its sampler, and logs a failure through diag.
      await poll();
    } finally {
      const description = remote.toString();
      current = probabilitiesOf(description);
      const nowFollowed = description.includes(' sampler=ParentBased{');
      if (nowFollowed && !followed && warned) {
        warn(`Jaeger's sampling strategy for ${serviceName} at ${endpoint} is followed now.`);
      } else if (!nowFollowed && !warned) {
        warned = true;
        warn(
          `Jaeger's sampling strategy for ${serviceName} at ${endpoint} is not followed yet: sampling with initialSamplingRate ${initialSamplingRate} until it is. Either Jaeger did not answer, or its strategy has no per-operation part, which @opentelemetry/sampler-jaeger-remote needs from Jaeger v2 (docs/sampling.md).`,
        );
      }
      followed = nowFollowed;
      for (const resolve of waiting) resolve();
      waiting = [];
    }
  };
  void refresh();
  const ours = setInterval(() => void refresh(), pollingIntervalMs);
  ours.unref();

  return {
    // The package implements the Sampler of its own copy of the SDK (2.x), the same shape as ours.
    sampler: remote as unknown as Sampler,
    probabilityOf: (spanName) => (current ? (current.operations.get(spanName) ?? current.fallback) : undefined),
    polled: () => new Promise((resolve) => waiting.push(resolve)),
    stop: () => clearInterval(ours),
  };
}
