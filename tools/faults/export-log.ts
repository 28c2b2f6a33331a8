// What the functions write about failed exports, against what they may: their diag logger writes its
// first line at once, then nothing until 30 s after the last line it wrote (the throttle of
// functions/lib/throttled-logger.ts at the interval of functions/lib/tracing.ts, which docs/faults.md
// promises), whatever the level. Over an outage of T that is at most floor(T / 30 s) + 1 lines.
import type { Child } from '../processes/process.ts';

export const EXPORT_LOG_INTERVAL_MS = 30_000;

/** The most lines a process may write in `outageMs` of a collector being down. */
export function allowedLogLines(outageMs: number): number {
  return Math.floor(outageMs / EXPORT_LOG_INTERVAL_MS) + 1;
}

/** The lines the process's diag logger wrote so far (`opentelemetry error: ...`, `opentelemetry warn: ...`). */
export function diagLogLines(child: Child): number {
  return (child.output().match(/^opentelemetry \w+: /gm) ?? []).length;
}

export interface LogCount {
  /** Which processes, and how their collector was dead. */
  label: string;
  outageMs: number;
  allowed: number;
  lines: { name: string; count: number }[];
}

/** Counts now the lines of processes that have had no collector since `since` (performance.now()). */
export function countLogLines(
  label: string,
  children: readonly { name: string; child: Child }[],
  since: number,
): LogCount {
  const outageMs = performance.now() - since;
  const lines = children.map(({ name, child }) => ({ name, count: diagLogLines(child) }));
  return { label, outageMs, allowed: allowedLogLines(outageMs), lines };
}

/** At least one line from each (the outage was told) and none more than the throttle allows. */
export const withinThrottle = ({ lines, allowed }: LogCount) =>
  lines.every(({ count }) => count >= 1 && count <= allowed);

/** `closed port 28 s: frontend 1, backend 1 (≤ 1 each)`. */
export const describeLogCount = ({ label, outageMs, allowed, lines }: LogCount) =>
  `${label} ${(outageMs / 1000).toFixed(0)} s: ${lines.map(({ name, count }) => `${name} ${count}`).join(', ')} (≤ ${allowed} each)`;
