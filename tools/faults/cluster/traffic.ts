// Steady traffic through the route while a scenario acts: `concurrency` loops, each visiting one
// after the other with a short pause, every answer recorded with when it was sent (ms since the
// traffic began), its status, time to answer, visitor number and trace id.
import { setTimeout as delay } from 'node:timers/promises';
import type { Visit } from '../../cluster/on-cluster.ts';
import { waitFor } from '../../processes/process.ts';

export interface TimedVisit extends Visit {
  /** When it was sent, in performance.now() time. */
  at: number;
  /** Why no answer came (status 0). */
  error?: string;
}

export interface Traffic {
  /** Every visit answered so far, in the order the answers came. */
  readonly visits: readonly TimedVisit[];
  /** Resolves once `count` more visits than now have been answered (at most `timeoutMs`). */
  more(count: number, timeoutMs?: number): Promise<void>;
  /** Resolves once `count` visits sent after `after` (performance.now() time), the last ones, were all 200. */
  healthy(count: number, after: number, timeoutMs: number): Promise<void>;
  /** Stops the loops, waits for the visits in flight, and answers them all. */
  stop(): Promise<TimedVisit[]>;
}

type VisitFn = () => Promise<Visit & { error?: string }>;

export function startTraffic(visit: VisitFn, { concurrency = 4, pauseMs = 50 } = {}): Traffic {
  const visits: TimedVisit[] = [];
  let stopping = false;
  const loop = async () => {
    while (!stopping) {
      const at = performance.now();
      visits.push({ ...(await visit()), at });
      await delay(pauseMs);
    }
  };
  const loops = Promise.all(Array.from({ length: concurrency }, loop));
  return {
    visits,
    more: async (count, timeoutMs = 60_000) => {
      const target = visits.length + count;
      await waitFor(`${count} more visits`, async () => visits.length >= target || undefined, {
        timeoutMs,
        intervalMs: 100,
      });
    },
    healthy: async (count, after, timeoutMs) => {
      await waitFor(
        `${count} visits in a row answered 200`,
        async () => {
          const sent = visits.filter((one) => one.at > after);
          return (sent.length >= count && sent.slice(-count).every((one) => one.status === 200)) || undefined;
        },
        { timeoutMs, intervalMs: 200 },
      );
    },
    stop: async () => {
      stopping = true;
      await loops;
      return visits;
    },
  };
}

/** Runs `total` visits, `concurrency` at a time, as fast as they are answered. */
export async function visitsAtOnce(visit: VisitFn, total: number, concurrency: number): Promise<TimedVisit[]> {
  const visits: TimedVisit[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(total, concurrency) }, async () => {
      while (next < total) {
        next += 1;
        const at = performance.now();
        visits.push({ ...(await visit()), at });
      }
    }),
  );
  return visits;
}
