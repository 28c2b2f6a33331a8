// Starts a function as a real process, the way its `npm start` does: Node 24 with the telemetry
// preload, on faas-js-runtime, at FUNC_PORT.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Child, spawnChild, waitForHttp } from './process.ts';

export type FunctionName = 'frontend' | 'backend';

export const REPOSITORY_ROOT = fileURLToPath(new URL('..', import.meta.url));

export function functionDirectory(name: FunctionName): string {
  return join(REPOSITORY_ROOT, 'functions', name);
}

export interface RunningFunction {
  child: Child;
  url: string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** The command line of a function's `npm start`, run by this same Node. */
export function functionCommand(): string[] {
  return [process.execPath, '--import', './src/lib/telemetry.ts', './src/main.ts'];
}

export interface FunctionOptions {
  port: number;
  /** The whole environment of the process (FUNC_PORT is added). */
  env: NodeJS.ProcessEnv;
  echo?: boolean;
  timeoutMs?: number;
}

/** Spawns the function and waits until its readiness endpoint answers. */
export async function startFunctionProcess(
  name: FunctionName,
  { port, env, echo = false, timeoutMs = 20_000 }: FunctionOptions,
): Promise<RunningFunction> {
  const [command = process.execPath, ...args] = functionCommand();
  const child = spawnChild(name, command, args, {
    cwd: functionDirectory(name),
    env: { ...env, FUNC_PORT: String(port) },
    echo,
  });
  const url = `http://localhost:${port}`;
  try {
    await waitForHttp(`${url}/health/readiness`, { timeoutMs, child });
  } catch (error) {
    await child.stop('SIGKILL');
    throw error;
  }
  return {
    child,
    url,
    stop: async (signal = 'SIGTERM') => {
      await child.stop(signal);
    },
  };
}
