// One visit: the fast read, then the slow increase whose answer numbers the visitor.
import type { CounterClient } from './counter-client.ts';

/**
 * Answers this visitor's number. It comes from the backend's atomic increase (the value before it),
 * not from the separate read, so overlapping visits never share a number. The read stays because
 * it is the step a trace should show beside the slow one, as in the original tutorial.
 */
export async function recordVisit(counter: CounterClient, signal: AbortSignal): Promise<number> {
  await counter.read(signal);
  const after = await counter.increase(signal);
  return after - 1;
}

export function greet(visitor: number): string {
  return `Hello, World!\n\nYou're visitor number ${visitor} in here!\n\n`;
}
