// Generated from functions/lib/env.ts by tools/commands/generate-lib.ts (npm run build): do not edit.
// Reading configuration from environment variables, with errors that name the variable.

export type Env = Readonly<Record<string, string | undefined>>;

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

/** A whole number in [min, max]; `fallback` when the variable is unset or empty. */
export function readInteger(
  env: Env,
  variable: string,
  fallback: number,
  { min = 0, max = Number.MAX_SAFE_INTEGER }: { min?: number; max?: number } = {},
): number {
  const raw = env[variable];
  if (raw === undefined || raw.trim() === '') return fallback;
  const expected = `a whole number from ${min} to ${max}`;
  if (!/^\s*-?\d+\s*$/.test(raw)) throw new ConfigError(variable, raw, expected);
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(variable, raw, expected);
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
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(variable, raw, expected);
  }
  return url;
}

/** Reads FUNC_PORT as faas-js-runtime and `func run` do. */
export function readPort(env: Env, fallback: number): number {
  return readInteger(env, 'FUNC_PORT', fallback, { min: 0, max: 65535 });
}
