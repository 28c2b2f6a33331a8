// The simulated performance problem: a delay drawn uniformly from a configured range.
import type { LagRange } from './config.ts';

/** A whole number of milliseconds in [minMs, maxMs]; `random` answers in [0, 1) like Math.random. */
export function chooseLagMs({ minMs, maxMs }: LagRange, random: () => number): number {
  const span = maxMs - minMs + 1;
  return Math.min(maxMs, minMs + Math.floor(random() * span));
}
