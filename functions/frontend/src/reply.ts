// The frontend's HTTP behaviour, free of any server framework: a CoreRequest in, a Reply out.
import { trace } from '@opentelemetry/api';
import { BackendError, BackendTimeoutError, type CounterClient } from './counter-client.ts';
import { type CoreRequest, methodNotAllowed, type Reply, textReply } from './lib/http.ts';
import { markFailed } from './lib/spans.ts';
import { greet, recordVisit } from './visit.ts';

export const ALLOWED_METHODS = ['GET', 'HEAD'] as const;

export interface Frontend {
  counter: CounterClient;
  backendTimeoutMs: number;
}

export async function replyTo({ counter, backendTimeoutMs }: Frontend, { method }: CoreRequest): Promise<Reply> {
  // HEAD answers without visiting: it must not count anyone.
  if (method === 'HEAD') return textReply(200, '');
  if (method !== 'GET') return methodNotAllowed(method, ALLOWED_METHODS);
  // Not AbortSignal.timeout(): its timer would outlive each visit by the whole timeout, and at
  // thousands of visits a second pile up. This one is cleared as soon as the visit ends.
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), backendTimeoutMs);
  try {
    const visitor = await recordVisit(counter, deadline.signal);
    return textReply(200, greet(visitor));
  } catch (error) {
    markFailed(trace.getActiveSpan(), error);
    if (error instanceof BackendTimeoutError) {
      return textReply(504, `Gateway Timeout: the counter backend did not answer within ${backendTimeoutMs} ms.\n`);
    }
    if (error instanceof BackendError) return textReply(502, 'Bad Gateway: the counter backend failed.\n');
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
