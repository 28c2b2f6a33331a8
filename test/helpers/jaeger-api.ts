// Reads traces back from Jaeger's query API, polling until they are complete.
import { waitFor } from '../../tools/process.ts';

export interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  references: { refType: string; traceID: string; spanID: string }[];
  startTime: number;
  duration: number;
  tags: { key: string; type: string; value: unknown }[];
  logs: { timestamp: number; fields: { key: string; value: unknown }[] }[];
  processID: string;
}

export interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string }>;
}

export async function getTrace(queryUrl: string, traceId: string): Promise<JaegerTrace | undefined> {
  const response = await fetch(`${queryUrl}/api/traces/${traceId}`);
  if (response.status === 404) return undefined;
  if (!response.ok) throw new Error(`Jaeger answered ${response.status} for trace ${traceId}`);
  const body = (await response.json()) as { data: JaegerTrace[] };
  return body.data[0];
}

/** Polls until the trace holds at least `spanCount` spans. */
export function waitForTrace(queryUrl: string, traceId: string, spanCount: number, timeoutMs = 15_000) {
  return waitFor(
    `trace ${traceId} with ${spanCount} spans in Jaeger`,
    async () => {
      const trace = await getTrace(queryUrl, traceId);
      return trace && trace.spans.length >= spanCount ? trace : undefined;
    },
    { timeoutMs, intervalMs: 100 },
  );
}

export function serviceOf(trace: JaegerTrace, span: JaegerSpan): string {
  return trace.processes[span.processID]?.serviceName ?? '?';
}

export function tag(span: JaegerSpan, key: string): unknown {
  return span.tags.find((candidate) => candidate.key === key)?.value;
}

/** The trace id in a W3C traceresponse header. */
export function traceIdOf(traceResponse: string | null): string {
  const match = /^00-([0-9a-f]{32})-([0-9a-f]{16})-0[01]$/.exec(traceResponse ?? '');
  if (!match?.[1]) throw new Error(`Not a traceresponse header: ${traceResponse}`);
  return match[1];
}
