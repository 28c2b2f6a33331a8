// Small helpers over @opentelemetry/api, so every span records errors and ends the same way.
import { type Span, SpanStatusCode, type Tracer, trace } from '@opentelemetry/api';
import { ATTR_HTTP_ROUTE } from '@opentelemetry/semantic-conventions';
import { type CoreRequest, type Reply, textReply } from './http.ts';

/** Runs `work` in a new active span; an error is recorded on it and rethrown; the span always ends. */
export async function inSpan<T>(tracer: Tracer, name: string, work: (span: Span) => Promise<T> | T): Promise<T> {
  return tracer.startActiveSpan(name, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      markFailed(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

export function markFailed(span: Span | undefined, error: unknown): void {
  if (!span) return;
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
}

/**
 * The W3C Trace Context `traceresponse` header for the current server span, or undefined when
 * tracing is off. It lets a caller go from a response straight to its trace.
 */
export function traceResponseHeader(): string | undefined {
  const context = trace.getActiveSpan()?.spanContext();
  if (!context || !trace.isSpanContextValid(context)) return undefined;
  const flags = context.traceFlags.toString(16).padStart(2, '0');
  return `00-${context.traceId}-${context.spanId}-${flags}`;
}

/** Adds the `traceresponse` header when tracing is on. */
export function withTraceResponse(reply: Reply): Reply {
  const traceResponse = traceResponseHeader();
  return traceResponse ? { ...reply, headers: { ...reply.headers, traceresponse: traceResponse } } : reply;
}

/** The methods the HTTP semantic conventions name; any other is recorded as `_OTHER`, with the original beside it. */
export const KNOWN_METHODS: ReadonlySet<string> = new Set([
  'CONNECT',
  'DELETE',
  'GET',
  'HEAD',
  'OPTIONS',
  'PATCH',
  'POST',
  'PUT',
  'QUERY',
  'TRACE',
]);

/** The `{method}` of an HTTP span's name: the method if the conventions name it, else `HTTP` (theirs for `_OTHER`). */
export function spanNameMethod(method: string): string {
  return KNOWN_METHODS.has(method) ? method : 'HTTP';
}

/**
 * Names the active server span after the route that answers it (`http.route`, and `GET /` as its
 * name); a server span with no route records no path as the client wrote it (./http-spans.ts).
 */
export function nameRoute(method: string, route: string): Span | undefined {
  const span = trace.getActiveSpan();
  span?.setAttribute(ATTR_HTTP_ROUTE, route);
  span?.updateName(`${spanNameMethod(method)} ${route}`);
  return span;
}

/**
 * Replies to one request, whatever the server: names the server span after the route, contains an
 * unexpected error (500, details on the span, none in the answer), and adds `traceresponse`.
 */
export async function replyTraced(
  request: CoreRequest,
  route: string,
  replyTo: (request: CoreRequest) => Promise<Reply>,
): Promise<Reply> {
  const span = nameRoute(request.method, route);
  try {
    return withTraceResponse(await replyTo(request));
  } catch (error) {
    // A bug, not a bad request: contain it to this request, keep the details out of the answer.
    markFailed(span, error);
    console.error('Unexpected error while replying to a request:', error);
    return withTraceResponse(textReply(500, 'Internal Server Error\n'));
  }
}
