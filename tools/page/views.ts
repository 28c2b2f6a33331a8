// What the trace page's JSON API answers, made from Jaeger's traces by the same modules as the
// terminal's reports (diagnose, critical path, waterfall order): the browser only draws it.
import { diagnose } from '../diagnose/analyze.ts';
import { buildTree, criticalPath } from '../diagnose/critical-path.ts';
import { operationTable, verdictLines } from '../diagnose/report.ts';
import { type JaegerSpan, type JaegerTrace, parentOf, serviceOf, tagOf } from '../jaeger/query.ts';
import { formatMs } from '../report/durations.ts';
import { histogram } from '../report/stats.ts';
import { formatDuration, isErrorSpan, orderSpans } from '../report/waterfall.ts';

export interface Visit {
  traceId: string;
  /** Milliseconds since the epoch. */
  startMs: number;
  durationMs: number;
  duration: string;
  /** The HTTP status the visit got, from its root span; undefined when no span says. */
  status: number | undefined;
  error: boolean;
  /**
   * The number the visitor was told: the frontend numbers a visit with the counter's value before
   * its increase, one less than the `counter.value` (the new value) of the backend's `increase counter`.
   */
  visitor: number | undefined;
  spans: number;
}

export interface VisitsView {
  visits: Visit[];
  /** Visit durations in ms, in equal bins; each bin's bounds written as the reports write them. */
  histogram: { from: number; to: number; count: number; fromLabel: string; toLabel: string }[];
}

const STATUS_KEYS = ['http.response.status_code', 'http.status_code'];
/** Bins of the latency histogram. */
export const HISTOGRAM_BINS = 12;

function extentUs(trace: JaegerTrace): { start: number; end: number } {
  return {
    start: Math.min(...trace.spans.map((span) => span.startTime)),
    end: Math.max(...trace.spans.map((span) => span.startTime + span.duration)),
  };
}

function statusOf(span: JaegerSpan | undefined): number | undefined {
  for (const key of STATUS_KEYS) {
    const value = span && tagOf(span, key);
    if (typeof value === 'number') return value;
    if (typeof value === 'string' && /^\d{3}$/.test(value)) return Number(value);
  }
  return undefined;
}

export function visitOf(trace: JaegerTrace): Visit {
  const { start, end } = extentUs(trace);
  const durationMs = (end - start) / 1000;
  const increase = trace.spans.find(
    (span) => span.operationName === 'increase counter' && typeof tagOf(span, 'counter.value') === 'number',
  );
  return {
    traceId: trace.traceID,
    startMs: start / 1000,
    durationMs,
    duration: formatMs(durationMs),
    status: statusOf(buildTree(trace)?.span),
    error: trace.spans.some(isErrorSpan),
    visitor: increase ? (tagOf(increase, 'counter.value') as number) - 1 : undefined,
    spans: trace.spans.length,
  };
}

/** Newest first, as fetchTraces answers them. */
export function visitsView(traces: readonly JaegerTrace[]): VisitsView {
  const visits = traces.filter((trace) => trace.spans.length > 0).map(visitOf);
  const bins = histogram(
    visits.map((visit) => visit.durationMs),
    HISTOGRAM_BINS,
  );
  return {
    visits,
    histogram: bins.map((bin) => ({ ...bin, fromLabel: formatMs(bin.from), toLabel: formatMs(bin.to) })),
  };
}

/** diagnose()'s answer, with the table and the verdict as `npm run diagnose` prints them. */
export function diagnosisView(traces: readonly JaegerTrace[]) {
  const diagnosis = diagnose(traces);
  const slowest = diagnosis.slowestTrace;
  return {
    ...diagnosis,
    table: operationTable(diagnosis),
    verdict: verdictLines(diagnosis),
    slowestDuration: slowest && formatMs(slowest.durationMs),
  };
}

export interface SpanRow {
  spanId: string;
  parentId: string | undefined;
  depth: number;
  service: string;
  operation: string;
  /** From the start of the trace, µs. */
  offsetUs: number;
  durationUs: number;
  duration: string;
  error: boolean;
  /** On the critical path; `sections` are its stretches on the path, µs from the trace's start. */
  critical: boolean;
  sections: { startUs: number; endUs: number }[];
  attributes: { key: string; value: unknown }[];
  events: { offsetUs: number; fields: { key: string; value: unknown }[] }[];
  resource: { key: string; value: unknown }[];
}

export interface TraceView {
  traceId: string;
  startMs: number;
  durationUs: number;
  duration: string;
  services: string[];
  spans: SpanRow[];
}

/** The trace in waterfall order (parents before children, siblings by start), critical path marked. */
export function traceView(trace: JaegerTrace): TraceView {
  const { start, end } = extentUs(trace);
  const sections = new Map<string, { startUs: number; endUs: number }[]>();
  for (const section of criticalPath(trace)) {
    const list = sections.get(section.span.spanID) ?? [];
    list.unshift({ startUs: section.start - start, endUs: section.end - start });
    sections.set(section.span.spanID, list);
  }
  const spans = orderSpans(trace).map(({ span, depth }) => ({
    spanId: span.spanID,
    parentId: parentOf(trace, span)?.spanID,
    depth,
    service: serviceOf(trace, span),
    operation: span.operationName,
    offsetUs: span.startTime - start,
    durationUs: span.duration,
    duration: formatDuration(span.duration),
    error: isErrorSpan(span),
    critical: sections.has(span.spanID),
    sections: sections.get(span.spanID) ?? [],
    attributes: span.tags.map(({ key, value }) => ({ key, value })),
    events: span.logs.map((log) => ({ offsetUs: log.timestamp - span.startTime, fields: log.fields })),
    resource: (trace.processes[span.processID]?.tags ?? []).map(({ key, value }) => ({ key, value })),
  }));
  return {
    traceId: trace.traceID,
    startMs: start / 1000,
    durationUs: end - start,
    duration: formatDuration(end - start),
    services: [...new Set(spans.map((span) => span.service))],
    spans,
  };
}
