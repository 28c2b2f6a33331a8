// The whole-number flags of the command-line tools (npm run load, diagnose, deploy), read one way, so
// that each refuses "1.5", "-1", "1e3" or "many" alike and names the flag and the value it was given.

/** A flag whose value is not a whole number in range; the command prints it with its usage, exit 2. */
export class FlagValueError extends RangeError {
  override name = 'FlagValueError';
}

/** `raw` as a whole number of at least `min` (1 unless told), or a FlagValueError naming `--flag`. */
export function parseWholeNumberFlag(
  flag: string,
  raw: string,
  { min = 1, unit }: { min?: number; unit?: string } = {},
): number {
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min) {
    throw new FlagValueError(`--${flag} is "${raw}": expected a whole number ${unit ? `of ${unit}` : `from ${min}`}`);
  }
  return value;
}
