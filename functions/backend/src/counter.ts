// The visit counter in this process. Synchronous on purpose: in one Node process nothing can run
// between the read and the write of `increase`, so concurrent increases never lose or repeat a
// value, and a visit pays no promise for it. One process only: two replicas would count apart.
import { type CounterStore, START_VALUE } from './counter-store.ts';

export interface MemoryCounter extends CounterStore {
  read(): number;
  increase(): number;
}

export function createCounter(start = START_VALUE): MemoryCounter {
  let value = start;
  return {
    kind: 'memory',
    read: () => value,
    increase: () => {
      value += 1;
      return value;
    },
    notReadyReason: () => undefined,
    close: async () => {},
  };
}
