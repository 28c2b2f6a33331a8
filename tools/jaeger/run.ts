// Runs a real Jaeger v2 all-in-one (in-memory storage) with tools/jaeger/config.yaml.
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
}

/** Jaeger's own defaults. */
export const DEFAULT_JAEGER_PORTS: JaegerPorts = {
  otlpGrpc: 4317,
  otlpHttp: 4318,
  query: 16686,
  queryGrpc: 16685,
  health: 13133,
  metrics: 8888,
};

export async function freeJaegerPorts(): Promise<JaegerPorts> {
  return {
    otlpGrpc: await findFreePort(),
    otlpHttp: await findFreePort(),
    query: await findFreePort(),
    queryGrpc: await findFreePort(),
    health: await findFreePort(),
    metrics: await findFreePort(),
  };
}

export interface RunningJaeger {
  child: Child;
  ports: JaegerPorts;
  /** Where the functions send spans: OTEL_EXPORTER_OTLP_ENDPOINT. */
  otlpEndpoint: string;
  /** The query API and UI. */
  queryUrl: string;
  /** The collector's Prometheus metrics. */
  metricsUrl: string;
  stop(): Promise<void>;
}

export async function startJaeger(
  binary: string,
  { ports = DEFAULT_JAEGER_PORTS, echo = false, timeoutMs = 30_000 } = {},
): Promise<RunningJaeger> {
  const env = {
    ...process.env,
    JAEGER_OTLP_GRPC_PORT: String(ports.otlpGrpc),
    JAEGER_OTLP_HTTP_PORT: String(ports.otlpHttp),
    JAEGER_QUERY_PORT: String(ports.query),
    JAEGER_QUERY_GRPC_PORT: String(ports.queryGrpc),
    JAEGER_HEALTH_PORT: String(ports.health),
    JAEGER_METRICS_PORT: String(ports.metrics),
  };
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
    stop: async () => {
      await child.stop();
    },
  };
}
