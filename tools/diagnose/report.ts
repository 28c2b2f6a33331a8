// The diagnosis as text: a table of operations, the bottleneck and its evidence, and the slowest
// trace drawn as a waterfall with its critical path marked. The trace page shows the same table and
// verdict, made here.
import type { JaegerTrace } from '../jaeger/query.ts';
import { formatMs } from '../report/durations.ts';
import { drawWaterfall } from '../report/waterfall.ts';
import type { Diagnosis } from './analyze.ts';
import { criticalPath } from './critical-path.ts';
import { samplingLine } from './sampling.ts';

const percent = (share: number) => `${(100 * share).toFixed(1)} %`;

/** The table of operations, as text cells: the terminal pads them, the trace page draws them. */
export function operationTable(diagnosis: Diagnosis): { header: string[]; rows: string[][] } {
  const header = ['service', 'operation', 'count', 'p50', 'p95', 'max', 'self p50', 'critical path'];
  const rows = diagnosis.operations.map((operation) => [
    operation.service,
    operation.operation,
    String(operation.count),
    formatMs(operation.p50Ms),
    formatMs(operation.p95Ms),
    formatMs(operation.maxMs),
    formatMs(operation.selfP50Ms),
    percent(operation.criticalPathShare),
  ]);
  return { header, rows };
}

/** The verdict: the bottleneck, its share of the critical path, and whether its duration varies widely. */
export function verdictLines(diagnosis: Diagnosis): string[] {
  const bottleneck = diagnosis.bottleneck;
  if (!bottleneck) return [];
  const numbers = `p5 ${formatMs(bottleneck.p5Ms)}, p50 ${formatMs(bottleneck.p50Ms)}, p95 ${formatMs(bottleneck.p95Ms)}, max ${formatMs(bottleneck.maxMs)}`;
  const spread = Number.isFinite(bottleneck.spread) ? `${bottleneck.spread.toFixed(1)}×` : 'unbounded';
  return [
    `Bottleneck: ${bottleneck.service} "${bottleneck.operation}", ${percent(bottleneck.criticalPathShare)} of the critical path across ${diagnosis.traces} traces.`,
    bottleneck.variesWidely
      ? `Its duration varies widely (${numbers}; p95 is ${spread} p5): the same step is sometimes fast, sometimes slow.`
      : `Its duration is steady (${numbers}; p95 is ${spread} p5).`,
  ];
}

export function renderDiagnosis(diagnosis: Diagnosis, slowest: JaegerTrace | undefined, source: string): string {
  const { header, rows } = operationTable(diagnosis);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)));
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column < 2 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0)))
      .join('  ');

  const lines = [`Diagnosis of ${diagnosis.traces} traces from ${source}`, '', line(header), ...rows.map(line), ''];
  lines.push(...verdictLines(diagnosis), samplingLine(diagnosis.sampling));
  if (slowest && diagnosis.slowestTrace) {
    const marked = new Set(criticalPath(slowest).map((section) => section.span.spanID));
    lines.push('', `Slowest trace, ${formatMs(diagnosis.slowestTrace.durationMs)}; ▶ marks its critical path:`);
    lines.push(drawWaterfall(slowest, { marked }));
  }
  return lines.join('\n');
}
