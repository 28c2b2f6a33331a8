// Traces written by hand, in the shape Jaeger's query API answers, for unit tests.
import type { JaegerSpan, JaegerTrace } from '../../tools/jaeger/query.ts';

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
