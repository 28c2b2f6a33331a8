// Draws one trace as a waterfall in the terminal: each span a row, indented under its parent,
// with a bar placed on the trace's time line, like Jaeger's UI.
import { type JaegerSpan, type JaegerTrace, parentOf, serviceOf, tagOf } from '../jaeger/query.ts';

export interface WaterfallOptions {
  /** Columns for the time bars. */
  barWidth?: number;
  /** Spans to mark (for example the critical path), by span id. */
  marked?: ReadonlySet<string>;
}

/** The span failed: its status is ERROR, or it carries the error tag. */
export function isErrorSpan(span: JaegerSpan): boolean {
  return tagOf(span, 'error') === true || tagOf(span, 'otel.status_code') === 'ERROR';
}

export function formatDuration(microseconds: number): string {
  if (microseconds >= 1_000_000) return `${(microseconds / 1_000_000).toFixed(2)} s`;
  if (microseconds >= 1000) return `${(microseconds / 1000).toFixed(1)} ms`;
  return `${microseconds} µs`;
}

/** Spans in tree order (parents before children, siblings by start time) with their depth. */
export function orderSpans(trace: JaegerTrace): { span: JaegerSpan; depth: number }[] {
  const children = new Map<string | undefined, JaegerSpan[]>();
  for (const span of trace.spans) {
    const parentId = parentOf(trace, span)?.spanID;
    children.set(parentId, [...(children.get(parentId) ?? []), span]);
  }
  const ordered: { span: JaegerSpan; depth: number }[] = [];
  const visit = (parentId: string | undefined, depth: number) => {
    const siblings = (children.get(parentId) ?? []).sort((a, b) => a.startTime - b.startTime);
    for (const span of siblings) {
      ordered.push({ span, depth });
      visit(span.spanID, depth + 1);
    }
  };
  visit(undefined, 0);
  return ordered;
}

function bar(start: number, end: number, width: number): string {
  const from = Math.min(width - 1, Math.floor(start * width));
  const length = Math.max(1, Math.round((end - start) * width));
  const cells = Array.from({ length: width }, (_, index) => (index >= from && index < from + length ? '█' : ' '));
  return cells.join('');
}

export function drawWaterfall(
  trace: JaegerTrace,
  { barWidth = 40, marked = new Set() }: WaterfallOptions = {},
): string {
  const begin = Math.min(...trace.spans.map((span) => span.startTime));
  const end = Math.max(...trace.spans.map((span) => span.startTime + span.duration));
  const total = Math.max(1, end - begin);
  const services = [...new Set(trace.spans.map((span) => serviceOf(trace, span)))];
  const rows = orderSpans(trace).map(({ span, depth }) => ({
    mark: marked.has(span.spanID) ? '▶' : ' ',
    service: serviceOf(trace, span),
    name: `${'  '.repeat(depth)}${span.operationName}${isErrorSpan(span) ? ' (error)' : ''}`,
    duration: formatDuration(span.duration),
    bar: bar((span.startTime - begin) / total, (span.startTime + span.duration - begin) / total, barWidth),
  }));
  const width = (key: 'service' | 'name' | 'duration') => Math.max(...rows.map((row) => row[key].length));
  const lines = rows.map(
    (row) =>
      `${row.mark} ${row.service.padEnd(width('service'))}  ${row.name.padEnd(width('name'))}  ${row.duration.padStart(width('duration'))} │${row.bar}│`,
  );
  const header = `Trace ${trace.traceID}  ${formatDuration(total)}  ${trace.spans.length} spans  services: ${services.join(', ')}`;
  return [header, ...lines].join('\n');
}
