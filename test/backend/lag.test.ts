import test from 'ava';
import { chooseLagMs } from '../../functions/backend/src/lag.ts';

const range = { minMs: 1000, maxMs: 10_000 };

test('the lowest random number gives the minimum, the highest the maximum', (t) => {
  t.is(
    chooseLagMs(range, () => 0),
    1000,
  );
  t.is(
    chooseLagMs(range, () => 0.999_999_999),
    10_000,
  );
});

test('a fixed range gives that value', (t) => {
  t.is(
    chooseLagMs({ minMs: 250, maxMs: 250 }, () => 0.7),
    250,
  );
});

test('every value lies in the range and the whole range is reached', (t) => {
  const small = { minMs: 3, maxMs: 7 };
  const seen = new Set<number>();
  for (let step = 0; step < 1000; step += 1) {
    const lag = chooseLagMs(small, () => step / 1000);
    t.true(Number.isInteger(lag) && lag >= 3 && lag <= 7, String(lag));
    seen.add(lag);
  }
  t.deepEqual([...seen].sort(), [3, 4, 5, 6, 7]);
});
