// From many traces to one answer: for each service and operation, how long it takes, how much of
// that is its own time, and how much of the critical path it holds; the bottleneck is the one that
// holds most of it.
import { isWhole } from '../jaeger/completeness.ts';
import type { JaegerTrace } from '../jaeger/query.ts';
import { serviceOf } from '../jaeger/query.ts';
import { percentile } from '../report/stats.ts';
import { criticalPath, selfTimes } from './critical-path.ts';
import { estimateVisits, type SamplingEstimate } from './sampling.ts';

export interface OperationStats {
  service: string;
  operation: string;
  count: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  /** Median of the span's own time (its duration less what its children cover). */
  selfP50Ms: number;
  criticalPathMs: number;
  /** Its part of all the traces' critical paths, from 0 to 1. */
  criticalPathShare: number;
}

export interface Bottleneck {
  service: string;
  operation: string;
  criticalPathShare: number;
  /** The tutorial's symptom: the slowest visits take several times as long as the fastest. */
  variesWidely: boolean;
  p5Ms: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  /** p95 over p5. */
  spread: number;
}

export interface Diagnosis {
  /** The traces analysed: the whole ones. */
  traces: number;
  /**
   * Traces left out as not whole yet (jaeger/completeness.ts): a visit whose backend's or frontend's
   * batch of spans had not arrived would show a call with nothing under it and skew every share.
   */
  incompleteTraces: number;
  operations: OperationStats[];
  bottleneck: Bottleneck | undefined;
  slowestTrace: { traceId: string; durationMs: number } | undefined;
  /** How many visits the traces analysed stand for, from their root spans' sampling probability. */
  sampling: SamplingEstimate;
}

/** p95 at least twice p5: the duration does not depend on the step alone. */
export const WIDE_SPREAD = 2;

const ms = (microseconds: number) => microseconds / 1000;

export function diagnose(found: readonly JaegerTrace[]): Diagnosis {
  const traces = found.filter(isWhole);
  const byOperation = new Map<
    string,
    { service: string; operation: string; durations: number[]; selves: number[]; path: number }
  >();
  let pathTotal = 0;
  let slowest: Diagnosis['slowestTrace'];

  for (const trace of traces) {
    const own = selfTimes(trace);
    for (const span of trace.spans) {
      const service = serviceOf(trace, span);
      const key = `${service}\u0000${span.operationName}`;
      const entry = byOperation.get(key) ?? {
        service,
        operation: span.operationName,
        durations: [],
        selves: [],
        path: 0,
      };
      entry.durations.push(ms(span.duration));
      entry.selves.push(ms(own.get(span.spanID) ?? span.duration));
      byOperation.set(key, entry);
    }
    for (const section of criticalPath(trace)) {
      const key = `${serviceOf(trace, section.span)}\u0000${section.span.operationName}`;
      const length = ms(section.end - section.start);
      const entry = byOperation.get(key);
      if (entry) entry.path += length;
      pathTotal += length;
    }
    const start = Math.min(...trace.spans.map((span) => span.startTime));
    const end = Math.max(...trace.spans.map((span) => span.startTime + span.duration));
    const durationMs = ms(end - start);
    if (!slowest || durationMs > slowest.durationMs) slowest = { traceId: trace.traceID, durationMs };
  }

  const operations: OperationStats[] = [...byOperation.values()]
    .map(({ service, operation, durations, selves, path }) => ({
      service,
      operation,
      count: durations.length,
      p50Ms: percentile(durations, 50) ?? 0,
      p95Ms: percentile(durations, 95) ?? 0,
      maxMs: Math.max(...durations),
      selfP50Ms: percentile(selves, 50) ?? 0,
      criticalPathMs: path,
      criticalPathShare: pathTotal > 0 ? path / pathTotal : 0,
    }))
    .sort((a, b) => b.criticalPathShare - a.criticalPathShare || b.p50Ms - a.p50Ms);

  const top = operations[0];
  let bottleneck: Bottleneck | undefined;
  if (top && top.criticalPathShare > 0) {
    const durations = byOperation.get(`${top.service}\u0000${top.operation}`)?.durations ?? [];
    const p5Ms = percentile(durations, 5) ?? 0;
    const spread = p5Ms > 0 ? top.p95Ms / p5Ms : Number.POSITIVE_INFINITY;
    bottleneck = {
      service: top.service,
      operation: top.operation,
      criticalPathShare: top.criticalPathShare,
      variesWidely: durations.length > 1 && spread >= WIDE_SPREAD,
      p5Ms,
      p50Ms: top.p50Ms,
      p95Ms: top.p95Ms,
      maxMs: top.maxMs,
      spread,
    };
  }
  return {
    traces: traces.length,
    incompleteTraces: found.length - traces.length,
    operations,
    bottleneck,
    slowestTrace: slowest,
    sampling: estimateVisits(traces),
  };
}
