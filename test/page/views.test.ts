// What the page's API makes of traces, on traces written by hand: the visit of each (status, error,
// visitor number), the histogram, and one trace in waterfall order with its critical path.
import test from 'ava';
import type { JaegerTrace } from '../../tools/jaeger/query.ts';
import { traceView, visitOf, visitsView } from '../../tools/page/views.ts';
import { makeTrace } from '../helpers/traces.ts';

function withTags(trace: JaegerTrace, tags: Record<string, Record<string, unknown>>): JaegerTrace {
  for (const span of trace.spans) {
    for (const [key, value] of Object.entries(tags[span.spanID] ?? {})) {
      span.tags.push({ key, type: typeof value === 'number' ? 'int64' : typeof value, value });
    }
  }
  return trace;
}

const visit = () =>
  makeTrace([
    ['root', 'GET /', 1_000_000, 1_250_000],
    ['post', 'POST', 1_010_000, 1_240_000, 'root'],
    ['lag', 'simulate lag', 1_020_000, 1_230_000, 'post', 'p2'],
    ['increase', 'increase counter', 1_230_000, 1_230_050, 'post', 'p2'],
  ]);

test('a visit: its start, its whole duration, the status of its root, and the number the visitor was told', (t) => {
  const trace = withTags(visit(), {
    root: { 'http.response.status_code': 200 },
    increase: { 'counter.value': 8 },
  });
  t.like(visitOf(trace), {
    traceId: 't1',
    startMs: 1000,
    durationMs: 250,
    duration: '250.0 ms',
    status: 200,
    error: false,
    visitor: 7,
    spans: 4,
  });
});

for (const [tags, error] of [
  [{ root: { 'otel.status_code': 'ERROR' } }, true],
  [{ post: { error: true } }, true],
  [{ post: { 'otel.status_code': 'OK' } }, false],
] as const) {
  test(`error: ${JSON.stringify(tags)} → ${error}`, (t) => {
    const found = visitOf(withTags(visit(), tags));
    t.is(found.error, error);
    t.is(found.visitor, undefined, 'no increase value, no visitor number');
    t.is(found.status, undefined);
  });
}

test('the histogram holds every visit; none at all gives an empty list', (t) => {
  const traces = [100, 200, 300, 1_400].map((ms, index) => makeTrace([['root', 'GET /', 0, ms * 1000]], `t${index}`));
  const view = visitsView(traces);
  t.is(view.visits.length, 4);
  t.is(
    view.histogram.reduce((sum, bin) => sum + bin.count, 0),
    4,
  );
  t.is(view.histogram[0]?.fromLabel, '100.0 ms');
  t.is(view.histogram.at(-1)?.toLabel, '1.40 s');
  t.deepEqual(visitsView([]), { visits: [], histogram: [] });
});

test('one trace: parents before children, depths, offsets, the critical path and its sections', (t) => {
  const view = traceView(visit());
  t.deepEqual(
    view.spans.map((span) => [span.spanId, span.depth, span.service, span.offsetUs, span.critical]),
    [
      ['root', 0, 'frontend', 0, true],
      ['post', 1, 'frontend', 10_000, true],
      ['lag', 2, 'backend', 20_000, true],
      ['increase', 2, 'backend', 230_000, true],
    ],
  );
  t.deepEqual(view.spans[2]?.sections, [{ startUs: 20_000, endUs: 230_000 }]);
  t.like(view, { traceId: 't1', durationUs: 250_000, duration: '250.0 ms', services: ['frontend', 'backend'] });
});
