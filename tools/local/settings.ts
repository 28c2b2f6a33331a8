// The few variables `npm start` reads (ports, COUNTER_ENDPOINT), read by the tools themselves: a tool
// does not import a function's source. The errors read as the functions' own do, naming the variable.

export type Env = Readonly<Record<string, string | undefined>>;

/** A variable with a value the tools cannot use; the message names both. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  readonly variable: string;
  readonly value: string | undefined;

  constructor(variable: string, value: string | undefined, expected: string) {
    const shown = value === undefined ? 'is not set' : `is ${JSON.stringify(value)}`;
    super(`${variable} ${shown}: expected ${expected}`);
    this.variable = variable;
    this.value = value;
  }
}

const MAX_PORT = 65_535;

/** A TCP port from 1 to 65535; `fallback` when the variable is unset or empty. */
export function readPort(env: Env, variable: string, fallback: number): number {
  const raw = env[variable];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!/^\s*-?\d+\s*$/.test(raw) || !Number.isSafeInteger(value) || value < 1 || value > MAX_PORT) {
    throw new ConfigError(variable, raw, `a whole number from 1 to ${MAX_PORT}`);
  }
  return value;
}

/** A required absolute http(s) URL. */
export function readHttpUrl(env: Env, variable: string): URL {
  const raw = env[variable];
  const expected = 'an absolute http:// or https:// URL';
  if (raw === undefined || raw.trim() === '') throw new ConfigError(variable, raw, expected);
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new ConfigError(variable, raw, expected);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(variable, raw, expected);
  return url;
}
