// Starts real parts of the system for a test, on free ports, and stops them in teardown even when
// the test fails.
import type { ExecutionContext } from 'ava';
import { type FunctionName, type RunningFunction, startFunctionProcess } from '../../tools/functions.ts';
import { locateJaeger } from '../../tools/jaeger/binary.ts';
import { type JaegerPorts, type RunningJaeger, startJaeger } from '../../tools/jaeger/run.ts';
import { findFreePort } from '../../tools/process.ts';

/** The environment the functions start with in tests: this process's, less anything that would change them. */
export function baseEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of Object.keys(env)) {
    if (/^(OTEL_|LAG_|COUNTER_ENDPOINT|BACKEND_TIMEOUT_MS|FUNC_|K_)/.test(name)) delete env[name];
  }
  return { ...env, ...extra };
}

export async function freeJaegerPorts(): Promise<JaegerPorts> {
  return {
    otlpGrpc: await findFreePort(),
    otlpHttp: await findFreePort(),
    query: await findFreePort(),
    queryGrpc: await findFreePort(),
    health: await findFreePort(),
  };
}

/** A fresh Jaeger for this test, on free ports (or on `ports`), stopped in teardown. */
export async function startTestJaeger(t: ExecutionContext, ports?: JaegerPorts): Promise<RunningJaeger> {
  const binary = await locateJaeger(process.env);
  if (!binary) throw new Error('No Jaeger binary: `npm test` builds it first (npm run setup); run that.');
  const jaeger = await startJaeger(binary, { ports: ports ?? (await freeJaegerPorts()) });
  t.teardown(() => jaeger.stop());
  return jaeger;
}

export async function startTestFunction(
  t: ExecutionContext,
  name: FunctionName,
  env: NodeJS.ProcessEnv,
  port?: number,
): Promise<RunningFunction> {
  const running = await startFunctionProcess(name, { port: port ?? (await findFreePort()), env });
  t.teardown(() => running.stop('SIGKILL'));
  return running;
}

export interface TestSystem {
  jaeger: RunningJaeger | undefined;
  backend: RunningFunction;
  frontend: RunningFunction;
}

/** Backend and frontend, traced to a fresh Jaeger unless `tracing` is false. */
export async function startTestSystem(
  t: ExecutionContext,
  {
    backendEnv = {},
    frontendEnv = {},
    tracing = true,
  }: {
    backendEnv?: NodeJS.ProcessEnv;
    frontendEnv?: NodeJS.ProcessEnv;
    tracing?: boolean;
  } = {},
): Promise<TestSystem> {
  const jaeger = tracing ? await startTestJaeger(t) : undefined;
  const telemetry = jaeger
    ? { OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpEndpoint, OTEL_BSP_SCHEDULE_DELAY: '100' }
    : { OTEL_SDK_DISABLED: 'true' };
  const backend = await startTestFunction(t, 'backend', baseEnv({ ...telemetry, ...backendEnv }));
  const frontend = await startTestFunction(
    t,
    'frontend',
    baseEnv({ ...telemetry, COUNTER_ENDPOINT: backend.url, ...frontendEnv }),
  );
  return { jaeger, backend, frontend };
}

export type { FunctionName, RunningFunction };
