import test from 'ava';
import { loadConfig } from '../../functions/backend/src/config.ts';
import { ConfigError } from '../../functions/backend/src/lib/env.ts';

test('defaults to the tutorial lag of 1 to 10 seconds, and the counter in memory', (t) => {
  t.deepEqual(loadConfig({}), {
    lag: { minMs: 1000, maxMs: 10_000 },
    readDelayMs: 0,
    counterStore: { kind: 'memory', port: 8080, timeoutMs: 15_000 },
  });
});

const stores: [string, Record<string, string>, unknown][] = [
  ['empty', { COUNTER_STORE: ' ' }, { kind: 'memory', port: 8080, timeoutMs: 15_000 }],
  ['memory', { COUNTER_STORE: 'memory', FUNC_PORT: '8123' }, { kind: 'memory', port: 8123, timeoutMs: 15_000 }],
  [
    'Redis, with the default timeout',
    { COUNTER_STORE: 'redis://redis.default.svc.cluster.local:6379' },
    { kind: 'redis', url: new URL('redis://redis.default.svc.cluster.local:6379'), timeoutMs: 15_000 },
  ],
  [
    'Redis without a port, a database and a timeout',
    { COUNTER_STORE: 'redis://localhost/2', COUNTER_STORE_TIMEOUT_MS: '250' },
    { kind: 'redis', url: new URL('redis://localhost/2'), timeoutMs: 250 },
  ],
];

for (const [what, env, expected] of stores) {
  test(`reads the counter store: ${what}`, (t) => {
    t.deepEqual(loadConfig(env).counterStore, expected);
  });
}

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
  ['word for a store', { COUNTER_STORE: 'redis' }, 'COUNTER_STORE', 'redis'],
  ['store of another scheme', { COUNTER_STORE: 'http://localhost:6379' }, 'COUNTER_STORE', 'http://localhost:6379/'],
  ['store without a host', { COUNTER_STORE: 'redis:///0' }, 'COUNTER_STORE', 'redis:///0'],
  ['store with a path', { COUNTER_STORE: 'redis://localhost/counter' }, 'COUNTER_STORE', 'redis://localhost/counter'],
  ['store with a query', { COUNTER_STORE: 'redis://localhost?db=1' }, 'COUNTER_STORE', 'redis://localhost?db=1'],
  ['zero store timeout', { COUNTER_STORE_TIMEOUT_MS: '0' }, 'COUNTER_STORE_TIMEOUT_MS', '0'],
];

for (const [what, env, variable, value] of invalid) {
  test(`refuses a ${what} lag, naming the variable and the value`, (t) => {
    const error = t.throws(() => loadConfig(env), { instanceOf: ConfigError });
    t.is(error?.variable, variable);
    t.true(error?.message.startsWith(`${variable} is "${value}"`), error?.message);
  });
}

test('a refused store URL never shows its password', (t) => {
  const error = t.throws(() => loadConfig({ COUNTER_STORE: 'redis://:secret@localhost/x' }), {
    instanceOf: ConfigError,
  });
  t.is(
    error?.message,
    'COUNTER_STORE is "redis://:***@localhost/x": expected unset or "memory" (the counter in this process), or redis://host[:port][/db]',
  );
});

test('a store value that is no URL at all never shows its password either', (t) => {
  // A port that is no number makes it unparsable: the message once echoed it whole, password and all.
  const error = t.throws(() => loadConfig({ COUNTER_STORE: 'redis://:secret@localhost:port' }), {
    instanceOf: ConfigError,
  });
  t.true(error?.message.startsWith('COUNTER_STORE is "redis://***@localhost:port": expected'), error?.message);
  t.false(error?.message.includes('cret'));
});

test("reads Redis's password from COUNTER_STORE_PASSWORD, apart from the URL", (t) => {
  t.deepEqual(
    loadConfig({ COUNTER_STORE: 'redis://redis:6379', COUNTER_STORE_PASSWORD: 'from-a-secret' }).counterStore,
    {
      kind: 'redis',
      url: new URL('redis://redis:6379'),
      timeoutMs: 15_000,
      password: 'from-a-secret',
    },
  );
});

const badPasswords: [string, Record<string, string>, string][] = [
  ['empty', { COUNTER_STORE_PASSWORD: ' ' }, `COUNTER_STORE_PASSWORD is " ": expected Redis's password, not empty`],
  [
    'given twice',
    { COUNTER_STORE: 'redis://:in-the-url@redis:6379', COUNTER_STORE_PASSWORD: 'from-a-secret' },
    'COUNTER_STORE_PASSWORD is "***": expected unset while COUNTER_STORE (redis://:***@redis:6379) carries a user or password',
  ],
];

for (const [what, env, message] of badPasswords) {
  test(`refuses a password ${what}, showing none`, (t) => {
    const error = t.throws(() => loadConfig({ COUNTER_STORE: 'redis://redis:6379', ...env }), {
      instanceOf: ConfigError,
    });
    t.is(error?.variable, 'COUNTER_STORE_PASSWORD');
    t.true(error?.message.startsWith(message), error?.message);
    t.notRegex(error?.message ?? '', /in-the-url|from-a-secret/);
  });
}

test('reads where to take the count over from, in memory mode only', (t) => {
  t.deepEqual(
    loadConfig({ COUNTER_HANDOFF_URL: 'http://backend.default.svc.cluster.local', PORT: '8080' }).counterStore,
    {
      kind: 'memory',
      port: 8080,
      timeoutMs: 15_000,
      handoff: { from: new URL('http://backend.default.svc.cluster.local'), waitMs: 4000 },
    },
  );
  const refused = t.throws(
    () => loadConfig({ COUNTER_HANDOFF_URL: 'http://backend', COUNTER_STORE: 'redis://redis:6379' }),
    { instanceOf: ConfigError },
  );
  t.is(refused?.variable, 'COUNTER_HANDOFF_URL');
  t.is(
    t.throws(() => loadConfig({ COUNTER_HANDOFF_URL: 'backend' }))?.message.split(':')[0],
    'COUNTER_HANDOFF_URL is "backend"',
  );
  t.is(
    t.throws(() => loadConfig({ COUNTER_HANDOFF_WAIT_MS: 'soon' }))?.message.split(':')[0],
    'COUNTER_HANDOFF_WAIT_MS is "soon"',
  );
});

test('the first Revision (K_REVISION ...-00001) asks no predecessor for the count: it has none', (t) => {
  const env = { COUNTER_HANDOFF_URL: 'http://backend.default.svc.cluster.local' };
  t.is(loadConfig({ ...env, K_REVISION: 'backend-00001' }).counterStore.kind, 'memory');
  t.like(loadConfig({ ...env, K_REVISION: 'backend-00001' }).counterStore, { handoff: undefined });
  t.like(loadConfig({ ...env, K_REVISION: 'backend-00002' }).counterStore, {
    handoff: { from: new URL('http://backend.default.svc.cluster.local') },
  });
});
