// A real OpenTelemetry tracer provider that keeps finished spans in memory, for unit tests of code
// that makes spans. Each ava test file runs in its own process, so setting the globals is safe.
import { context, DiagLogLevel, diag, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';

export function installMemoryTracing(): InMemorySpanExporter {
  const exporter = new InMemorySpanExporter();
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] }));
  return exporter;
}

/** The W3C trace context and baggage propagators, as NodeSDK sets them, for code that reads or writes headers. */
export function installW3cPropagation(): void {
  propagation.setGlobalPropagator(
    new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
  );
}

/** Sends the SDK's own warnings and errors (diag) to the array answered, until `diag.disable()`. */
export function captureDiagWarnings(): string[] {
  const warnings: string[] = [];
  const record = (message: string) => warnings.push(message);
  diag.setLogger(
    { error: record, warn: record, info: () => {}, debug: () => {}, verbose: () => {} },
    DiagLogLevel.WARN,
  );
  return warnings;
}
