import test from 'ava';
import { diagnose } from '../../tools/diagnose/analyze.ts';
import { makeTrace } from '../helpers/traces.ts';

/** A visit like ours: frontend GET / → POST → backend POST / → simulate lag of `lag` µs, then `tail` µs more. */
function visit(id: string, lag: number, read = 10) {
  const lagStart = 20 + read;
  const lagEnd = lagStart + lag;
  return makeTrace(
    [
      ['a', 'GET /', 0, lagEnd + 20, undefined, 'p1'],
      ['b', 'GET', 5, 15 + read, 'a', 'p1'],
      ['c', 'read counter', 8, 12 + read, 'b', 'p2'],
      ['d', 'POST', lagStart - 4, lagEnd + 10, 'a', 'p1'],
      ['e', 'POST /', lagStart - 2, lagEnd + 5, 'd', 'p2'],
      ['f', 'simulate lag', lagStart, lagEnd, 'e', 'p2'],
    ],
    id,
  );
}

test('names the step that holds most of the critical path, and sees when it varies widely', (t) => {
  const lags = [1_000_000, 2_000_000, 5_000_000, 9_000_000, 3_000_000, 7_000_000];
  const diagnosis = diagnose(lags.map((lag, index) => visit(`t${index}`, lag)));
  t.is(diagnosis.traces, 6);
  t.like(diagnosis.bottleneck, {
    service: 'backend',
    operation: 'simulate lag',
    variesWidely: true,
    p5Ms: 1000,
    maxMs: 9000,
  });
  t.true((diagnosis.bottleneck?.criticalPathShare ?? 0) > 0.99);
  t.deepEqual(diagnosis.slowestTrace, { traceId: 't3', durationMs: 9000.05 });
  const shares = diagnosis.operations.reduce((sum, operation) => sum + operation.criticalPathShare, 0);
  t.true(Math.abs(shares - 1) < 1e-9, 'the shares add up to the whole critical path');
  const lag = diagnosis.operations.find((operation) => operation.operation === 'simulate lag');
  t.like(lag, { count: 6, p50Ms: 3000, selfP50Ms: 3000 });
});

test('a steady bottleneck is named, and said to be steady', (t) => {
  const diagnosis = diagnose([visit('t1', 0, 500_000), visit('t2', 0, 510_000)]);
  t.like(diagnosis.bottleneck, { service: 'backend', operation: 'read counter', variesWidely: false });
});

test('no traces, no bottleneck', (t) => {
  t.deepEqual(diagnose([]), {
    traces: 0,
    incompleteTraces: 0,
    operations: [],
    bottleneck: undefined,
    slowestTrace: undefined,
    sampling: { known: 0, unknown: 0, visits: 0 },
  });
});

test('a trace not yet whole is left out and counted, so it cannot skew the verdict', (t) => {
  // Only the backend's batch of a very slow visit has arrived: its spans' parents are missing.
  const partial = visit('t3', 60_000_000);
  partial.spans = partial.spans.filter((span) => span.processID === 'p2');
  const diagnosis = diagnose([visit('t1', 0, 500_000), partial, visit('t2', 0, 510_000)]);
  t.is(diagnosis.traces, 2);
  t.is(diagnosis.incompleteTraces, 1);
  t.like(diagnosis.bottleneck, { operation: 'read counter' });
  t.is(diagnosis.slowestTrace?.traceId, 't2');
  t.is(diagnosis.operations.find((operation) => operation.operation === 'simulate lag')?.count, 2);
});
