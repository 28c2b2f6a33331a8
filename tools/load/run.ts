// Sends visits to the frontend, `concurrency` at a time, and records what each one got.
import { rawRequest } from '../processes/raw-http.ts';

export interface VisitResult {
  /** 0 when no answer came (the connection failed or timed out). */
  status: number;
  /** From sending the request to the end of the answer's body. */
  ms: number;
  visitor?: number;
  traceId?: string;
  /**
   * Whether the frontend sampled the visit, from its traceresponse's flags (`-01` sampled, `-00` not):
   * an unsampled visit makes no trace. Set with traceId.
   */
  sampled?: boolean;
  error?: string;
}

export interface Progress {
  done: number;
  total: number;
  inFlight: number;
  failed: number;
}

export interface LoadOptions {
  url: string;
  /**
   * The Host header to send in place of the URL's, for an ingress that routes by name (Knative's:
   * `frontend.default.example.com` at the ingress's address); fetch cannot send one.
   */
  host?: string;
  visits: number;
  concurrency: number;
  /** One visit's limit: longer than the frontend's own backend timeout. */
  timeoutMs?: number;
  onProgress?: (progress: Progress) => void;
}

const VISITOR = /You're visitor number (\d+) in here!/;
const TRACE_RESPONSE = /^00-([0-9a-f]{32})-[0-9a-f]{16}-([0-9a-f]{2})$/;
/** The W3C trace flags' sampled bit. */
const SAMPLED = 0x01;

// The visits go out with fetch from this process, which runs no tracing: they carry no traceparent,
// so the frontend decides for itself whether to sample each one, as it does for a visitor's. A
// traceparent sent from here would make that decision in its place (test/load/run.test.ts checks).

interface Answer {
  status: number;
  body: string;
  traceResponse: string | null;
}

async function get(url: string, timeoutMs: number): Promise<Answer> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  return { status: response.status, body: await response.text(), traceResponse: response.headers.get('traceresponse') };
}

/** GET under another Host header (an ingress that routes by name), which fetch cannot send. */
async function getWithHost(url: string, host: string, timeoutMs: number): Promise<Answer> {
  const { pathname, search } = new URL(url);
  const response = await rawRequest(url, { path: pathname + search, headers: { host }, timeoutMs });
  const header = response.headers.traceresponse;
  return { status: response.status, body: response.body, traceResponse: typeof header === 'string' ? header : null };
}

async function visit(url: string, host: string | undefined, timeoutMs: number): Promise<VisitResult> {
  const started = performance.now();
  try {
    const response = host === undefined ? await get(url, timeoutMs) : await getWithHost(url, host, timeoutMs);
    const ms = performance.now() - started;
    const ok = response.status >= 200 && response.status < 300;
    const visitor = ok ? VISITOR.exec(response.body)?.[1] : undefined;
    const traceResponse = TRACE_RESPONSE.exec(response.traceResponse ?? '');
    return {
      status: response.status,
      ms,
      ...(visitor === undefined ? {} : { visitor: Number(visitor) }),
      ...(traceResponse?.[1] === undefined
        ? {}
        : { traceId: traceResponse[1], sampled: (Number.parseInt(traceResponse[2] ?? '0', 16) & SAMPLED) !== 0 }),
    };
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
    return { status: 0, ms: performance.now() - started, error: cause };
  }
}

export async function runLoad({
  url,
  host,
  visits,
  concurrency,
  timeoutMs = 60_000,
  onProgress,
}: LoadOptions): Promise<VisitResult[]> {
  const results: VisitResult[] = new Array(visits);
  let next = 0;
  let done = 0;
  let failed = 0;
  const worker = async () => {
    while (next < visits) {
      const index = next++;
      const result = await visit(url, host, timeoutMs);
      results[index] = result;
      done += 1;
      if (result.status !== 200) failed += 1;
      onProgress?.({ done, total: visits, inFlight: Math.min(concurrency, visits - done), failed });
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, visits) }, worker));
  return results;
}
