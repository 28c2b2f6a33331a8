// Child processes for `npm start`, the tests and the benchmarks: started with their output kept
// (and optionally echoed with a name prefix), waited for by condition with a deadline, and stopped
// with SIGTERM, then SIGKILL if they do not go.
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Child {
  readonly name: string;
  readonly process: ChildProcess;
  /** Everything the child wrote to stdout and stderr so far. */
  output(): string;
  /** Settles when the child has exited. */
  readonly exited: Promise<Exit>;
  hasExited(): boolean;
  /** Sends `signal` and waits for the exit; SIGKILL after `graceMs`. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<Exit>;
}

export interface SpawnOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Write the child's output to ours, each line prefixed with its name. */
  echo?: boolean;
  /** Also append the child's output to this file (a daemon's log). */
  logFile?: string;
  /** Keep only the last this many characters of output in memory (for a long-running child). */
  keepLast?: number;
}

// Children run in process groups of their own, so that a Ctrl-C in the terminal reaches only the
// parent, which then stops them in order (functions first, so their last spans reach Jaeger).
// Whatever is still running when the parent exits is killed, so nothing is left behind.
const running = new Set<ChildProcess>();
let killOnExit = false;

export function spawnChild(name: string, command: string, args: readonly string[], options: SpawnOptions = {}): Child {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  running.add(child);
  if (!killOnExit) {
    killOnExit = true;
    process.once('exit', () => {
      for (const orphan of running) orphan.kill('SIGKILL');
    });
  }
  let output = '';
  let exit: Exit | undefined;
  const log = options.logFile ? createWriteStream(options.logFile, { flags: 'a' }) : undefined;
  const collect = (stream: NodeJS.ReadableStream, target: NodeJS.WriteStream) => {
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      output += chunk;
      if (options.keepLast !== undefined && output.length > options.keepLast) output = output.slice(-options.keepLast);
      log?.write(chunk);
      if (options.echo) target.write(prefixLines(name, chunk));
    });
  };
  if (child.stdout) collect(child.stdout, process.stdout);
  if (child.stderr) collect(child.stderr, process.stderr);

  const exited = new Promise<Exit>((resolve) => {
    child.once('error', (error) => {
      running.delete(child);
      log?.end();
      output += `${error.message}\n`;
      exit = { code: null, signal: null };
      resolve(exit);
    });
    child.once('exit', (code, signal) => {
      running.delete(child);
      const exited = { code, signal };
      // 'exit' can come before the last of the output has been read: wait for the pipes to close,
      // but not forever (a grandchild may still hold them).
      const done = () => {
        clearTimeout(timer);
        log?.end();
        exit = exited;
        resolve(exited);
      };
      const timer = setTimeout(done, 2000);
      child.once('close', done);
    });
  });

  return {
    name,
    process: child,
    output: () => output,
    exited,
    hasExited: () => exit !== undefined,
    async stop(signal = 'SIGTERM', graceMs = 10_000) {
      if (exit) return exit;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

function prefixLines(name: string, chunk: string): string {
  return chunk.replace(/^(?=.)/gm, `[${name}] `);
}

export class DeadlineError extends Error {
  override name = 'DeadlineError';
}

/**
 * Polls `condition` until it answers a value other than undefined. Fails when `timeoutMs` passes,
 * or at once when `child` exits, with the child's output in the message.
 */
export async function waitFor<T>(
  what: string,
  condition: () => Promise<T | undefined>,
  { timeoutMs, intervalMs = 50, child }: { timeoutMs: number; intervalMs?: number; child?: Child },
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child?.hasExited()) {
      const { code, signal } = await child.exited;
      throw new DeadlineError(
        `${child.name} exited (${signal ?? `status ${code}`}) before ${what}. Its output:\n${child.output()}`,
      );
    }
    try {
      const value = await condition();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await delay(intervalMs);
  }
  const reason = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
  const output = child ? ` Output of ${child.name}:\n${child.output()}` : '';
  throw new DeadlineError(`Timed out after ${timeoutMs} ms waiting for ${what}${reason}.${output}`);
}

/** Waits until `url` answers 2xx. */
export function waitForHttp(url: string, options: { timeoutMs: number; child?: Child }): Promise<true> {
  return waitFor(
    `${url} to answer`,
    async () => {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await response.body?.cancel();
      return response.ok ? true : undefined;
    },
    options,
  );
}
