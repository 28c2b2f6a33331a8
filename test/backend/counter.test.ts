import test from 'ava';
import { createCounter } from '../../functions/backend/src/counter.ts';

test('starts at 1, as the tutorial backend does, always ready', (t) => {
  const counter = createCounter();
  t.is(counter.read(), 1);
  t.is(counter.kind, 'memory');
  t.is(counter.notReadyReason(), undefined);
});

test('increase adds one and answers the new value; read changes nothing', (t) => {
  const counter = createCounter(41);
  t.is(counter.read(), 41);
  t.is(counter.read(), 41);
  t.is(counter.increase(), 42);
  t.is(counter.increase(), 43);
  t.is(counter.read(), 43);
});

test('counters are independent', (t) => {
  const first = createCounter();
  const second = createCounter();
  first.increase();
  t.is(second.read(), 1);
});
