// Generated from functions/lib/unbundled-exporters.ts by tools/commands/generate-lib.ts (npm run build): do not edit.
// What the bundle (dist/tracing.mjs) gets for the Zipkin and Prometheus exporters, which NodeSDK
// imports whether it uses them or not. It makes them only when told to by OTEL_TRACES_EXPORTER or
// OTEL_METRICS_EXPORTER without span processors or metric readers of ours, and tracing.ts always
// gives both; the real ones import node:http as an ES module, whose facade alone cost a cold start
// some 13 ms (its lazy WebSocket getters load fetch's undici). `npm run build` puts this module in
// their place (esbuild's --alias); the source, run without the bundle, has the real ones.

export class ExporterNotBundledError extends Error {
  override name = 'ExporterNotBundledError';
}

function refuse(exporter: string): never {
  throw new ExporterNotBundledError(
    `${exporter} is not in this function's telemetry bundle: it exports traces over OTLP gRPC only.`,
  );
}

export class ZipkinExporter {
  constructor() {
    refuse('@opentelemetry/exporter-zipkin');
  }
}

export class PrometheusExporter {
  constructor() {
    refuse('@opentelemetry/exporter-prometheus');
  }
}
