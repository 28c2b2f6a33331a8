// The cluster's long-running processes. Unlike tools/process.ts's spawnChild, which keeps all output
// in memory (right for a test's short-lived child), a daemon's output goes to a log file and only
// its last lines stay in memory, for error messages; it still answers process.ts's Child interface,
// so waitFor can watch it.
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import type { Child, Exit } from '../process.ts';

const TAIL_BYTES = 16_384;

export interface DaemonOptions {
  env: NodeJS.ProcessEnv;
  logFile: string;
}

// Daemons run in process groups of their own, so that a Ctrl-C reaches only the owner, which stops
// them in order. Whatever still runs when the owner exits is killed.
const running = new Set<ChildProcess>();
let killOnExit = false;

export function startDaemon(name: string, command: string, args: readonly string[], options: DaemonOptions): Child {
  const log = createWriteStream(options.logFile, { flags: 'a' });
  const child = spawn(command, args, { env: options.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  running.add(child);
  if (!killOnExit) {
    killOnExit = true;
    process.once('exit', () => {
      for (const orphan of running) orphan.kill('SIGKILL');
    });
  }
  let tail = '';
  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding('utf8').on('data', (chunk: string) => {
      log.write(chunk);
      tail = (tail + chunk).slice(-TAIL_BYTES);
    });
  }
  let exit: Exit | undefined;
  const exited = new Promise<Exit>((resolve) => {
    const finish = (result: Exit) => {
      running.delete(child);
      exit ??= result;
      log.end();
      resolve(exit);
    };
    child.once('error', (error) => {
      tail += `${error.message}\n`;
      finish({ code: null, signal: null });
    });
    child.once('exit', (code, signal) => {
      // Wait for the last output, but not forever (a grandchild may hold the pipes).
      const timer = setTimeout(() => finish({ code, signal }), 2000);
      child.once('close', () => {
        clearTimeout(timer);
        finish({ code, signal });
      });
    });
  });
  return {
    name,
    process: child,
    output: () => tail,
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
