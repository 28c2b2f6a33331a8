// A small client of Jaeger's query API (the one its UI uses): /api/traces and /api/traces/{id}.

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

/** One trace by id; undefined when Jaeger does not have it (yet). */
export async function fetchTrace(queryUrl: string, traceId: string): Promise<JaegerTrace | undefined> {
  const url = `${queryUrl}/api/traces/${encodeURIComponent(traceId)}`;
  const response = await get(url);
  if (response.status === 404) return undefined;
  if (!response.ok) throw new JaegerQueryError(`Request failed with status ${response.status}: GET ${url}`);
  const body = (await response.json()) as { data: JaegerTrace[] | null };
  return body.data?.[0];
}

/** The most recent traces that involve `service` (within `lookbackMs`), newest first. */
export async function fetchTraces(
  queryUrl: string,
  service: string,
  limit: number,
  lookbackMs = 3_600_000,
): Promise<JaegerTrace[]> {
  const end = Date.now() * 1000;
  const start = end - lookbackMs * 1000;
  const url = `${queryUrl}/api/traces?service=${encodeURIComponent(service)}&limit=${limit}&start=${start}&end=${end}`;
  const response = await get(url);
  if (!response.ok) throw new JaegerQueryError(`Request failed with status ${response.status}: GET ${url}`);
  const body = (await response.json()) as { data: JaegerTrace[] | null };
  const traces = body.data ?? [];
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
