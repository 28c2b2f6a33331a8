// The visit counter itself. Synchronous on purpose: in one Node process nothing can run between
// the read and the write of `increase`, so concurrent increases never lose or repeat a value.

export interface Counter {
  read(): number;
  /** Adds one and answers the new value. */
  increase(): number;
}

export function createCounter(start = 1): Counter {
  let value = start;
  return {
    read: () => value,
    increase: () => {
      value += 1;
      return value;
    },
  };
}
