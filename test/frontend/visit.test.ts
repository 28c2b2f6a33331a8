import test from 'ava';
import type { CounterClient } from '../../functions/frontend/src/counter-client.ts';
import { greet, recordVisit } from '../../functions/frontend/src/visit.ts';

test('reads first, then increases; the visitor is the value before the increase', async (t) => {
  const calls: string[] = [];
  const counter: CounterClient = {
    read: async () => {
      calls.push('read');
      return 7;
    },
    increase: async () => {
      calls.push('increase');
      return 10;
    },
  };
  t.is(await recordVisit(counter, AbortSignal.timeout(1000)), 9, 'not the separate read, which may be stale');
  t.deepEqual(calls, ['read', 'increase']);
});

test('greets exactly as the tutorial frontend', (t) => {
  t.is(greet(1), "Hello, World!\n\nYou're visitor number 1 in here!\n\n");
});
