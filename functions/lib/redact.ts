// No user data leaves the function in a span, but what a caller itself puts in its trace context
// (docs/security.md says exactly what a span records from a request). Our HTTP spans
// (./http-spans.ts) never record the client's address and port, its user agent or the query string,
// which the semantic conventions would have; an instrumentation that does (Redis's in Redis mode, one
// added later, a different HTTP instrumentation) has them removed from each span as it ends, before
// any exporter sees it. The span itself goes on to the exporter, whatever fields the SDK gives it:
// nothing is copied, so nothing can be left behind.
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';

export const USER_DATA_ATTRIBUTES: ReadonlySet<string> = new Set([
  'client.address',
  'client.port',
  'network.peer.address',
  'network.peer.port',
  'user_agent.original',
  'url.query',
  // The same, as the older HTTP conventions name them (instrumentation-http still sets them unless
  // OTEL_SEMCONV_STABILITY_OPT_IN says http).
  'http.client_ip',
  'http.user_agent',
  'net.peer.ip',
  'net.peer.port',
  'net.sock.peer.addr',
  'net.sock.peer.port',
]);

/** Attributes that hold a whole URL or request target: kept, but without the query the client wrote. */
export const URL_ATTRIBUTES: ReadonlySet<string> = new Set(['url.full', 'http.url', 'http.target']);

/** A URL or request target without its query (and fragment); the rest as it was. */
export function withoutQuery(value: string): string {
  const end = value.search(/[?#]/);
  return end < 0 ? value : value.slice(0, end);
}

/**
 * Removes USER_DATA_ATTRIBUTES from every span, and the query from URL_ATTRIBUTES; list it before the
 * processor that exports.
 */
export class RedactingSpanProcessor implements SpanProcessor {
  onStart(): void {}

  // onEnding runs while the span can still change, before any processor's onEnd. Some of these
  // attributes are set only after the span starts (the peer's address, once connected), so this is
  // the one moment that sees them all. The API cannot remove an attribute: they are deleted from
  // the span's own record of them.
  onEnding(span: Span): void {
    // A lookup of each name, not a walk over the span's attributes: nothing is allocated for a span
    // that has none of them, which is every span of ours.
    const attributes = span.attributes;
    for (const key of USER_DATA_ATTRIBUTES) if (key in attributes) delete attributes[key];
    for (const key of URL_ATTRIBUTES) {
      const value = attributes[key];
      if (typeof value === 'string') attributes[key] = withoutQuery(value);
    }
  }

  onEnd(_span: ReadableSpan): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
