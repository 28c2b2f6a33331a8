import test from 'ava';
import { loadConfig } from '../../functions/backend/src/config.ts';
import { ConfigError } from '../../functions/backend/src/lib/env.ts';

test('defaults to the tutorial lag of 1 to 10 seconds', (t) => {
  t.deepEqual(loadConfig({}), { lag: { minMs: 1000, maxMs: 10_000 }, readDelayMs: 0 });
});

test('reads the read delay', (t) => {
  t.is(loadConfig({ READ_DELAY_MS: '250' }).readDelayMs, 250);
});

test('reads the lag range', (t) => {
  t.deepEqual(loadConfig({ LAG_MIN_MS: '0', LAG_MAX_MS: '0' }).lag, { minMs: 0, maxMs: 0 });
  t.deepEqual(loadConfig({ LAG_MIN_MS: ' 20 ', LAG_MAX_MS: '300' }).lag, { minMs: 20, maxMs: 300 });
});

const invalid: [string, Record<string, string>, string, string][] = [
  ['non-numeric', { LAG_MIN_MS: 'abc' }, 'LAG_MIN_MS', 'abc'],
  ['negative', { LAG_MAX_MS: '-5' }, 'LAG_MAX_MS', '-5'],
  ['fractional', { LAG_MIN_MS: '1.5' }, 'LAG_MIN_MS', '1.5'],
  ['beyond the longest Knative request', { LAG_MAX_MS: '600001' }, 'LAG_MAX_MS', '600001'],
  ['min above max', { LAG_MIN_MS: '500', LAG_MAX_MS: '100' }, 'LAG_MAX_MS', '100'],
  ['min above the default max', { LAG_MIN_MS: '20000' }, 'LAG_MAX_MS', '10000'],
  ['non-numeric read delay', { READ_DELAY_MS: 'slow' }, 'READ_DELAY_MS', 'slow'],
];

for (const [what, env, variable, value] of invalid) {
  test(`refuses a ${what} lag, naming the variable and the value`, (t) => {
    const error = t.throws(() => loadConfig(env), { instanceOf: ConfigError });
    t.is(error?.variable, variable);
    t.true(error?.message.startsWith(`${variable} is "${value}"`), error?.message);
  });
}
