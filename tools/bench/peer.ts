// The benchmark's peer: the same two functions traced the way OpenTelemetry's documentation starts a
// Node app with zero code (https://opentelemetry.io/docs/zero-code/js/): the auto-instrumentations
// package's register module preloaded, configured by OTEL_* variables only, exporting OTLP over gRPC
// to the same Jaeger. Its register module starts the SDK before anything else, so the functions'
// own telemetry module finds it running and stays off (functions/lib/telemetry.ts): no preload of
// ours, no second SDK.
import type { FunctionName } from '../functions/run.ts';

/** `node --require @opentelemetry/auto-instrumentations-node/register app.js`, as the page has it. */
export const ZERO_CODE_PRELOAD: readonly string[] = ['--require', '@opentelemetry/auto-instrumentations-node/register'];

/**
 * The page's variables, with gRPC as the protocol. Two more, each in the peer's favour or forced
 * by this machine: OTEL_NODE_RESOURCE_DETECTORS as the page's own example sets it (all detectors
 * would also ask cloud metadata services, which are not reachable from here), and no metrics or logs
 * exporters, which Jaeger would refuse (and which would cost the peer time on every request).
 */
export function zeroCodeEnv(name: FunctionName, otlpEndpoint: string): NodeJS.ProcessEnv {
  return {
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
    OTEL_EXPORTER_OTLP_ENDPOINT: otlpEndpoint,
    OTEL_SERVICE_NAME: name,
    OTEL_NODE_RESOURCE_DETECTORS: 'env,host,os',
    OTEL_METRICS_EXPORTER: 'none',
    OTEL_LOGS_EXPORTER: 'none',
  };
}
