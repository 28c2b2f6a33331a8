// What a load run showed: latency, the visitor numbers, errors, and the slowest visits.
import { formatMs } from '../report/durations.ts';
import { type Bin, drawHistogram, histogram, type Summary, summarize } from '../report/stats.ts';
import type { VisitResult } from './run.ts';

export interface LoadReport {
  visits: number;
  succeeded: number;
  errorsByStatus: Record<string, number>;
  latencyMs: Summary | undefined;
  histogram: Bin[];
  visitors: { count: number; first?: number; last?: number; repeated: number[]; missing: number[] };
  slowest: { ms: number; status: number; traceId?: string; sampled?: boolean }[];
  /** Visits whose answer named their trace (traceresponse), and those of them the frontend sampled. */
  traces: { named: number; sampled: number };
}

export function analyzeLoad(results: readonly VisitResult[], slowestCount = 5): LoadReport {
  const errorsByStatus: Record<string, number> = {};
  for (const result of results) {
    if (result.status === 200) continue;
    const key = result.status === 0 ? `no answer (${result.error ?? 'failed'})` : String(result.status);
    errorsByStatus[key] = (errorsByStatus[key] ?? 0) + 1;
  }
  const numbers = results.flatMap((result) => (result.visitor === undefined ? [] : [result.visitor]));
  const seen = new Map<number, number>();
  for (const number of numbers) seen.set(number, (seen.get(number) ?? 0) + 1);
  const repeated = [...seen].filter(([, times]) => times > 1).map(([number]) => number);
  const first = numbers.length > 0 ? Math.min(...numbers) : undefined;
  const last = numbers.length > 0 ? Math.max(...numbers) : undefined;
  const missing: number[] = [];
  if (first !== undefined && last !== undefined) {
    for (let number = first; number <= last; number += 1) if (!seen.has(number)) missing.push(number);
  }
  const latencies = results.map((result) => result.ms);
  return {
    visits: results.length,
    succeeded: results.filter((result) => result.status === 200).length,
    errorsByStatus,
    latencyMs: summarize(latencies),
    histogram: histogram(latencies, 10),
    visitors: {
      count: numbers.length,
      ...(first === undefined ? {} : { first }),
      ...(last === undefined ? {} : { last }),
      repeated: repeated.sort((a, b) => a - b),
      missing,
    },
    slowest: [...results]
      .sort((a, b) => b.ms - a.ms)
      .slice(0, slowestCount)
      .map(({ ms, status, traceId, sampled }) => ({
        ms,
        status,
        ...(traceId === undefined ? {} : { traceId }),
        ...(sampled === undefined ? {} : { sampled }),
      })),
    traces: {
      named: results.filter((result) => result.traceId !== undefined).length,
      sampled: results.filter((result) => result.traceId !== undefined && result.sampled !== false).length,
    },
  };
}

/** A run fails when any visit failed or a visitor number came twice. */
export function loadFailed(report: LoadReport): boolean {
  return report.succeeded < report.visits || report.visitors.repeated.length > 0;
}

export function renderLoadReport(report: LoadReport): string {
  const lines: string[] = [];
  const latency = report.latencyMs;
  lines.push(`${report.visits} visits, ${report.succeeded} answered 200`);
  if (latency) {
    const cells = (['min', 'p50', 'p95', 'p99', 'max'] as const).map((key) => `${key} ${formatMs(latency[key])}`);
    lines.push('', `Latency: ${cells.join('   ')}`, '', drawHistogram(report.histogram, formatMs));
  }
  const { visitors } = report;
  lines.push('');
  if (visitors.count === 0) {
    lines.push('Visitor numbers: none received');
  } else {
    const distinct = visitors.repeated.length === 0 ? 'all distinct' : `REPEATED: ${visitors.repeated.join(', ')}`;
    const gaps =
      visitors.missing.length === 0
        ? 'no gaps'
        : `missing ${visitors.missing.length}: ${visitors.missing.slice(0, 20).join(', ')}${visitors.missing.length > 20 ? ', …' : ''}`;
    lines.push(`Visitor numbers: ${visitors.count} from ${visitors.first} to ${visitors.last}, ${distinct}, ${gaps}`);
  }
  const errors = Object.entries(report.errorsByStatus);
  lines.push(
    errors.length === 0
      ? 'Errors: none'
      : `Errors: ${errors.map(([status, count]) => `${count} × ${status}`).join(', ')}`,
  );
  const { named, sampled } = report.traces;
  if (named > 0 && sampled === named) lines.push(`Sampled: all ${named} visits that named their trace`);
  else if (named > 0) {
    const share = ((100 * sampled) / named).toFixed(1);
    lines.push(
      `Sampled: ${sampled} of ${named} visits (${share} %), by their traceresponse's flags; the other ${named - sampled} made no trace`,
    );
  }
  lines.push('', 'Slowest visits:');
  for (const visit of report.slowest) {
    const trace = visit.traceId
      ? `trace ${visit.traceId}${visit.sampled === false ? ' (not sampled: not in Jaeger)' : ''}`
      : 'no trace id';
    lines.push(`  ${formatMs(visit.ms).padStart(9)}  ${visit.status}  ${trace}`);
  }
  return lines.join('\n');
}
