// The backend's HTTP behaviour, free of any server framework: a CoreRequest in, a Reply out.
import { trace } from '@opentelemetry/api';
import type { CounterService } from './counter-service.ts';
import { CounterStoreTimeoutError, CounterStoreUnavailableError } from './counter-store.ts';
import { FORWARDED_HEADER, HANDOFF_TO_HEADER, HandoffRefusedError } from './handoff-counter.ts';
import { type CoreRequest, methodNotAllowed, type Reply, textReply } from './lib/http.ts';
import { markFailed } from './lib/spans.ts';

export const ALLOWED_METHODS = ['GET', 'HEAD', 'POST'] as const;

/** How soon a client may try again when the counter store is down: it reconnects every second. */
const RETRY_AFTER_SECONDS = '1';

async function answer(service: CounterService, { method, hasBody, header }: CoreRequest): Promise<Reply> {
  switch (method) {
    case 'GET':
    case 'HEAD':
      return textReply(200, `${await service.read()}\n`);
    case 'POST': {
      // Nothing sets the counter: an increase takes no body, and a request with one is refused.
      if (hasBody) return textReply(400, 'POST takes no body: it only adds one to the counter.\n');
      const successor = header?.(HANDOFF_TO_HEADER);
      if (successor !== undefined) return handOver(service, successor);
      if (header?.(FORWARDED_HEADER) !== undefined) return textReply(200, `${await service.increasePassedOn()}\n`);
      return textReply(200, `${await service.increase()}\n`);
    }
    default:
      return methodNotAllowed(method, ALLOWED_METHODS);
  }
}

/** A new backend asks for the count (handoff-counter.ts): it names its own address, a plain http URL. */
async function handOver(service: CounterService, successor: string): Promise<Reply> {
  const url = URL.canParse(successor) ? new URL(successor) : undefined;
  if (url?.protocol !== 'http:' || url.pathname !== '/' || url.search || url.hash || url.username) {
    return textReply(400, `${HANDOFF_TO_HEADER} must be a backend's address, http://host:port/.\n`);
  }
  const handed = service.handOver(url);
  if (!handed) return textReply(409, 'The count is in Redis: there is no count here to hand over.\n');
  try {
    return textReply(200, `${await handed}\n`);
  } catch (error) {
    if (error instanceof HandoffRefusedError) return textReply(409, `No handover: ${error.message}.\n`);
    throw error;
  }
}

export async function replyTo(service: CounterService, request: CoreRequest): Promise<Reply> {
  try {
    return await answer(service, request);
  } catch (error) {
    // The counter store failing is not a bug of ours: a short answer that says which, the details on the span.
    if (error instanceof CounterStoreUnavailableError) {
      markFailed(trace.getActiveSpan(), error);
      return textReply(503, 'Service Unavailable: the counter store is unreachable.\n', {
        'retry-after': RETRY_AFTER_SECONDS,
      });
    }
    if (error instanceof CounterStoreTimeoutError) {
      markFailed(trace.getActiveSpan(), error);
      return textReply(504, `Gateway Timeout: the counter store did not answer within ${error.timeoutMs} ms.\n`);
    }
    throw error;
  }
}
