import test from 'ava';
import { analyzeLoad, loadFailed, renderLoadReport } from '../../tools/load/report.ts';
import type { VisitResult } from '../../tools/load/run.ts';

const ok = (visitor: number, ms: number, traceId = `t${visitor}`): VisitResult => ({
  status: 200,
  ms,
  visitor,
  traceId,
});

test('a clean run: distinct, contiguous numbers, no errors, not failed', (t) => {
  const report = analyzeLoad([ok(3, 100), ok(1, 300), ok(2, 200)]);
  t.like(report, { visits: 3, succeeded: 3, errorsByStatus: {} });
  t.deepEqual(report.visitors, { count: 3, first: 1, last: 3, repeated: [], missing: [] });
  t.deepEqual(
    report.slowest.map((visit) => visit.traceId),
    ['t1', 't2', 't3'],
  );
  t.false(loadFailed(report));
  t.regex(renderLoadReport(report), /Visitor numbers: 3 from 1 to 3, all distinct, no gaps/);
});

test('errors are counted by status; a failed visit fails the run', (t) => {
  const report = analyzeLoad([
    ok(1, 10),
    { status: 502, ms: 5 },
    { status: 502, ms: 6 },
    { status: 0, ms: 1, error: 'connect ECONNREFUSED 127.0.0.1:8080' },
  ]);
  t.deepEqual(report.errorsByStatus, { '502': 2, 'no answer (connect ECONNREFUSED 127.0.0.1:8080)': 1 });
  t.true(loadFailed(report));
  t.regex(renderLoadReport(report), /Errors: 2 × 502, 1 × no answer/);
});

test('a repeated number fails the run; a gap is reported', (t) => {
  const report = analyzeLoad([ok(1, 10), ok(2, 10), ok(2, 10), ok(5, 10)]);
  t.deepEqual(report.visitors.repeated, [2]);
  t.deepEqual(report.visitors.missing, [3, 4]);
  t.true(loadFailed(report));
  t.regex(renderLoadReport(report), /REPEATED: 2, missing 2: 3, 4/);
});

test('the report draws the latency summary and histogram', (t) => {
  const text = renderLoadReport(analyzeLoad([ok(1, 1000), ok(2, 2500), ok(3, 9800)]));
  t.regex(text, /Latency: min 1\.00 s {3}p50 2\.50 s {3}p95 9\.80 s {3}p99 9\.80 s {3}max 9\.80 s/);
  t.regex(text, /^ *1\.00 s – 1\.88 s │█+ +1$/m);
  t.regex(text, /^ +9\.80 s {2}200 {2}trace t3$/m);
});

test('how many visits were sampled, by their traceresponse; the slowest unsampled ones marked', (t) => {
  const sampled = (visitor: number, ms: number, yes: boolean): VisitResult => ({ ...ok(visitor, ms), sampled: yes });
  const some = analyzeLoad([sampled(1, 10, true), sampled(2, 30, false), sampled(3, 20, false), sampled(4, 5, false)]);
  t.deepEqual(some.traces, { named: 4, sampled: 1 });
  const text = renderLoadReport(some);
  t.regex(text, /^Sampled: 1 of 4 visits \(25\.0 %\), by their traceresponse's flags; the other 3 made no trace$/m);
  t.regex(text, /^ +30\.0 ms {2}200 {2}trace t2 \(not sampled: not in Jaeger\)$/m);
  t.regex(text, /^ +10\.0 ms {2}200 {2}trace t1$/m);
  const all = renderLoadReport(analyzeLoad([sampled(1, 10, true), sampled(2, 10, true)]));
  t.regex(all, /^Sampled: all 2 visits that named their trace$/m);
  t.notRegex(renderLoadReport(analyzeLoad([{ status: 502, ms: 5 }])), /Sampled/);
});
