// The few variables `npm start` reads (ports, COUNTER_ENDPOINT, COUNTER_STORE, BACKEND_REPLICAS), with
// the readers of the shared library's source (functions/lib/, from which each function's copy is
// generated): a tool imports no function's source, and the errors read as the functions' own, naming
// the variable.
import { ConfigError, type Env, readHttpUrl, readInteger } from '../../functions/lib/env.ts';

export { ConfigError, readHttpUrl, readInteger };

/** A TCP port from 1 to 65535; `fallback` when the variable is unset or empty. */
export function readPort(env: Env, variable: string, fallback: number): number {
  return readInteger(env, variable, fallback, { min: 1, max: 65_535 });
}
