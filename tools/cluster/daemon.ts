// The cluster's long-running processes: spawnChild's children (own process group, killed if the owner
// exits, stopped with SIGTERM then SIGKILL), whose output goes to a log file and of which only the
// last lines stay in memory, for error messages.
import { type Child, spawnChild } from '../processes/process.ts';

const TAIL_CHARACTERS = 16_384;

export interface DaemonOptions {
  env: NodeJS.ProcessEnv;
  logFile: string;
}

export function startDaemon(name: string, command: string, args: readonly string[], options: DaemonOptions): Child {
  return spawnChild(name, command, args, { env: options.env, logFile: options.logFile, keepLast: TAIL_CHARACTERS });
}
