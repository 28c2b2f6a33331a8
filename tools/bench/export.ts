// Export completeness: spans created against spans that reached Jaeger, read from the collector's
// own metric of accepted spans.
import { waitFor } from '../processes/process.ts';

export async function acceptedSpans(metricsUrl: string): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  return [...text.matchAll(/^otelcol_receiver_accepted_spans_total\{[^}]*\} (\d+(?:\.\d+)?(?:e\+\d+)?)$/gm)].reduce(
    (sum, match) => sum + Number(match[1]),
    0,
  );
}

/** Waits until the accepted count stops moving (two seconds without change) or reaches `expected`. */
export async function settledAcceptedSpans(metricsUrl: string, expected: number, timeoutMs = 60_000): Promise<number> {
  let last = -1;
  let stableSince = performance.now();
  return waitFor(
    'Jaeger to stop receiving spans',
    async () => {
      const now = await acceptedSpans(metricsUrl);
      if (now >= expected) return now;
      if (now !== last) {
        last = now;
        stableSince = performance.now();
        return undefined;
      }
      return performance.now() - stableSince > 2000 ? now : undefined;
    },
    { timeoutMs, intervalMs: 200 },
  );
}
