import test from 'ava';
import type { JaegerSpan, JaegerTrace } from '../../tools/jaeger/query.ts';
import { drawWaterfall, formatDuration, orderSpans } from '../../tools/report/waterfall.ts';

function span(id: string, name: string, start: number, duration: number, parent?: string, process = 'p1'): JaegerSpan {
  return {
    traceID: 't1',
    spanID: id,
    operationName: name,
    references: parent ? [{ refType: 'CHILD_OF', traceID: 't1', spanID: parent }] : [],
    startTime: start,
    duration,
    tags: name === 'broken' ? [{ key: 'otel.status_code', type: 'string', value: 'ERROR' }] : [],
    logs: [],
    processID: process,
  };
}

// Listed out of order on purpose: Jaeger does not sort them.
const trace: JaegerTrace = {
  traceID: 't1',
  processes: { p1: { serviceName: 'frontend' }, p2: { serviceName: 'backend' } },
  spans: [
    span('c', 'slow', 2000, 8000, 'b', 'p2'),
    span('a', 'root', 0, 10_000),
    span('d', 'broken', 500, 500, 'a'),
    span('b', 'call', 1000, 9000, 'a'),
  ],
};

test('orders spans parent first, siblings by start time, with their depth', (t) => {
  t.deepEqual(
    orderSpans(trace).map(({ span: one, depth }) => `${depth}${one.operationName}`),
    ['0root', '1broken', '1call', '2slow'],
  );
});

test('draws each span on the trace time line, marking errors and chosen spans', (t) => {
  t.is(
    drawWaterfall(trace, { barWidth: 10, marked: new Set(['a', 'b', 'c']) }),
    [
      'Trace t1  10.0 ms  4 spans  services: backend, frontend',
      '▶ frontend  root              10.0 ms │██████████│',
      '  frontend    broken (error)   500 µs │█         │',
      '▶ frontend    call             9.0 ms │ █████████│',
      '▶ backend       slow           8.0 ms │  ████████│',
    ].join('\n'),
  );
});

test('a span whose parent is missing is drawn as a root, not dropped', (t) => {
  const orphaned = { ...trace, spans: [span('x', 'orphan', 0, 10, 'missing')] };
  t.deepEqual(
    orderSpans(orphaned).map(({ span: one }) => one.operationName),
    ['orphan'],
  );
});

test('durations read in the unit that fits', (t) => {
  t.is(formatDuration(999), '999 µs');
  t.is(formatDuration(1500), '1.5 ms');
  t.is(formatDuration(2_345_678), '2.35 s');
});
