// What a scenario's visits tell: which failed and how (status, time to answer), whether numbers
// repeat or leave gaps, and how long after an action visits succeeded again.
import { formatMs } from '../../report/durations.ts';
import type { TimedVisit } from './traffic.ts';

export const failedOf = (visits: readonly TimedVisit[]) => visits.filter((visit) => visit.status !== 200);

/** A duration as the cluster tables print it: seconds, one decimal. */
export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** "none" or e.g. "3: 502 ×2 in 12 ms–1.2 s, no answer ×1 in 3 ms (socket hang up)". */
export function describeFailures(visits: readonly TimedVisit[]): string {
  const failed = failedOf(visits);
  if (failed.length === 0) return 'none failed';
  const byStatus = new Map<number, TimedVisit[]>();
  for (const visit of failed) byStatus.set(visit.status, [...(byStatus.get(visit.status) ?? []), visit]);
  const groups = [...byStatus].map(([status, group]) => {
    const times = group.map((visit) => visit.ms);
    const low = Math.min(...times);
    const high = Math.max(...times);
    const range = low === high ? formatMs(low) : `${formatMs(low)}–${formatMs(high)}`;
    const why = status === 0 ? ` (${group[0]?.error ?? 'no answer'})` : '';
    return `${status === 0 ? 'no answer' : status} ×${group.length} in ${range}${why}`;
  });
  return `${failed.length} failed: ${groups.join(', ')}`;
}

/** The numbers that more than one visit got. */
export function repeatedNumbers(visits: readonly TimedVisit[]): number[] {
  const seen = new Set<number>();
  const repeated = new Set<number>();
  for (const { number } of visits) {
    if (number === undefined) continue;
    if (seen.has(number)) repeated.add(number);
    seen.add(number);
  }
  return [...repeated].sort((a, b) => a - b);
}

/** Whether the answered numbers are distinct and with no gap: first to first + count - 1. */
export function contiguous(visits: readonly TimedVisit[]): { first: number; last: number; ok: boolean } {
  const numbers = visits.flatMap(({ number }) => (number === undefined ? [] : [number])).sort((a, b) => a - b);
  const first = numbers[0] ?? 0;
  const last = numbers.at(-1) ?? 0;
  return {
    first,
    last,
    ok: numbers.length === visits.length && numbers.every((number, index) => number === first + index),
  };
}

export interface Recovery {
  /** From the action to the first visit sent after it that got 200. */
  firstSuccessMs: number | undefined;
  /** From the action to the end of the last failed visit: from then on all succeeded. */
  allSucceedMs: number;
}

export function recoveryAfter(visits: readonly TimedVisit[], actionAt: number): Recovery {
  const after = visits.filter((visit) => visit.at + visit.ms >= actionAt).sort((a, b) => a.at - b.at);
  const firstSuccess = after.find((visit) => visit.at >= actionAt && visit.status === 200);
  const lastFailedEnd = Math.max(actionAt, ...failedOf(after).map((visit) => visit.at + visit.ms));
  return {
    firstSuccessMs: firstSuccess ? firstSuccess.at + firstSuccess.ms - actionAt : undefined,
    allSucceedMs: lastFailedEnd - actionAt,
  };
}

export const describeRecovery = ({ firstSuccessMs, allSucceedMs }: Recovery) =>
  `first 200 after ${firstSuccessMs === undefined ? 'never' : seconds(firstSuccessMs)}, all 200 after ${seconds(allSucceedMs)}`;

/** Visits in flight at `at` or sent after it. */
export const since = (visits: readonly TimedVisit[], at: number) => visits.filter((visit) => visit.at + visit.ms >= at);
