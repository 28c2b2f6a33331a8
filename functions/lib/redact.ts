// No user data leaves the function in a span. The HTTP instrumentation records, as the semantic
// conventions say, the client's address and port, its user agent and the query string; they are
// removed from every span before export.
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';

export const USER_DATA_ATTRIBUTES: ReadonlySet<string> = new Set([
  'client.address',
  'client.port',
  'network.peer.address',
  'network.peer.port',
  'user_agent.original',
  'url.query',
]);

export function withoutUserData(span: ReadableSpan): ReadableSpan {
  if (!Object.keys(span.attributes).some((key) => USER_DATA_ATTRIBUTES.has(key))) return span;
  const attributes = Object.fromEntries(
    Object.entries(span.attributes).filter(([key]) => !USER_DATA_ATTRIBUTES.has(key)),
  );
  return {
    name: span.name,
    kind: span.kind,
    spanContext: () => span.spanContext(),
    ...(span.parentSpanContext ? { parentSpanContext: span.parentSpanContext } : {}),
    startTime: span.startTime,
    endTime: span.endTime,
    status: span.status,
    attributes,
    links: span.links,
    events: span.events,
    duration: span.duration,
    ended: span.ended,
    resource: span.resource,
    instrumentationScope: span.instrumentationScope,
    droppedAttributesCount: span.droppedAttributesCount,
    droppedEventsCount: span.droppedEventsCount,
    droppedLinksCount: span.droppedLinksCount,
  };
}

/** Wraps an exporter so that what it sends holds no user data. */
export function redactingExporter(exporter: SpanExporter): SpanExporter {
  return {
    export: (spans: ReadableSpan[], done: (result: ExportResult) => void) =>
      exporter.export(spans.map(withoutUserData), done),
    shutdown: () => exporter.shutdown(),
    forceFlush: () => exporter.forceFlush?.() ?? Promise.resolve(),
  };
}
