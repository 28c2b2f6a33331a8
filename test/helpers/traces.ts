// Traces written by hand, in the shape Jaeger's query API answers, for unit tests; and the spans a
// visit makes, for the tests that read real ones.
import type { JaegerSpan, JaegerTrace } from '../../tools/jaeger/query.ts';

/** The spans of one visit of the local system, as `<service> <span name>`, sorted. */
export const VISIT_SPANS: readonly string[] = [
  'backend GET /',
  'backend POST /',
  'backend increase counter',
  'backend read counter',
  'backend simulate lag',
  'frontend GET',
  'frontend GET /',
  'frontend POST',
];

/** [id, name, start µs, end µs, parent id, process id] */
export type SpanRow = [string, string, number, number, string?, string?];

export function makeTrace(rows: SpanRow[], traceId = 't1'): JaegerTrace {
  const spans: JaegerSpan[] = rows.map(([id, name, start, end, parent, process = 'p1']) => ({
    traceID: traceId,
    spanID: id,
    operationName: name,
    references: parent ? [{ refType: 'CHILD_OF', traceID: traceId, spanID: parent }] : [],
    startTime: start,
    duration: end - start,
    tags: [],
    logs: [],
    processID: process,
  }));
  return { traceID: traceId, spans, processes: { p1: { serviceName: 'frontend' }, p2: { serviceName: 'backend' } } };
}
