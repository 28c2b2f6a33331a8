// Starts real parts of the system for a test, on free ports, and stops them in teardown even when
// the test fails.
import type { ExecutionContext } from 'ava';
import { type Entry, type FunctionName, type RunningFunction, startFunctionProcess } from '../../tools/functions.ts';
import { locateJaeger } from '../../tools/jaeger/binary.ts';
import { freeJaegerPorts, type JaegerPorts, type RunningJaeger, startJaeger } from '../../tools/jaeger/run.ts';
import { findFreePort, onFreePorts } from '../../tools/process.ts';

/** The environment the functions start with in tests: this process's, less anything that would change them. */
export function baseEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of Object.keys(env)) {
    if (/^(OTEL_|LAG_|COUNTER_ENDPOINT|BACKEND_TIMEOUT_MS|FUNC_|K_|PORT$)/.test(name)) delete env[name];
  }
  return { ...env, ...extra };
}

/** A fresh Jaeger for this test, on free ports (or on `ports`), stopped in teardown. */
export async function startTestJaeger(t: ExecutionContext, ports?: JaegerPorts): Promise<RunningJaeger> {
  const binary = await locateJaeger(process.env);
  if (!binary) throw new Error('No Jaeger binary: `npm test` builds it first (npm run setup); run that.');
  const jaeger = ports
    ? await startJaeger(binary, { ports })
    : await onFreePorts(async () => startJaeger(binary, { ports: await freeJaegerPorts() }));
  t.teardown(() => jaeger.stop());
  return jaeger;
}

export async function startTestFunction(
  t: ExecutionContext,
  name: FunctionName,
  env: NodeJS.ProcessEnv,
  { port, entry = 'faas' }: { port?: number; entry?: Entry } = {},
): Promise<RunningFunction> {
  const running = port
    ? await startFunctionProcess(name, { port, env, entry })
    : await onFreePorts(async () => startFunctionProcess(name, { port: await findFreePort(), env, entry }));
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
    entry = 'faas',
  }: {
    backendEnv?: NodeJS.ProcessEnv;
    frontendEnv?: NodeJS.ProcessEnv;
    tracing?: boolean;
    entry?: Entry;
  } = {},
): Promise<TestSystem> {
  const jaeger = tracing ? await startTestJaeger(t) : undefined;
  const telemetry = jaeger
    ? { OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpEndpoint, OTEL_BSP_SCHEDULE_DELAY: '100' }
    : { OTEL_SDK_DISABLED: 'true' };
  const backend = await startTestFunction(t, 'backend', baseEnv({ ...telemetry, ...backendEnv }), { entry });
  const frontendEnvironment = baseEnv({ ...telemetry, COUNTER_ENDPOINT: backend.url, ...frontendEnv });
  const frontend = await startTestFunction(t, 'frontend', frontendEnvironment, { entry });
  return { jaeger, backend, frontend };
}

export type { FunctionName, RunningFunction };
