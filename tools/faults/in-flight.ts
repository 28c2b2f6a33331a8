// Requests in flight inside a function process, seen through request-probe.ts: for scenarios that
// must act (send SIGTERM, kill a process) while a request is being served, not after a guessed delay.
import { fileURLToPath } from 'node:url';
import { type Child, countLines } from '../processes/process.ts';

const PROBE = new URL('request-probe.ts', import.meta.url).href;

/** The probe's file, for a container to mount (see tools/containers/run.ts). */
export const REQUEST_PROBE_FILE = fileURLToPath(PROBE);

/** The environment that makes a function process report each request it receives. */
export function requestProbeEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { NODE_OPTIONS: [env.NODE_OPTIONS, `--import=${PROBE}`].filter(Boolean).join(' ') };
}

/**
 * Counts the `method path` requests that the process in `child` receives from now on (counted as its
 * lines arrive, for the kept output is only a tail); answers how many so far.
 */
export function countReceivedRequests(child: Child, method: string, path = '/'): () => number {
  return countLines(child, (line) => line === `request received: ${method} ${path}`);
}
