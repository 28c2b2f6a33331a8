// Whether a visit's whole trace (its 8 spans) has reached Jaeger: what most fault scenarios judge.
import { fetchTrace } from '../jaeger/query.ts';
import { waitFor } from '../processes/process.ts';

/** True once trace `traceId` holds all 8 spans of a visit; false when it does not within `timeoutMs`. */
export const wholeTrace = async (queryUrl: string, traceId: string | undefined, timeoutMs = 15_000) =>
  traceId !== undefined &&
  (await waitFor(
    `trace ${traceId}`,
    async () => ((await fetchTrace(queryUrl, traceId))?.spans.length === 8 ? true : undefined),
    {
      timeoutMs,
      intervalMs: 100,
    },
  ).catch(() => false));
