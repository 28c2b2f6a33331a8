// What `npm start` runs, decided from the environment alone, so that it can be tested without running it.
import { resolve } from 'node:path';
import { DEFAULT_JAEGER_PORTS, DEFAULT_SAMPLING_STRATEGIES, type JaegerPorts } from '../jaeger/run.ts';
import { ConfigError, readHttpUrl, readInteger, readPort } from './settings.ts';

/** The trace page's port: beside the functions (8080, 8081), clear of Jaeger's (16686, 4317, 4318, 16685, 13133, 8888, 5778). */
export const DEFAULT_PAGE_PORT = 8090;

/** The local Redis of COUNTER_STORE=redis: beside Redis's own 6379, which a Redis of the machine's may hold. */
export const DEFAULT_REDIS_PORT = 6380;

/** Enough backend processes to see requests spread over them, few enough for a laptop. */
export const MOST_BACKEND_REPLICAS = 8;

export interface StartPlan {
  frontendPort: number;
  backendPort: number;
  /** The trace page, which reads the local Jaeger: started only with it. */
  pagePort: number;
  /** A local Jaeger's ports; undefined when tracing is off or spans go to a collector of the user's. */
  jaeger: JaegerPorts | undefined;
  /** The local Jaeger's sampling strategies file (JAEGER_SAMPLING_STRATEGIES), an absolute path. */
  samplingStrategies: string;
  /** Start the backend: not when COUNTER_ENDPOINT names another one. */
  startBackend: boolean;
  /** How many backend processes; above 1, behind a round-robin at backendPort (BACKEND_REPLICAS). */
  backendReplicas: number;
  /** A local redis-server to start for the counter (COUNTER_STORE=redis), on this port. */
  redis: { port: number } | undefined;
  /** Variables set for the backend only, on top of functionEnv (COUNTER_STORE for the local Redis). */
  backendEnv: Record<string, string>;
  counterEndpoint: string;
  /** Why a part is not started, for the start-up summary. */
  notes: string[];
  /** Variables set for both functions on top of the user's environment. */
  functionEnv: Record<string, string>;
}

/**
 * How often the functions send their spans to `npm start`'s own Jaeger, unless OTEL_BSP_SCHEDULE_DELAY
 * says otherwise. The SDK's 5 s suits a collector across a network: fewer, larger exports. Here Jaeger
 * is on the same machine and the point is to look at traces: 1 s shows a visit's trace a second after
 * it (and ends `npm run load`'s wait for whole traces that much sooner), for at most one small local
 * export a second per function while visits come, and none when idle (the batch processor's timer runs
 * only while spans wait). The functions' own default stays the SDK's, which is what a cluster runs.
 */
export const LOCAL_BATCH_DELAY_MS = 1000;

/**
 * OTEL_TRACES_SAMPLER_ARG for functions that follow Jaeger's strategies (jaeger_remote,
 * parentbased_jaeger_remote) and name no endpoint: the local Jaeger's, which npm start knows as it
 * knows where spans go, before whatever else the variable says. Undefined: leave the variable alone.
 */
export function localRemoteSamplerArg(env: NodeJS.ProcessEnv, samplingPort: number): string | undefined {
  const sampler = env.OTEL_TRACES_SAMPLER?.trim().toLowerCase();
  if (sampler !== 'jaeger_remote' && sampler !== 'parentbased_jaeger_remote') return undefined;
  const arg = env.OTEL_TRACES_SAMPLER_ARG?.trim() ?? '';
  if (arg.split(',').some((part) => part.trim().startsWith('endpoint='))) return undefined;
  return [`endpoint=http://localhost:${samplingPort}`, ...(arg === '' ? [] : [arg])].join(',');
}

/** Throws a ConfigError naming the variable when a port or URL is malformed. */
export function planStart(env: NodeJS.ProcessEnv): StartPlan {
  const notes: string[] = [];
  const tracingOff = env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true';
  const collector = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (tracingOff) notes.push('OTEL_SDK_DISABLED=true: tracing is off, so no Jaeger is started.');
  else if (collector) notes.push(`Spans go to ${collector}, so no local Jaeger is started.`);
  if (tracingOff || collector) {
    notes.push('No trace page either: it reads the local Jaeger (npm run page -- --jaeger URL reads another).');
  }

  const backendPort = readPort(env, 'BACKEND_PORT', 8081);
  const startBackend = !env.COUNTER_ENDPOINT;
  const counterEndpoint = startBackend
    ? `http://localhost:${backendPort}`
    : readHttpUrl(env, 'COUNTER_ENDPOINT').href.replace(/\/$/, '');
  if (!startBackend) notes.push(`COUNTER_ENDPOINT=${env.COUNTER_ENDPOINT}: the frontend uses that backend.`);

  // COUNTER_STORE=redis is npm start's own word: a redis-server of ours. A redis:// URL goes to the
  // backend as it is (the backend checks it), and anything else too, for the backend to refuse.
  const store = env.COUNTER_STORE?.trim() ?? '';
  const localRedis = startBackend && store === 'redis';
  const redisStore = store === 'redis' || store.startsWith('redis://');
  const backendReplicas = startBackend
    ? readInteger(env, 'BACKEND_REPLICAS', 1, { min: 1, max: MOST_BACKEND_REPLICAS })
    : 1;
  if (backendReplicas > 1 && !redisStore) {
    throw new ConfigError(
      'BACKEND_REPLICAS',
      env.BACKEND_REPLICAS,
      '1 while the counter is in memory: each backend would count on its own (set COUNTER_STORE=redis to run more)',
    );
  }
  const redisPort = readPort(env, 'REDIS_PORT', DEFAULT_REDIS_PORT);
  const backendEnv: Record<string, string> = localRedis ? { COUNTER_STORE: `redis://127.0.0.1:${redisPort}` } : {};

  const defaults = DEFAULT_JAEGER_PORTS;
  const localJaeger = !tracingOff && !collector;
  const samplingPort = readPort(env, 'JAEGER_SAMPLING_PORT', defaults.sampling);
  const functionEnv: Record<string, string> =
    localJaeger && !env.OTEL_BSP_SCHEDULE_DELAY?.trim()
      ? { OTEL_BSP_SCHEDULE_DELAY: String(LOCAL_BATCH_DELAY_MS) }
      : {};
  const remoteArg = localJaeger ? localRemoteSamplerArg(env, samplingPort) : undefined;
  if (remoteArg !== undefined) functionEnv.OTEL_TRACES_SAMPLER_ARG = remoteArg;
  return {
    frontendPort: readPort(env, 'FRONTEND_PORT', 8080),
    backendPort,
    pagePort: readPort(env, 'PAGE_PORT', DEFAULT_PAGE_PORT),
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
            sampling: samplingPort,
          },
    samplingStrategies: env.JAEGER_SAMPLING_STRATEGIES?.trim()
      ? resolve(env.JAEGER_SAMPLING_STRATEGIES.trim())
      : DEFAULT_SAMPLING_STRATEGIES,
    startBackend,
    backendReplicas,
    redis: localRedis ? { port: redisPort } : undefined,
    backendEnv,
    counterEndpoint,
    notes,
    functionEnv,
  };
}
