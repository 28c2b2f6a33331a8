// A small client of Jaeger v2's stable query API: /api/v3/traces/{id} and /api/v3/traces. It answers
// OTLP JSON; otlp.ts turns that into the model of the UI's /api/traces below, which the callers read.
import { type OtlpTracesData, tracesFromOtlp } from './otlp.ts';

export interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  references: { refType: string; traceID: string; spanID: string }[];
  /** Microseconds since the epoch. */
  startTime: number;
  /** Microseconds. */
  duration: number;
  tags: { key: string; type: string; value: unknown }[];
  logs: { timestamp: number; fields: { key: string; value: unknown }[] }[];
  processID: string;
}

export interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string; tags?: { key: string; value: unknown }[] }>;
}

export class JaegerQueryError extends Error {
  override name = 'JaegerQueryError';
}

async function get(url: string): Promise<Response> {
  try {
    return await fetch(url, { signal: AbortSignal.timeout(10_000) });
  } catch (error) {
    const reason = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
    throw new JaegerQueryError(`Jaeger is unreachable: GET ${url}: ${reason}`);
  }
}

/**
 * Jaeger's answer when it has no such trace, or none that matches: 404 with
 * `{"error": {"httpCode": 404, "message": "No traces found"}}`. A 404 of another body is no Jaeger v2.
 */
async function isNoTraces(response: Response): Promise<boolean> {
  if (response.status !== 404) return false;
  try {
    const body = JSON.parse(await response.text()) as { error?: { httpCode?: number } };
    return body.error?.httpCode === 404;
  } catch {
    return false;
  }
}

/** The trace data of an answer: `{"result": {"resourceSpans": [...]}}`. */
async function tracesOf(response: Response): Promise<JaegerTrace[]> {
  const body = (await response.json()) as { result?: OtlpTracesData };
  return tracesFromOtlp(body.result ?? {});
}

/** One trace by id; undefined when Jaeger does not have it (yet). */
export async function fetchTrace(queryUrl: string, traceId: string): Promise<JaegerTrace | undefined> {
  const url = `${queryUrl}/api/v3/traces/${encodeURIComponent(traceId)}`;
  const response = await get(url);
  if (await isNoTraces(response)) return undefined;
  if (!response.ok) throw new JaegerQueryError(`Request failed with status ${response.status}: GET ${url}`);
  return (await tracesOf(response))[0];
}

/** The most recent traces that involve `service` (within `lookbackMs`), newest first. */
export async function fetchTraces(
  queryUrl: string,
  service: string,
  limit: number,
  lookbackMs = 3_600_000,
): Promise<JaegerTrace[]> {
  const end = Date.now();
  // RFC 3339 times; query.num_traces is the search depth, as /api/traces' limit was.
  const url =
    `${queryUrl}/api/v3/traces?query.service_name=${encodeURIComponent(service)}` +
    `&query.start_time_min=${new Date(end - lookbackMs).toISOString()}` +
    `&query.start_time_max=${new Date(end).toISOString()}&query.num_traces=${limit}`;
  const response = await get(url);
  if (await isNoTraces(response)) return [];
  if (!response.ok) throw new JaegerQueryError(`Request failed with status ${response.status}: GET ${url}`);
  const traces = await tracesOf(response);
  const startOf = (trace: JaegerTrace) => Math.min(...trace.spans.map((span) => span.startTime));
  return traces.sort((a, b) => startOf(b) - startOf(a));
}

/**
 * The span's service. Knative's queue-proxy reports the service of the pod it sits in (its process
 * carries `container.name: queue-proxy`): it is named `<service>/queue-proxy`, apart from the function.
 */
export function serviceOf(trace: JaegerTrace, span: JaegerSpan): string {
  const process = trace.processes[span.processID];
  if (!process) return '?';
  const container = process.tags?.find((tag) => tag.key === 'container.name')?.value;
  return container === 'queue-proxy' ? `${process.serviceName}/queue-proxy` : process.serviceName;
}

export function tagOf(span: JaegerSpan, key: string): unknown {
  return span.tags.find((candidate) => candidate.key === key)?.value;
}

/** The span's parent within the trace, if it is there. */
export function parentOf(trace: JaegerTrace, span: JaegerSpan): JaegerSpan | undefined {
  const reference = span.references.find((candidate) => candidate.refType === 'CHILD_OF');
  return reference && trace.spans.find((candidate) => candidate.spanID === reference.spanID);
}
