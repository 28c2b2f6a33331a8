// OTEL_TRACES_SAMPLER on the real functions, with a real Jaeger: parentbased_traceidratio 0.1 samples
// about a tenth of the visits, each sampled one whole in Jaeger with its probability on the root span
// alone, and nothing of the others; always_off samples none.
import test from 'ava';
import { fetchTraces } from '../../tools/jaeger/query.ts';
import { runLoad } from '../../tools/load/run.ts';
import { waitForWholeTraces } from '../../tools/load/traces.ts';
import { type JaegerTrace, parentOf, serviceOf, tag } from '../helpers/jaeger-api.ts';
import { startTestSystem } from '../helpers/system.ts';
import { VISIT_SPANS } from '../helpers/traces.ts';

/** Binomial bounds five standard deviations either side of the mean: a test that cannot flake. */
function fiveSigma(visits: number, probability: number): { low: number; high: number } {
  const mean = visits * probability;
  const sigma = Math.sqrt(visits * probability * (1 - probability));
  return { low: Math.max(0, Math.ceil(mean - 5 * sigma)), high: Math.floor(mean + 5 * sigma) };
}

const samplerTags = (trace: JaegerTrace) =>
  trace.spans.flatMap((span) =>
    tag(span, 'sampler.type') === undefined && tag(span, 'sampler.param') === undefined
      ? []
      : [`${serviceOf(trace, span)} ${span.operationName} ${tag(span, 'sampler.type')} ${tag(span, 'sampler.param')}`],
  );

test('parentbased_traceidratio 0.1: about 10 % of 300 visits sampled, each whole with sampler.param on its root alone', async (t) => {
  const sampler = { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1' };
  const { frontend, jaeger } = await startTestSystem(t, {
    backendEnv: { ...sampler, LAG_MIN_MS: '0', LAG_MAX_MS: '0' },
    frontendEnv: sampler,
  });
  if (!jaeger) throw new Error('tracing is on in this test');
  const visits = 300;
  const results = await runLoad({ url: frontend.url, visits, concurrency: 10 });
  t.deepEqual(
    results.filter((result) => result.status !== 200),
    [],
  );
  const sampled = results.filter((result) => result.sampled).map((result) => result.traceId ?? '');
  const { low, high } = fiveSigma(visits, 0.1);
  t.true(
    sampled.length >= low && sampled.length <= high,
    `${sampled.length} of ${visits} sampled: not in [${low}, ${high}]`,
  );
  t.log(`${sampled.length} of ${visits} visits sampled (5σ bounds ${low} to ${high})`);

  const wait = await waitForWholeTraces({ queryUrl: jaeger.queryUrl, traceIds: sampled, timeoutMs: 20_000 });
  t.is(wait.whole, sampled.length, JSON.stringify(wait));
  // Jaeger holds those traces and no other: the unsampled visits recorded nothing, in either function.
  const traces = await fetchTraces(jaeger.queryUrl, 'frontend', 1000);
  t.deepEqual(traces.map((trace) => trace.traceID).sort(), [...sampled].sort());
  t.deepEqual((await fetchTraces(jaeger.queryUrl, 'backend', 1000)).length, sampled.length);
  for (const trace of traces) {
    t.deepEqual(trace.spans.map((span) => `${serviceOf(trace, span)} ${span.operationName}`).sort(), VISIT_SPANS);
    // The frontend's server span made the decision; every other span followed a parent.
    const root = trace.spans.find((span) => !parentOf(trace, span));
    t.is(root && `${serviceOf(trace, root)} ${root.operationName}`, 'frontend GET /');
    t.deepEqual(samplerTags(trace), ['frontend GET / probabilistic 0.1'], trace.traceID);
  }
});

test('always_off: no visit sampled, nothing in Jaeger; the backend, on the default sampler, follows', async (t) => {
  const { frontend, backend, jaeger } = await startTestSystem(t, {
    backendEnv: { LAG_MIN_MS: '0', LAG_MAX_MS: '0' },
    frontendEnv: { OTEL_TRACES_SAMPLER: 'always_off' },
  });
  if (!jaeger) throw new Error('tracing is on in this test');
  const results = await runLoad({ url: frontend.url, visits: 20, concurrency: 4 });
  t.deepEqual(
    results.map((result) => [result.status, result.sampled]),
    results.map(() => [200, false]),
  );
  // A control the test can wait for: one request straight to the backend, which samples it as a root
  // (the default sampler). Its spans leave after those of the visits, on the same schedule.
  const direct = await fetch(backend.url);
  t.is(direct.status, 200);
  const control = /^00-([0-9a-f]{32})-[0-9a-f]{16}-01$/.exec(direct.headers.get('traceresponse') ?? '')?.[1] ?? '';
  t.truthy(control, 'the backend sampled the request made to it alone');
  const wait = await waitForWholeTraces({ queryUrl: jaeger.queryUrl, traceIds: [control], timeoutMs: 20_000 });
  t.is(wait.whole, 1);
  t.deepEqual(await fetchTraces(jaeger.queryUrl, 'frontend', 100), []);
  const backendTraces = await fetchTraces(jaeger.queryUrl, 'backend', 100);
  t.deepEqual(
    backendTraces.map((trace) => trace.traceID),
    [control],
    'the backend recorded none of the visits: it followed their -00',
  );
});
