// What a function makes of the W3C trace context a caller sends (traceparent, tracestate), read back
// from the answer's traceresponse and from the server span in Jaeger. Used by the bad-input tests and
// by `npm run faults`, so that both hold the functions to the same outcome.
import { fetchTrace, type JaegerTrace, tagOf } from '../jaeger/query.ts';
import { waitFor } from '../processes/process.ts';
import { rawRequest } from '../processes/raw-http.ts';

/** A valid traceparent of a caller: its trace id, its span id, and flags (01 sampled, 00 not). */
export const callerTraceparent = (traceId: string, flags = '01') => `00-${traceId}-b7ad6b7169203331-${flags}`;

/**
 * What must become of the caller's trace context:
 * - `ignored`: a fresh trace, as if no context had come (no parent, no trace state);
 * - `unsampled`: the caller's trace, whose flags say not to sample: answered, and recorded nowhere;
 * - `{ traceState }`: the caller's trace continued (its trace id, its span as the parent), with the
 *   trace state kept as given here (undefined: none), on the span and on the calls it makes.
 */
export type TraceContextOutcome = 'ignored' | 'unsampled' | { traceState: string | undefined };

const TRACE_RESPONSE = /^00-([0-9a-f]{32})-([0-9a-f]{16})-(0[01])$/;
/** Jaeger's tag for the span's W3C trace state (OTLP's trace_state). */
const TRACE_STATE_TAG = 'w3c.tracestate';

/** The server span named by a traceresponse, once it is in Jaeger. */
async function serverSpan(queryUrl: string, traceId: string, spanId: string) {
  return waitFor(
    `span ${spanId} of trace ${traceId} in Jaeger`,
    async () => (await fetchTrace(queryUrl, traceId))?.spans.find((span) => span.spanID === spanId),
    { timeoutMs: 15_000, intervalMs: 50 },
  );
}

/**
 * Undefined when the answer to a request that sent `traceparent` (perhaps none, perhaps not one), and
 * its span in Jaeger, show `expected`; otherwise what they show instead.
 */
export async function checkTraceContext(
  queryUrl: string,
  traceparent: string | undefined,
  traceResponse: unknown,
  expected: TraceContextOutcome,
): Promise<string | undefined> {
  const [, callerTraceId, callerSpanId] = /^00-([0-9a-f]{32})-([0-9a-f]{16})-0[01]$/.exec(traceparent ?? '') ?? [];
  const match = TRACE_RESPONSE.exec(typeof traceResponse === 'string' ? traceResponse : '');
  const [, traceId = '', spanId = '', flags = ''] = match ?? [];
  if (!match) return `traceresponse ${JSON.stringify(traceResponse)}`;
  const continued = traceId === callerTraceId || traceparent?.includes(traceId) === true;
  if (expected === 'unsampled') {
    return continued && flags === '00' ? undefined : `trace ${traceId}, flags ${flags}`;
  }
  if (flags !== '01') return `flags ${flags}`;
  if (continued !== (expected !== 'ignored')) return continued ? "the caller's trace" : `a fresh trace ${traceId}`;
  const span = await serverSpan(queryUrl, traceId, spanId).catch(() => undefined);
  if (!span) return `span ${spanId} never reached Jaeger`;
  const parent = span.references.find((reference) => reference.refType === 'CHILD_OF')?.spanID;
  const traceState = tagOf(span, TRACE_STATE_TAG);
  const wanted =
    expected === 'ignored' ? { parent: undefined, traceState: undefined } : { parent: callerSpanId, ...expected };
  if (parent !== wanted.parent) return `parent ${parent ?? 'none'}`;
  if (traceState !== wanted.traceState) return `trace state ${JSON.stringify(traceState) ?? 'none'}`;
  return undefined;
}

/**
 * Of `traceIds`, those Jaeger holds once a later, sampled request's span has arrived: the function
 * exports its spans in the order they end, so a span of an earlier request would be there by then.
 */
export async function recordedTraces(
  queryUrl: string,
  baseUrl: string,
  traceIds: readonly string[],
): Promise<string[]> {
  const later = await rawRequest(baseUrl, {});
  const [, traceId = '', spanId = ''] = TRACE_RESPONSE.exec(String(later.headers.traceresponse)) ?? [];
  await serverSpan(queryUrl, traceId, spanId);
  const found: (JaegerTrace | undefined)[] = await Promise.all(traceIds.map((id) => fetchTrace(queryUrl, id)));
  return traceIds.filter((_, index) => found[index] !== undefined);
}
