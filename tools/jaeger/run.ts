// Runs a real Jaeger v2 all-in-one (in-memory storage) with tools/jaeger/config.yaml.
import { join } from 'node:path';
import { type Child, spawnChild, waitForHttp } from '../process.ts';
import { JAEGER_MODULE_DIR } from './binary.ts';

export interface JaegerPorts {
  otlpGrpc: number;
  otlpHttp: number;
  query: number;
  queryGrpc: number;
  health: number;
}

/** Jaeger's own defaults. */
export const DEFAULT_JAEGER_PORTS: JaegerPorts = {
  otlpGrpc: 4317,
  otlpHttp: 4318,
  query: 16686,
  queryGrpc: 16685,
  health: 13133,
};

export interface RunningJaeger {
  child: Child;
  ports: JaegerPorts;
  /** Where the functions send spans: OTEL_EXPORTER_OTLP_ENDPOINT. */
  otlpEndpoint: string;
  /** The query API and UI. */
  queryUrl: string;
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
    stop: async () => {
      await child.stop();
    },
  };
}
