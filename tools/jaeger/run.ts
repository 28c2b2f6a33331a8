// Runs a real Jaeger v2 all-in-one (in-memory storage) with tools/jaeger/config.yaml, its sampling
// strategies from tools/jaeger/sampling-strategies.json unless given another file.
import { join } from 'node:path';
import { findFreePort } from '../processes/ports.ts';
import { type Child, spawnChild, waitForHttp } from '../processes/process.ts';
import { JAEGER_MODULE_DIR } from './binary.ts';

export interface JaegerPorts {
  otlpGrpc: number;
  otlpHttp: number;
  query: number;
  queryGrpc: number;
  health: number;
  /** The collector's own Prometheus metrics (spans accepted and refused). */
  metrics: number;
  /** The remote_sampling extension's HTTP endpoint: GET /sampling?service=NAME. */
  sampling: number;
}

/**
 * Sampling with probability 1, for every service. The one operation it names (GET, the name a
 * server span starts with) is there so that Jaeger's answer has a per-operation part: without one,
 * @opentelemetry/sampler-jaeger-remote does not follow Jaeger v2's answer (docs/sampling.md).
 */
export const DEFAULT_SAMPLING_STRATEGIES = join(JAEGER_MODULE_DIR, 'sampling-strategies.json');

/** Jaeger's own defaults. */
export const DEFAULT_JAEGER_PORTS: JaegerPorts = {
  otlpGrpc: 4317,
  otlpHttp: 4318,
  query: 16686,
  queryGrpc: 16685,
  health: 13133,
  metrics: 8888,
  sampling: 5778,
};

export async function freeJaegerPorts(): Promise<JaegerPorts> {
  return {
    otlpGrpc: await findFreePort(),
    otlpHttp: await findFreePort(),
    query: await findFreePort(),
    queryGrpc: await findFreePort(),
    health: await findFreePort(),
    metrics: await findFreePort(),
    sampling: await findFreePort(),
  };
}

/** The variable of config.yaml that sets each port (npm start reads the same names). */
export const JAEGER_PORT_VARIABLES: Readonly<Record<keyof JaegerPorts, string>> = {
  otlpGrpc: 'JAEGER_OTLP_GRPC_PORT',
  otlpHttp: 'JAEGER_OTLP_HTTP_PORT',
  query: 'JAEGER_QUERY_PORT',
  queryGrpc: 'JAEGER_QUERY_GRPC_PORT',
  health: 'JAEGER_HEALTH_PORT',
  metrics: 'JAEGER_METRICS_PORT',
  sampling: 'JAEGER_SAMPLING_PORT',
};

export interface RunningJaeger {
  child: Child;
  ports: JaegerPorts;
  /** Where the functions send spans: OTEL_EXPORTER_OTLP_ENDPOINT. */
  otlpEndpoint: string;
  /** The query API and UI. */
  queryUrl: string;
  /** The collector's Prometheus metrics. */
  metricsUrl: string;
  /** Where the functions ask for their sampling strategy: OTEL_TRACES_SAMPLER_ARG's endpoint. */
  samplingUrl: string;
  stop(): Promise<void>;
}

export async function startJaeger(
  binary: string,
  {
    ports = DEFAULT_JAEGER_PORTS,
    echo = false,
    timeoutMs = 30_000,
    strategies = DEFAULT_SAMPLING_STRATEGIES,
  }: { ports?: JaegerPorts; echo?: boolean; timeoutMs?: number; strategies?: string } = {},
): Promise<RunningJaeger> {
  const env: NodeJS.ProcessEnv = { ...process.env, JAEGER_SAMPLING_STRATEGIES: strategies };
  for (const [port, variable] of Object.entries(JAEGER_PORT_VARIABLES) as [keyof JaegerPorts, string][]) {
    env[variable] = String(ports[port]);
  }
  const child = spawnChild('jaeger', binary, ['--config', join(JAEGER_MODULE_DIR, 'config.yaml')], { env, echo });
  try {
    await waitForHttp(`http://localhost:${ports.health}/status`, { timeoutMs, child });
  } catch (error) {
    await child.stop('SIGKILL');
    throw error;
  }
  return {
    child,
    ports,
    otlpEndpoint: `http://localhost:${ports.otlpGrpc}`,
    queryUrl: `http://localhost:${ports.query}`,
    metricsUrl: `http://localhost:${ports.metrics}/metrics`,
    samplingUrl: `http://localhost:${ports.sampling}`,
    stop: async () => {
      await child.stop();
    },
  };
}
