// Generated from functions/lib/sampler.ts by tools/commands/generate-lib.ts (npm run build): do not edit.
// The sampler, from OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG as the OpenTelemetry SDK
// environment specification names them, read once at start-up. Unset, there is none of ours: NodeSDK
// keeps its default (parentbased_always_on). Set, every value the SDK knows means what it means there,
// and a root span sampled here records its probability as Jaeger's own tags (sampler.type,
// sampler.param), which Jaeger's adaptive sampling and npm run diagnose read. The remote values
// (jaeger_remote, parentbased_jaeger_remote) follow Jaeger's sampling strategies: ./jaeger-remote.ts.
import { type Attributes, type Context, isSpanContextValid, type Link, type SpanKind, trace } from '@opentelemetry/api';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  type Sampler,
  SamplingDecision,
  type SamplingResult,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace';

/** Jaeger's tag names for how a trace was sampled; Jaeger's adaptive sampling reads them on root spans. */
export const ATTR_SAMPLER_TYPE = 'sampler.type';
export const ATTR_SAMPLER_PARAM = 'sampler.param';

const STANDARD = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;
const REMOTE = ['jaeger_remote', 'parentbased_jaeger_remote'] as const;
export const SAMPLER_NAMES: readonly string[] = [...STANDARD, ...REMOTE];

/** The SDK's default, and what an unknown name falls back to. */
export const DEFAULT_SAMPLER = 'parentbased_always_on';
/** The specification's default ratio, and what a bad one falls back to (as NodeSDK does). */
export const DEFAULT_RATIO = 1;

export interface RemoteSettings {
  /** Jaeger's sampling endpoint over HTTP (the remote_sampling extension's, port 5778); /sampling is added. */
  endpoint: string;
  pollingIntervalMs: number;
  /** The probability of the traces started before the first strategy arrives. */
  initialSamplingRate: number;
}

/**
 * The specification's defaults, but the endpoint: it names Jaeger's gRPC port (14250), and the package
 * asks Jaeger over HTTP, which Jaeger v2's remote_sampling extension serves at 5778.
 */
export const DEFAULT_REMOTE: RemoteSettings = {
  endpoint: 'http://localhost:5778',
  pollingIntervalMs: 60_000,
  initialSamplingRate: 0.001,
};
/** Polling faster than this would be a request per visit; slower than this, setInterval cannot wait. */
const POLLING_BOUNDS = { min: 100, max: 2_147_483_647 };

export type SamplerSettings =
  | { name: 'always_on' | 'always_off' | 'parentbased_always_on' | 'parentbased_always_off' }
  | { name: 'traceidratio' | 'parentbased_traceidratio'; ratio: number }
  | { name: 'jaeger_remote' | 'parentbased_jaeger_remote'; remote: RemoteSettings };

/** One line for the log: what was wrong, and what is used instead. */
export type Warn = (line: string) => void;

const quoted = (value: string) => JSON.stringify(value);

function readProbability(raw: string): number | undefined {
  const value = Number(raw);
  return raw.trim() !== '' && Number.isFinite(value) && value >= 0 && value <= 1 ? value : undefined;
}

function readRatio(raw: string | undefined, warn: Warn): number {
  if (raw === undefined || raw.trim() === '') return DEFAULT_RATIO;
  const ratio = readProbability(raw);
  if (ratio !== undefined) return ratio;
  warn(`OTEL_TRACES_SAMPLER_ARG is ${quoted(raw)}: expected a probability from 0 to 1; using ${DEFAULT_RATIO}.`);
  return DEFAULT_RATIO;
}

/** The endpoint as the package wants it: an http(s) URL without a trailing slash. */
function readEndpoint(raw: string): string | undefined {
  try {
    const url = new URL(raw);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href.replace(/\/+$/, '') : undefined;
  } catch {
    return undefined;
  }
}

function readPollingInterval(raw: string): number | undefined {
  const value = Number(raw);
  return /^\d+$/.test(raw) && value >= POLLING_BOUNDS.min && value <= POLLING_BOUNDS.max ? value : undefined;
}

const REMOTE_KEYS: Record<
  keyof RemoteSettings,
  { read: (raw: string) => number | string | undefined; expected: string }
> = {
  endpoint: { read: readEndpoint, expected: 'an http:// or https:// URL' },
  pollingIntervalMs: {
    read: readPollingInterval,
    expected: `a whole number of ms from ${POLLING_BOUNDS.min} to ${POLLING_BOUNDS.max}`,
  },
  initialSamplingRate: { read: readProbability, expected: 'a probability from 0 to 1' },
};

/**
 * The specification's `endpoint=<url>,pollingIntervalMs=<n>,initialSamplingRate=<p>`, each optional.
 * Every part that is wrong is named in one warning, and takes its default.
 */
export function readRemoteSettings(raw: string | undefined, warn: Warn): RemoteSettings {
  const settings: RemoteSettings = { ...DEFAULT_REMOTE };
  if (raw === undefined || raw.trim() === '') return settings;
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const part of raw.split(',')) {
    const pair = part.trim();
    if (pair === '') continue;
    const equals = pair.indexOf('=');
    const key = equals < 0 ? '' : pair.slice(0, equals).trim();
    const value = equals < 0 ? '' : pair.slice(equals + 1).trim();
    if (!Object.hasOwn(REMOTE_KEYS, key)) {
      problems.push(
        equals < 0
          ? `${quoted(pair)} is not key=value (ignored)`
          : `${quoted(key)} is no key of jaeger_remote's: endpoint, pollingIntervalMs or initialSamplingRate (ignored)`,
      );
      continue;
    }
    const name = key as keyof RemoteSettings;
    if (seen.has(name)) problems.push(`${name} is given twice (the last one counts)`);
    seen.add(name);
    const parsed = REMOTE_KEYS[name].read(value);
    if (parsed === undefined) {
      settings[name] = DEFAULT_REMOTE[name] as never;
      problems.push(`${name} ${quoted(value)} is not ${REMOTE_KEYS[name].expected} (using ${DEFAULT_REMOTE[name]})`);
    } else {
      settings[name] = parsed as never;
    }
  }
  if (problems.length > 0) warn(`OTEL_TRACES_SAMPLER_ARG is ${quoted(raw)}: ${problems.join('; ')}.`);
  return settings;
}

/** The sampler's settings, or undefined when OTEL_TRACES_SAMPLER is unset: NodeSDK's default then. */
export function readSamplerSettings(env: NodeJS.ProcessEnv, warn: Warn): SamplerSettings | undefined {
  const raw = env.OTEL_TRACES_SAMPLER;
  if (raw === undefined || raw.trim() === '') return undefined;
  const name = raw.trim().toLowerCase();
  const arg = env.OTEL_TRACES_SAMPLER_ARG;
  switch (name) {
    case 'always_on':
    case 'always_off':
    case 'parentbased_always_on':
    case 'parentbased_always_off':
      return { name };
    case 'traceidratio':
    case 'parentbased_traceidratio':
      return { name, ratio: readRatio(arg, warn) };
    case 'jaeger_remote':
    case 'parentbased_jaeger_remote':
      return { name, remote: readRemoteSettings(arg, warn) };
    default:
      warn(
        `OTEL_TRACES_SAMPLER is ${quoted(raw)}: expected one of ${SAMPLER_NAMES.join(', ')}; using ${DEFAULT_SAMPLER}.`,
      );
      return { name: DEFAULT_SAMPLER };
  }
}

/**
 * Tags the root spans that `inner` samples with the probability they were sampled at, as Jaeger's
 * clients did: only where the decision was made here, never on a span that had a parent to follow.
 */
export class RootProbabilitySampler implements Sampler {
  readonly #inner: Sampler;
  readonly #probabilityOf: (spanName: string) => number | undefined;

  constructor(inner: Sampler, probabilityOf: (spanName: string) => number | undefined) {
    this.#inner = inner;
    this.#probabilityOf = probabilityOf;
  }

  shouldSample(
    context: Context,
    traceId: string,
    spanName: string,
    spanKind: SpanKind,
    attributes: Attributes,
    links: Link[],
  ): SamplingResult {
    const result = this.#inner.shouldSample(context, traceId, spanName, spanKind, attributes, links);
    if (result.decision !== SamplingDecision.RECORD_AND_SAMPLED) return result;
    const parent = trace.getSpanContext(context);
    if (parent && isSpanContextValid(parent)) return result;
    const probability = this.#probabilityOf(spanName);
    if (probability === undefined) return result;
    return {
      ...result,
      attributes: { ...result.attributes, [ATTR_SAMPLER_TYPE]: 'probabilistic', [ATTR_SAMPLER_PARAM]: probability },
    };
  }

  toString(): string {
    return `RootProbability{${this.#inner.toString()}}`;
  }
}

export interface ChosenSampler {
  sampler: Sampler;
  /** Stops what the sampler runs in the background (the remote one's polling). */
  stop(): void;
}

const parentBased = (root: Sampler): Sampler => new ParentBasedSampler({ root });
const fixed = (sampler: Sampler): ChosenSampler => ({ sampler, stop: () => {} });

/** The sampler for the settings; `serviceName` is whose strategy a remote one asks Jaeger for. */
export async function createSampler(
  settings: SamplerSettings,
  serviceName: string,
  warn: Warn,
): Promise<ChosenSampler> {
  switch (settings.name) {
    case 'always_on':
      return fixed(new RootProbabilitySampler(new AlwaysOnSampler(), () => 1));
    case 'parentbased_always_on':
      return fixed(parentBased(new RootProbabilitySampler(new AlwaysOnSampler(), () => 1)));
    case 'always_off':
      return fixed(new AlwaysOffSampler());
    case 'parentbased_always_off':
      return fixed(parentBased(new AlwaysOffSampler()));
    case 'traceidratio':
    case 'parentbased_traceidratio': {
      const { ratio } = settings;
      const root = new RootProbabilitySampler(new TraceIdRatioBasedSampler(ratio), () => ratio);
      return fixed(settings.name === 'traceidratio' ? root : parentBased(root));
    }
    case 'jaeger_remote':
    case 'parentbased_jaeger_remote': {
      const { startJaegerRemoteSampler } = await import('./jaeger-remote.ts');
      const remote = await startJaegerRemoteSampler({ ...settings.remote, serviceName, warn });
      const root = new RootProbabilitySampler(remote.sampler, remote.probabilityOf);
      return { sampler: settings.name === 'jaeger_remote' ? root : parentBased(root), stop: remote.stop };
    }
  }
}
