import test from 'ava';
import { loadConfig } from '../../functions/frontend/src/config.ts';
import { ConfigError } from '../../functions/frontend/src/lib/env.ts';

test('reads the backend URL and defaults the timeout above the longest default lag', (t) => {
  const config = loadConfig({ COUNTER_ENDPOINT: 'http://backend.default.svc.cluster.local' });
  t.is(config.counterEndpoint.href, 'http://backend.default.svc.cluster.local/');
  t.is(config.backendTimeoutMs, 15_000);
});

test('reads the timeout', (t) => {
  t.is(loadConfig({ COUNTER_ENDPOINT: 'http://localhost:8081', BACKEND_TIMEOUT_MS: '250' }).backendTimeoutMs, 250);
});

const invalid: [string, Record<string, string>, string][] = [
  ['a missing COUNTER_ENDPOINT', {}, 'COUNTER_ENDPOINT is not set'],
  ['an empty COUNTER_ENDPOINT', { COUNTER_ENDPOINT: ' ' }, 'COUNTER_ENDPOINT is " "'],
  ['a malformed COUNTER_ENDPOINT', { COUNTER_ENDPOINT: 'localhost:8081' }, 'COUNTER_ENDPOINT is "localhost:8081"'],
  ['a non-HTTP COUNTER_ENDPOINT', { COUNTER_ENDPOINT: 'ftp://backend' }, 'COUNTER_ENDPOINT is "ftp://backend"'],
  ['a zero timeout', { COUNTER_ENDPOINT: 'http://b', BACKEND_TIMEOUT_MS: '0' }, 'BACKEND_TIMEOUT_MS is "0"'],
  ['a non-numeric timeout', { COUNTER_ENDPOINT: 'http://b', BACKEND_TIMEOUT_MS: '5s' }, 'BACKEND_TIMEOUT_MS is "5s"'],
];

for (const [what, env, start] of invalid) {
  test(`refuses ${what}`, (t) => {
    const error = t.throws(() => loadConfig(env), { instanceOf: ConfigError });
    t.true(error?.message.startsWith(start), error?.message);
  });
}
