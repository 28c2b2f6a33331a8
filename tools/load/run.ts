// Sends visits to the frontend, `concurrency` at a time, and records what each one got.

export interface VisitResult {
  /** 0 when no answer came (the connection failed or timed out). */
  status: number;
  /** From sending the request to the end of the answer's body. */
  ms: number;
  visitor?: number;
  traceId?: string;
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
  visits: number;
  concurrency: number;
  /** One visit's limit: longer than the frontend's own backend timeout. */
  timeoutMs?: number;
  onProgress?: (progress: Progress) => void;
}

const VISITOR = /You're visitor number (\d+) in here!/;
const TRACE_RESPONSE = /^00-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;

async function visit(url: string, timeoutMs: number): Promise<VisitResult> {
  const started = performance.now();
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    const body = await response.text();
    const ms = performance.now() - started;
    const visitor = response.ok ? VISITOR.exec(body)?.[1] : undefined;
    const traceId = TRACE_RESPONSE.exec(response.headers.get('traceresponse') ?? '')?.[1];
    return {
      status: response.status,
      ms,
      ...(visitor === undefined ? {} : { visitor: Number(visitor) }),
      ...(traceId === undefined ? {} : { traceId }),
    };
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
    return { status: 0, ms: performance.now() - started, error: cause };
  }
}

export async function runLoad({
  url,
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
      const result = await visit(url, timeoutMs);
      results[index] = result;
      done += 1;
      if (result.status !== 200) failed += 1;
      onProgress?.({ done, total: visits, inFlight: Math.min(concurrency, visits - done), failed });
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, visits) }, worker));
  return results;
}
