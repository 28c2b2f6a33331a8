// What `npm start` runs, decided from the environment alone, so that it can be tested without running it.
import { DEFAULT_JAEGER_PORTS, type JaegerPorts } from '../jaeger/run.ts';
import { readHttpUrl, readPort } from './settings.ts';

export interface StartPlan {
  frontendPort: number;
  backendPort: number;
  /** A local Jaeger's ports; undefined when tracing is off or spans go to a collector of the user's. */
  jaeger: JaegerPorts | undefined;
  /** Start the backend: not when COUNTER_ENDPOINT names another one. */
  startBackend: boolean;
  counterEndpoint: string;
  /** Why a part is not started, for the start-up summary. */
  notes: string[];
}

/** Throws a ConfigError naming the variable when a port or URL is malformed. */
export function planStart(env: NodeJS.ProcessEnv): StartPlan {
  const notes: string[] = [];
  const tracingOff = env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true';
  const collector = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (tracingOff) notes.push('OTEL_SDK_DISABLED=true: tracing is off, so no Jaeger is started.');
  else if (collector) notes.push(`Spans go to ${collector}, so no local Jaeger is started.`);

  const backendPort = readPort(env, 'BACKEND_PORT', 8081);
  const startBackend = !env.COUNTER_ENDPOINT;
  const counterEndpoint = startBackend
    ? `http://localhost:${backendPort}`
    : readHttpUrl(env, 'COUNTER_ENDPOINT').href.replace(/\/$/, '');
  if (!startBackend) notes.push(`COUNTER_ENDPOINT=${env.COUNTER_ENDPOINT}: the frontend uses that backend.`);

  const defaults = DEFAULT_JAEGER_PORTS;
  return {
    frontendPort: readPort(env, 'FRONTEND_PORT', 8080),
    backendPort,
    jaeger:
      tracingOff || collector
        ? undefined
        : {
            otlpGrpc: readPort(env, 'JAEGER_OTLP_GRPC_PORT', defaults.otlpGrpc),
            otlpHttp: readPort(env, 'JAEGER_OTLP_HTTP_PORT', defaults.otlpHttp),
            query: readPort(env, 'JAEGER_QUERY_PORT', defaults.query),
            queryGrpc: readPort(env, 'JAEGER_QUERY_GRPC_PORT', defaults.queryGrpc),
            health: readPort(env, 'JAEGER_HEALTH_PORT', defaults.health),
            metrics: readPort(env, 'JAEGER_METRICS_PORT', defaults.metrics),
          },
    startBackend,
    counterEndpoint,
    notes,
  };
}
