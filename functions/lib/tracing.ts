// Starts the OpenTelemetry SDK: traces only, exported over OTLP gRPC (to Jaeger), configured by the
// standard OTEL_* variables (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_SERVICE_NAME, OTEL_BSP_*,
// OTEL_TRACES_SAMPLER, ...).
import type { IncomingMessage } from 'node:http';
import { DiagLogLevel, diag, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import {
  defaultResource,
  envDetector,
  osDetector,
  processDetector,
  resourceFromAttributes,
  serviceInstanceIdDetector,
} from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, type BatchSpanProcessorOptions } from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
// The function's own package.json, seen from its copy of this file in functions/<name>/src/lib/.
import packageJson from '../../package.json' with { type: 'json' };
import { hostDetectorWithOptionalId } from './host-detector.ts';
import { traceClients, traceServers } from './http-spans.ts';
import { ReconnectingExporter } from './reconnecting-exporter.ts';
import { RedactingSpanProcessor } from './redact.ts';
import { createSampler, readSamplerSettings } from './sampler.ts';
import { describeTally, SpanTally } from './span-tally.ts';
import { createThrottledLogger } from './throttled-logger.ts';

// Not yet stable in @opentelemetry/semantic-conventions, so named here.
const ATTR_FAAS_NAME = 'faas.name';
const ATTR_FAAS_VERSION = 'faas.version';

const EXPORT_ERROR_LOG_INTERVAL_MS = 30_000;

/** Health probes and metrics scrapes are not visits: they make no spans. */
function isProbe(request: IncomingMessage): boolean {
  const path = request.url ?? '';
  return path.startsWith('/health/') || path === '/metrics' || path.startsWith('/metrics?');
}

// NodeSDK reads OTEL_BSP_* only for the batch processor it makes itself from a `traceExporter`. Given
// span processors (the redaction must come before the export), it reads none of them, so they are
// read here by the SDK's own rule: a number above 0, else the default, with a warning.
type BatchSettings = Pick<
  BatchSpanProcessorOptions,
  'maxQueueSize' | 'scheduledDelayMillis' | 'exportTimeoutMillis' | 'maxExportBatchSize'
>;
const BATCH_SETTINGS = {
  maxQueueSize: 'OTEL_BSP_MAX_QUEUE_SIZE',
  scheduledDelayMillis: 'OTEL_BSP_SCHEDULE_DELAY',
  exportTimeoutMillis: 'OTEL_BSP_EXPORT_TIMEOUT',
  maxExportBatchSize: 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE',
} as const satisfies Record<keyof BatchSettings, string>;

/** The batch span processor's settings from OTEL_BSP_*; a setting left out takes the SDK's default. */
export function readBatchSettings(env: NodeJS.ProcessEnv): BatchSettings {
  const settings: BatchSettings = {};
  for (const [setting, variable] of Object.entries(BATCH_SETTINGS) as [keyof BatchSettings, string][]) {
    const raw = env[variable];
    if (raw === undefined || raw.trim() === '') continue;
    const value = Number(raw);
    if (Number.isNaN(value) || value <= 0) {
      diag.warn(`${variable} is ${JSON.stringify(raw)}: expected a number above 0, using the default.`);
      continue;
    }
    settings[setting] = value;
  }
  return settings;
}

/**
 * Where spans go, from OTEL_TRACES_EXPORTER: `otlp` (unset, the default: OTLP over gRPC) or `none`
 * (spans are made and sampled as usual, and sent nowhere). Any other exporter is not built in here:
 * a warning, and OTLP.
 */
export function readTracesExporter(env: NodeJS.ProcessEnv): 'otlp' | 'none' {
  const raw = env.OTEL_TRACES_EXPORTER?.trim().toLowerCase();
  if (raw === undefined || raw === '' || raw === 'otlp') return 'otlp';
  if (raw === 'none') return 'none';
  diag.warn(
    `OTEL_TRACES_EXPORTER is ${JSON.stringify(env.OTEL_TRACES_EXPORTER)}: only otlp (the default) and none are supported here, using otlp.`,
  );
  return 'otlp';
}

/** The instrumentation scope of the HTTP spans (./http-spans.ts). */
const HTTP_SCOPE = 'knative-tracing-counter/http';

export async function startTracing(env: NodeJS.ProcessEnv): Promise<{ shutdown(): Promise<void> }> {
  // Export failures reach us only through diag; without a logger they vanish silently.
  diag.setLogger(
    createThrottledLogger((line) => console.error(line), { intervalMs: EXPORT_ERROR_LOG_INTERVAL_MS }),
    DiagLogLevel.WARN,
  );
  // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES, when set, override these defaults.
  const attributes: Record<string, string> = {
    [ATTR_SERVICE_NAME]: packageJson.name,
    [ATTR_SERVICE_VERSION]: packageJson.version,
  };
  if (env.K_SERVICE) attributes[ATTR_FAAS_NAME] = env.K_SERVICE;
  if (env.K_REVISION) attributes[ATTR_FAAS_VERSION] = env.K_REVISION;
  // A setting's warning is said once, at start-up, past the throttle that bounds the export errors.
  const warn = (line: string) => console.error(`opentelemetry warn: ${line}`);
  // OTEL_TRACES_SAMPLER unset: no sampler of ours, NodeSDK's default (parentbased_always_on) as before.
  const samplerSettings = readSamplerSettings(env, warn);
  const sampling = samplerSettings
    ? await createSampler(samplerSettings, env.OTEL_SERVICE_NAME?.trim() || packageJson.name, warn)
    : undefined;

  const exporter =
    readTracesExporter(env) === 'none' ? undefined : new ReconnectingExporter(() => new OTLPTraceExporter());
  const tally = new SpanTally();
  const sdk = new NodeSDK({
    resource: defaultResource().merge(resourceFromAttributes(attributes)),
    ...(sampling ? { sampler: sampling.sampler } : {}),
    // The SDK's own detectors, in its order, but a host detector that does not warn in containers;
    // OTEL_NODE_RESOURCE_DETECTORS, when set, chooses instead.
    ...(env.OTEL_NODE_RESOURCE_DETECTORS
      ? {}
      : {
          resourceDetectors: [
            serviceInstanceIdDetector,
            processDetector,
            hostDetectorWithOptionalId(),
            osDetector,
            envDetector,
          ],
        }),
    spanProcessors: [
      new RedactingSpanProcessor(),
      ...(exporter ? [tally, new BatchSpanProcessor({ exporter, ...readBatchSettings(env) })] : []),
    ],
    // HTTP's spans are our own (./http-spans.ts), so in memory mode no instrumentation hooks
    // require() at all. Redis's client is instrumented only in Redis mode (COUNTER_STORE set), and
    // only then loaded: it comes with a second copy of @opentelemetry/instrumentation.
    instrumentations: env.COUNTER_STORE ? [await redisInstrumentation()] : [],
    // Jaeger takes traces only: no metrics or logs exporters to fail against it.
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  const tracer = trace.getTracer(HTTP_SCOPE, packageJson.version);
  const untrace = [traceServers(tracer, isProbe), traceClients(tracer)];
  return {
    shutdown: async () => {
      for (const stop of untrace) stop();
      sampling?.stop();
      try {
        await sdk.shutdown();
      } finally {
        // Also when the last export failed: then above all.
        if (exporter)
          console.error(describeTally({ ended: tally.ended, sent: exporter.sent, exports: exporter.exports }));
      }
    },
  };
}

/** The backend's Redis commands: a span each, under the visit's. */
async function redisInstrumentation() {
  const { IORedisInstrumentation } = await import('@opentelemetry/instrumentation-ioredis');
  return new IORedisInstrumentation();
}
