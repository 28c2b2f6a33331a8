// Starts a function as a real process, the way its `npm start` does: Node 24 with the telemetry
// preload, on faas-js-runtime, at FUNC_PORT.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Child, spawnChild, waitFor, waitForHttp } from '../processes/process.ts';

export type FunctionName = 'frontend' | 'backend';

export const REPOSITORY_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export function functionDirectory(name: FunctionName): string {
  return join(REPOSITORY_ROOT, 'functions', name);
}

export interface RunningFunction {
  child: Child;
  url: string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * How a function runs as a process: `faas` on faas-js-runtime as `func` builds it (its `npm start`,
 * at FUNC_PORT), `express` as the container image runs it (the Dockerfile's command, at PORT).
 */
export type ProcessEntry = 'faas' | 'express';
export const ENTRIES: readonly ProcessEntry[] = ['faas', 'express'];

/** Or `container`: the image built from the Dockerfile, run as Knative runs it (tools/containers/run.ts). */
export type Entry = ProcessEntry | 'container';
export const ALL_ENTRIES: readonly Entry[] = [...ENTRIES, 'container'];

const ENTRY_FILE: Record<ProcessEntry, string> = { faas: './src/faas-main.ts', express: './src/express-main.ts' };
const PORT_VARIABLE: Record<ProcessEntry, string> = { faas: 'FUNC_PORT', express: 'PORT' };

/** The function's own telemetry preload, as its `npm start` and its Dockerfile load it. */
export const TELEMETRY_PRELOAD: readonly string[] = ['--import', './src/lib/telemetry.ts'];

/** The command line of an entry, run by this same Node, with the telemetry preload or another. */
export function functionCommand(
  entry: ProcessEntry = 'faas',
  preload: readonly string[] = TELEMETRY_PRELOAD,
): string[] {
  return [process.execPath, ...preload, ENTRY_FILE[entry]];
}

/**
 * `command` run as the first process of a cgroup: a shell puts itself in it (its `cgroup.procs`), then
 * becomes the command, so that Node reads the cgroup's memory limit as it starts, as in a container.
 */
export function inCgroup(procsFile: string, [command = '', ...args]: readonly string[]): string[] {
  return ['/bin/sh', '-c', 'echo $$ > "$0" && exec "$@"', procsFile, command, ...args];
}

export interface FunctionOptions {
  port: number;
  /** The whole environment of the process (FUNC_PORT or PORT is added). */
  env: NodeJS.ProcessEnv;
  entry?: ProcessEntry;
  /** Node options before the entry file, in place of the telemetry preload (TELEMETRY_PRELOAD). */
  preload?: readonly string[];
  /** Start the process inside this cgroup (its cgroup.procs file): see inCgroup. */
  cgroupProcs?: string;
  echo?: boolean;
  timeoutMs?: number;
}

/**
 * Waits until the function in `child` says it listens at `url` and its readiness endpoint answers.
 * Its own line first: whatever answers on the port before it may be another process.
 */
export async function waitForFunction(child: Child, url: string, timeoutMs: number): Promise<void> {
  await waitForFunctionOutput(child, url, timeoutMs);
  await waitForHttp(`${url}/health/readiness`, { timeoutMs, child });
}

/** Waits until the function in `child` says it listens at `url` (its own address, which may not be ours). */
export async function waitForFunctionOutput(child: Child, url: string, timeoutMs: number): Promise<void> {
  const line = `listening on ${url}/`;
  // Heard as a line, so that no amount of output after it can push it out of the kept tail.
  let said = false;
  const unsubscribe = child.onLine((text) => {
    said ||= text.includes(line);
  });
  try {
    await waitFor(
      `${child.name} to say it listens on ${url}/`,
      async () => (said || child.output().includes(line) ? true : undefined),
      { timeoutMs, child },
    );
  } finally {
    unsubscribe();
  }
}

/** Spawns the function and waits until it says it listens and its readiness endpoint answers. */
export async function startFunctionProcess(
  name: FunctionName,
  { port, env, entry = 'faas', preload, cgroupProcs, echo = false, timeoutMs = 20_000 }: FunctionOptions,
): Promise<RunningFunction> {
  const line = functionCommand(entry, preload);
  const [command = process.execPath, ...args] = cgroupProcs ? inCgroup(cgroupProcs, line) : line;
  const child = spawnChild(name, command, args, {
    cwd: functionDirectory(name),
    env: { ...env, [PORT_VARIABLE[entry]]: String(port) },
    echo,
  });
  const url = `http://localhost:${port}`;
  try {
    await waitForFunction(child, url, timeoutMs);
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
