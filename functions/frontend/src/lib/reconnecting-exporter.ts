// Generated from functions/lib/reconnecting-exporter.ts by tools/commands/generate-lib.ts (npm run build): do not edit.
// An exporter that starts afresh after a failed export. The OTLP gRPC exporter keeps one channel,
// and @grpc/grpc-js backs its reconnection off up to 120 s: after a long collector outage, spans kept
// failing for up to two minutes after the collector was back. A failed export now drops the exporter
// and the next export makes a new one, whose channel connects at once. While the collector is down
// that is one connection attempt per batch (every 5 s by default), as before the backoff grew.
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';

/** @opentelemetry/core's ExportResultCode.SUCCESS. */
const SUCCESS = 0;

type ExportResult = Parameters<Parameters<SpanExporter['export']>[1]>[0];

export class ReconnectingExporter implements SpanExporter {
  readonly #create: () => SpanExporter;
  #current: SpanExporter;
  #failed = false;
  /** Spans in exports that succeeded, and those exports. */
  sent = 0;
  exports = 0;

  constructor(create: () => SpanExporter) {
    this.#create = create;
    this.#current = create();
  }

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    if (this.#failed) {
      const previous = this.#current;
      this.#current = this.#create();
      this.#failed = false;
      // Its channel is in backoff: nothing to wait for.
      previous.shutdown().catch(() => {});
    }
    this.#current.export(spans, (result) => {
      if (result.code === SUCCESS) {
        this.sent += spans.length;
        this.exports += 1;
      } else this.#failed = true;
      done(result);
    });
  }

  shutdown(): Promise<void> {
    return this.#current.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.#current.forceFlush?.() ?? Promise.resolve();
  }
}
