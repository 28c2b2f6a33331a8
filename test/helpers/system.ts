// Starts real parts of the system for a test, on free ports, and stops them in teardown even when
// the test fails.
import type { ExecutionContext, TestFn } from 'ava';
import { spawnFunctionContainer } from '../../tools/containers/run.ts';
import {
  type Entry,
  type FunctionName,
  functionCommand,
  functionDirectory,
  type RunningFunction,
} from '../../tools/functions/run.ts';
import type { JaegerPorts, RunningJaeger } from '../../tools/jaeger/run.ts';
import { cleanEnv, Processes } from '../../tools/local/system.ts';
import { findFreePort } from '../../tools/processes/ports.ts';
import { type Child, spawnChild } from '../../tools/processes/process.ts';
import type { RedisOptions, RunningRedis } from '../../tools/redis/server.ts';

/** The environment the functions start with in tests: this process's, less anything that would change them. */
export const baseEnv = cleanEnv;

function processesFor(t: ExecutionContext): Processes {
  const processes = new Processes();
  t.teardown(() => processes.stopAll());
  return processes;
}

/**
 * A fresh Jaeger for this test, on free ports (or on `ports`), its sampling strategies from the file
 * `strategies` if given; stopped in teardown.
 */
export function startTestJaeger(t: ExecutionContext, ports?: JaegerPorts, strategies?: string): Promise<RunningJaeger> {
  return processesFor(t).jaeger(ports, strategies);
}

/**
 * One Jaeger for all the tests of a file that need one running but not empty (they read no trace, or
 * only their own): started by the first test that asks, stopped once the file's tests are done.
 */
export function sharedTestJaeger(test: TestFn): () => Promise<RunningJaeger> {
  const processes = new Processes();
  let jaeger: Promise<RunningJaeger> | undefined;
  test.after.always(() => processes.stopAll());
  return () => {
    jaeger ??= processes.jaeger();
    return jaeger;
  };
}

/** A function process for this test, on a free port (or on `port`), killed in teardown. */
export function startTestFunction(
  t: ExecutionContext,
  name: FunctionName,
  env: NodeJS.ProcessEnv,
  options: { port?: number; entry?: Entry; preload?: readonly string[] } = {},
): Promise<RunningFunction> {
  return processesFor(t).fn(name, env, options);
}

export interface TestSystem {
  jaeger: RunningJaeger | undefined;
  backend: RunningFunction;
  frontend: RunningFunction;
}

/** Backend and frontend, traced to a fresh Jaeger unless `tracing` is false; all stopped in teardown. */
export function startTestSystem(
  t: ExecutionContext,
  options: {
    backendEnv?: NodeJS.ProcessEnv;
    frontendEnv?: NodeJS.ProcessEnv;
    tracing?: boolean;
    entry?: Entry;
    /** The file's Jaeger (sharedTestJaeger), for tests that do not need an empty one. */
    jaeger?: RunningJaeger;
  } = {},
): Promise<TestSystem> {
  return processesFor(t).system(options);
}

/** A real redis-server for this test, on a free port (or on `port`), killed in teardown. */
export function startTestRedis(t: ExecutionContext, options: Partial<RedisOptions> = {}): Promise<RunningRedis> {
  return processesFor(t).redis(options);
}

/** The system in Redis mode: Jaeger, Redis, `backendCount` backends behind one address, the frontend. */
export function startTestRedisSystem(t: ExecutionContext, options: Parameters<Processes['redisSystem']>[0] = {}) {
  return processesFor(t).redisSystem(options);
}

/**
 * Starts the function without waiting for it (as a process of the entry, or its container), for
 * tests of what happens at start-up; stopped in teardown.
 */
export async function spawnTestFunction(
  t: ExecutionContext,
  name: FunctionName,
  entry: Entry,
  env: NodeJS.ProcessEnv,
): Promise<Child> {
  const port = await findFreePort();
  if (entry === 'container') {
    const container = await spawnFunctionContainer(name, { port, env });
    t.teardown(() => container.remove());
    return container.child;
  }
  const [command = '', ...args] = functionCommand(entry);
  const child = spawnChild(name, command, args, {
    cwd: functionDirectory(name),
    env: baseEnv({ ...env, FUNC_PORT: String(port), PORT: String(port) }),
  });
  t.teardown(() => child.stop('SIGKILL'));
  return child;
}

export type { FunctionName, RunningFunction };
