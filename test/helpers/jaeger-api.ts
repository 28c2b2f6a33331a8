// Reads traces back from Jaeger's query API, polling until they are complete.
import { fetchTrace, type JaegerTrace } from '../../tools/jaeger/query.ts';
import { waitFor } from '../../tools/processes/process.ts';

export type { JaegerSpan, JaegerTrace } from '../../tools/jaeger/query.ts';
export { parentOf, serviceOf, tagOf as tag } from '../../tools/jaeger/query.ts';

/** Polls until the trace holds at least `spanCount` spans. */
export function waitForTrace(queryUrl: string, traceId: string, spanCount: number, timeoutMs = 15_000) {
  return waitFor<JaegerTrace>(
    `trace ${traceId} with ${spanCount} spans in Jaeger`,
    async () => {
      const trace = await fetchTrace(queryUrl, traceId);
      return trace && trace.spans.length >= spanCount ? trace : undefined;
    },
    { timeoutMs, intervalMs: 100 },
  );
}

/** The trace id in a W3C traceresponse header. */
export function traceIdOf(traceResponse: string | null): string {
  const match = /^00-([0-9a-f]{32})-([0-9a-f]{16})-0[01]$/.exec(traceResponse ?? '');
  if (!match?.[1]) throw new Error(`Not a traceresponse header: ${traceResponse}`);
  return match[1];
}
