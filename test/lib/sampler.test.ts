// OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG read as the SDK environment specification says,
// one warning line for each bad value with its fallback, and the sampling probability recorded on the
// root spans sampled here (a real tracer provider, spans kept in memory), never on a parent's follower.
import { context, propagation, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import test from 'ava';
import {
  createSampler,
  DEFAULT_REMOTE,
  readSamplerSettings,
  type SamplerSettings,
} from '../../functions/backend/src/lib/sampler.ts';
import { installMemoryTracing, installW3cPropagation } from '../helpers/tracing.ts';

const read = (env: NodeJS.ProcessEnv) => {
  const warnings: string[] = [];
  const settings = readSamplerSettings(env, (line) => warnings.push(line));
  return { settings, warnings };
};

const cases: [string, NodeJS.ProcessEnv, SamplerSettings | undefined, RegExp?][] = [
  ['unset: none of ours, the SDK default', {}, undefined],
  ['blank: the same', { OTEL_TRACES_SAMPLER: ' ' }, undefined],
  ['always_on', { OTEL_TRACES_SAMPLER: 'always_on' }, { name: 'always_on' }],
  ['names are trimmed, in any case', { OTEL_TRACES_SAMPLER: ' Always_Off ' }, { name: 'always_off' }],
  ['parentbased_always_off', { OTEL_TRACES_SAMPLER: 'parentbased_always_off' }, { name: 'parentbased_always_off' }],
  [
    'parentbased_traceidratio 0.1',
    { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1' },
    { name: 'parentbased_traceidratio', ratio: 0.1 },
  ],
  ['traceidratio with no ARG: 1', { OTEL_TRACES_SAMPLER: 'traceidratio' }, { name: 'traceidratio', ratio: 1 }],
  [
    'a ratio above 1: a warning, and 1',
    { OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '10' },
    { name: 'traceidratio', ratio: 1 },
    /^OTEL_TRACES_SAMPLER_ARG is "10": expected a probability from 0 to 1; using 1\.$/,
  ],
  [
    'a ratio that is no number: a warning, and 1',
    { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '10%' },
    { name: 'parentbased_traceidratio', ratio: 1 },
    /^OTEL_TRACES_SAMPLER_ARG is "10%": expected a probability from 0 to 1; using 1\.$/,
  ],
  [
    'an unknown name: a warning, and parentbased_always_on',
    { OTEL_TRACES_SAMPLER: 'sometimes' },
    { name: 'parentbased_always_on' },
    /^OTEL_TRACES_SAMPLER is "sometimes": expected one of always_on, .*, parentbased_jaeger_remote; using parentbased_always_on\.$/,
  ],
  [
    'jaeger_remote with no ARG: the defaults',
    { OTEL_TRACES_SAMPLER: 'jaeger_remote' },
    { name: 'jaeger_remote', remote: DEFAULT_REMOTE },
  ],
  [
    'parentbased_jaeger_remote with every key',
    {
      OTEL_TRACES_SAMPLER: 'parentbased_jaeger_remote',
      OTEL_TRACES_SAMPLER_ARG: 'endpoint=http://jaeger:5778/, pollingIntervalMs=5000,initialSamplingRate=0.25',
    },
    {
      name: 'parentbased_jaeger_remote',
      remote: { endpoint: 'http://jaeger:5778', pollingIntervalMs: 5000, initialSamplingRate: 0.25 },
    },
  ],
  [
    'a malformed ARG: one warning naming each bad part, and the defaults for them',
    {
      OTEL_TRACES_SAMPLER: 'parentbased_jaeger_remote',
      OTEL_TRACES_SAMPLER_ARG: 'endpoint=ftp://jaeger,pollingIntervalMs=soon,initialSamplingRate=0.5,rate=1,oops',
    },
    {
      name: 'parentbased_jaeger_remote',
      remote: { ...DEFAULT_REMOTE, initialSamplingRate: 0.5 },
    },
    /^OTEL_TRACES_SAMPLER_ARG is ".*": endpoint "ftp:\/\/jaeger" is not an http:\/\/ or https:\/\/ URL \(using http:\/\/localhost:5778\); pollingIntervalMs "soon" is not a whole number of ms from 100 to 2147483647 \(using 60000\); "rate" is no key of jaeger_remote's: endpoint, pollingIntervalMs or initialSamplingRate \(ignored\); "oops" is not key=value \(ignored\)\.$/,
  ],
  [
    'an initial rate out of range',
    { OTEL_TRACES_SAMPLER: 'jaeger_remote', OTEL_TRACES_SAMPLER_ARG: 'initialSamplingRate=2' },
    { name: 'jaeger_remote', remote: DEFAULT_REMOTE },
    /initialSamplingRate "2" is not a probability from 0 to 1 \(using 0\.001\)\.$/,
  ],
];

for (const [what, env, expected, warning] of cases) {
  test(`readSamplerSettings: ${what}`, (t) => {
    const { settings, warnings } = read(env);
    t.deepEqual(settings, expected);
    if (warning) {
      t.is(warnings.length, 1, warnings.join('\n'));
      t.regex(warnings[0] ?? '', warning);
    } else {
      t.deepEqual(warnings, []);
    }
  });
}

const exporter = installMemoryTracing();
installW3cPropagation();
const SAMPLER_TAGS = ['sampler.type', 'sampler.param'];

/** Spans from a provider with this sampler: a root, its child, and a span under a caller's traceparent. */
async function spansWith(settings: SamplerSettings, roots = 1): Promise<ReadableSpan[]> {
  const { sampler } = await createSampler(settings, 'test', () => {});
  const { TracerProvider, SimpleSpanProcessor } = await import('@opentelemetry/sdk-trace');
  const provider = new TracerProvider({ sampler, spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const tracer = provider.getTracer('test');
  exporter.reset();
  for (let index = 0; index < roots; index += 1) {
    const root = tracer.startSpan('root');
    tracer.startSpan('child', {}, trace.setSpan(context.active(), root)).end();
    root.end();
  }
  const caller = propagation.extract(ROOT_CONTEXT, {
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
  });
  tracer.startSpan('follower', {}, caller).end();
  return exporter.getFinishedSpans();
}

const tagsOf = (span: ReadableSpan) => SAMPLER_TAGS.map((key) => span.attributes[key]);

test.serial(
  'parentbased_traceidratio 1: the root records probabilistic 1; its child and a parent follower nothing',
  async (t) => {
    const spans = await spansWith({ name: 'parentbased_traceidratio', ratio: 1 });
    t.deepEqual(
      spans.map((span) => [span.name, ...tagsOf(span)]),
      [
        ['child', undefined, undefined],
        ['root', 'probabilistic', 1],
        ['follower', undefined, undefined],
      ],
    );
  },
);

test.serial('parentbased_traceidratio 0.5: every root sampled records 0.5, and about half are', async (t) => {
  const spans = await spansWith({ name: 'parentbased_traceidratio', ratio: 0.5 }, 400);
  const roots = spans.filter((span) => span.name === 'root');
  t.true(roots.every((span) => span.attributes['sampler.param'] === 0.5));
  // Binomial(400, 0.5): mean 200, σ 10; five σ either side cannot flake.
  t.true(roots.length >= 150 && roots.length <= 250, `${roots.length} of 400 sampled`);
  t.is(spans.filter((span) => span.name === 'child').length, roots.length, 'a child follows its root');
});

test.serial('parentbased_always_on records probability 1; parentbased_always_off samples only followers', async (t) => {
  const on = await spansWith({ name: 'parentbased_always_on' });
  t.deepEqual(tagsOf(on.find((span) => span.name === 'root') as ReadableSpan), ['probabilistic', 1]);
  const off = await spansWith({ name: 'parentbased_always_off' });
  t.deepEqual(
    off.map((span) => [span.name, ...tagsOf(span)]),
    [['follower', undefined, undefined]],
  );
});

test.serial('always_off samples nothing, not even under a sampled caller', async (t) => {
  t.deepEqual(await spansWith({ name: 'always_off' }), []);
});

test.serial(
  'traceidratio and always_on, not parent-based: children decided again, yet only the root is tagged',
  async (t) => {
    for (const settings of [{ name: 'traceidratio', ratio: 1 }, { name: 'always_on' }] as const) {
      const spans = await spansWith(settings);
      t.deepEqual(
        spans.map((span) => [span.name, ...tagsOf(span)]),
        [
          ['child', undefined, undefined],
          ['root', 'probabilistic', 1],
          ['follower', undefined, undefined],
        ],
        settings.name,
      );
    }
  },
);
