import test from 'ava';
import { createCounter } from '../../functions/backend/src/counter.ts';
import { createCounterService } from '../../functions/backend/src/counter-service.ts';
import { installMemoryTracing } from '../helpers/tracing.ts';

const spans = installMemoryTracing();

/** A sleep under the test's control: it records each delay and resolves when told to. */
function controlledSleep() {
  const pending: { ms: number; wake: () => void }[] = [];
  const sleep = (ms: number) => new Promise<void>((wake) => pending.push({ ms, wake }));
  return { sleep, pending };
}

test.serial('increase waits the chosen lag first, then adds one; spans tell each step', async (t) => {
  spans.reset();
  const { sleep, pending } = controlledSleep();
  const service = createCounterService({
    counter: createCounter(),
    lag: { minMs: 1000, maxMs: 2000 },
    random: () => 0.5,
    sleep,
  });
  const increase = service.increase();
  await new Promise(setImmediate);
  t.deepEqual(
    pending.map((entry) => entry.ms),
    [1500],
  );
  t.is(await service.read(), 1, 'the counter does not change during the lag');
  pending[0]?.wake();
  t.is(await increase, 2);

  const finished = spans.getFinishedSpans();
  t.deepEqual(
    finished.map((span) => span.name),
    ['read counter', 'simulate lag', 'increase counter'],
  );
  const lag = finished.find((span) => span.name === 'simulate lag');
  t.like(lag?.attributes, { 'lag.duration_ms': 1500, 'lag.min_ms': 1000, 'lag.max_ms': 2000 });
  t.like(finished.find((span) => span.name === 'increase counter')?.attributes, { 'counter.value': 2 });
  t.like(finished.find((span) => span.name === 'read counter')?.attributes, { 'counter.value': 1 });
});

test.serial('overlapping increases never lose or repeat a value, whatever order their lags end in', async (t) => {
  const { sleep, pending } = controlledSleep();
  const service = createCounterService({
    counter: createCounter(),
    lag: { minMs: 1, maxMs: 1 },
    random: Math.random,
    sleep,
  });
  const increases = Array.from({ length: 100 }, () => service.increase());
  await new Promise(setImmediate);
  t.is(pending.length, 100);
  for (const index of [...pending.keys()].sort(() => Math.random() - 0.5)) pending[index]?.wake();
  const values = await Promise.all(increases);
  t.deepEqual(
    [...values].sort((a, b) => a - b),
    Array.from({ length: 100 }, (_, index) => index + 2),
  );
  t.is(await service.read(), 101);
});

test.serial('READ_DELAY_MS makes the read the slow step: waited inside the read counter span', async (t) => {
  spans.reset();
  const { sleep, pending } = controlledSleep();
  const service = createCounterService({
    counter: createCounter(),
    lag: { minMs: 0, maxMs: 0 },
    readDelayMs: 300,
    random: () => 0,
    sleep,
  });
  const read = service.read();
  await new Promise(setImmediate);
  t.deepEqual(
    pending.map((entry) => entry.ms),
    [300],
  );
  t.deepEqual(spans.getFinishedSpans(), [], 'the read span is still open while it waits');
  pending[0]?.wake();
  t.is(await read, 1);
  t.deepEqual(
    spans.getFinishedSpans().map((span) => span.name),
    ['read counter'],
  );
});

test.serial('no lag is no wait: with a lag of 0 the increase sleeps not even 0 ms', async (t) => {
  const { sleep, pending } = controlledSleep();
  const service = createCounterService({
    counter: createCounter(),
    lag: { minMs: 0, maxMs: 0 },
    random: Math.random,
    sleep,
  });
  t.is(await service.increase(), 2);
  t.is(pending.length, 0);
});
