// Waiting until Jaeger holds what was just sent: spans reach it a moment after a visit, batched.
import { waitFor } from '../processes/process.ts';
import { fetchTraces, type JaegerTrace } from './query.ts';

/**
 * Polls until Jaeger has at least `count` traces of `service` and every one is `complete`;
 * answers them, newest first.
 */
export function waitForTraces(
  queryUrl: string,
  service: string,
  count: number,
  {
    complete = () => true,
    timeoutMs = 30_000,
  }: { complete?: (trace: JaegerTrace) => boolean; timeoutMs?: number } = {},
): Promise<JaegerTrace[]> {
  return waitFor(
    `${count} whole traces of ${service} in Jaeger`,
    async () => {
      const traces = await fetchTraces(queryUrl, service, count + 50);
      return traces.length >= count && traces.every(complete) ? traces : undefined;
    },
    { timeoutMs, intervalMs: 200 },
  );
}
