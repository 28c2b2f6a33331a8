// Child processes for `npm start`, the tests and the benchmarks: started with the tail of their
// output kept and each line offered to whoever listens (and optionally echoed with a name prefix),
// waited for by condition with a deadline, and stopped with SIGTERM, then SIGKILL if they do not go.
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
  /** The last of what the child wrote to stdout and stderr (all of it, up to SpawnOptions.keepLast). */
  output(): string;
  /**
   * Calls `listener` with each whole line the child writes from now on, however long it runs (for
   * callers that wait for a line or count them: the kept output is only a tail). Answers the unsubscribe.
   */
  onLine(listener: (line: string) => void): () => void;
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
  /** Keep only the last this many characters of output in memory (OUTPUT_TAIL_CHARACTERS unless told). */
  keepLast?: number;
}

/**
 * How much of a child's output stays in memory: enough for any error message and any test that reads
 * it, and a bound for a child that runs and talks for a whole `npm start` session.
 */
export const OUTPUT_TAIL_CHARACTERS = 256 * 1024;

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
  const keepLast = options.keepLast ?? OUTPUT_TAIL_CHARACTERS;
  let output = '';
  let exit: Exit | undefined;
  const lineListeners = new Set<(line: string) => void>();
  const log = options.logFile ? createWriteStream(options.logFile, { flags: 'a' }) : undefined;
  const collect = (stream: NodeJS.ReadableStream, target: NodeJS.WriteStream) => {
    // Each stream's unfinished last line, bounded as the output is (a child may never end a line).
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      output += chunk;
      // Trimmed once it holds twice the tail, not on every chunk: each trim copies the whole tail.
      if (output.length > 2 * keepLast) output = keepTail(output, keepLast);
      const lines = (partial + chunk).split('\n');
      partial = (lines.pop() ?? '').slice(-keepLast);
      for (const line of lines) for (const listener of lineListeners) listener(line);
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
    output: () => {
      output = keepTail(output, keepLast);
      return output;
    },
    onLine(listener) {
      lineListeners.add(listener);
      return () => lineListeners.delete(listener);
    },
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

/** The last `limit` characters of `text`, from the start of a line where one begins in them. */
export function keepTail(text: string, limit: number): string {
  if (text.length <= limit) return text;
  const cut = text.length - limit;
  // The first line that begins inside the kept part; a line cut in the middle would mislead.
  const newline = text.indexOf('\n', cut - 1);
  return newline === -1 || newline === text.length - 1 ? text.slice(cut) : text.slice(newline + 1);
}

/** Counts, from now on, the lines of `child` that `matches`; answers how many so far. */
export function countLines(child: Child, matches: (line: string) => boolean): () => number {
  let count = 0;
  child.onLine((line) => {
    if (matches(line)) count += 1;
  });
  return () => count;
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
