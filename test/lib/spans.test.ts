import { SpanStatusCode, trace } from '@opentelemetry/api';
import test from 'ava';
import { inSpan, traceResponseHeader } from '../../functions/backend/src/lib/spans.ts';
import { installMemoryTracing } from '../helpers/tracing.ts';

const spans = installMemoryTracing();
const tracer = trace.getTracer('test');

test.serial('traceResponseHeader names the active span in W3C form', async (t) => {
  t.is(traceResponseHeader(), undefined, 'no active span, no header');
  await inSpan(tracer, 'server', (span) => {
    const { traceId, spanId } = span.spanContext();
    t.is(traceResponseHeader(), `00-${traceId}-${spanId}-01`);
  });
});

test.serial('inSpan records an error on the span, marks it failed, rethrows, and ends the span', async (t) => {
  spans.reset();
  await t.throwsAsync(
    inSpan(tracer, 'failing step', () => {
      throw new RangeError('out of range');
    }),
    { instanceOf: RangeError },
  );
  const [span] = spans.getFinishedSpans();
  t.is(span?.name, 'failing step');
  t.is(span?.status.code, SpanStatusCode.ERROR);
  t.is(span?.status.message, 'out of range');
  t.is(span?.events[0]?.name, 'exception');
  t.is(span?.events[0]?.attributes?.['exception.type'], 'RangeError');
});

test.serial('inSpan nests: a span started inside is its child', async (t) => {
  spans.reset();
  await inSpan(tracer, 'outer', () => inSpan(tracer, 'inner', () => 1));
  const [inner, outer] = spans.getFinishedSpans();
  t.is(inner?.parentSpanContext?.spanId, outer?.spanContext().spanId);
});
