// The backend as a real process on faas-js-runtime, traced to a real Jaeger.
import test, { type ExecutionContext } from 'ava';
import { functionCommand, functionDirectory } from '../../tools/functions.ts';
import { spawnChild } from '../../tools/process.ts';
import { baseEnv, startTestFunction, startTestJaeger } from '../helpers/system.ts';

async function startBackend(t: ExecutionContext, lag = { LAG_MIN_MS: '0', LAG_MAX_MS: '20' }) {
  const jaeger = await startTestJaeger(t);
  return startTestFunction(t, 'backend', baseEnv({ ...lag, OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpEndpoint }));
}

async function counterOf(url: string): Promise<number> {
  return Number(await (await fetch(url)).text());
}

test('GET reads the counter, starting at 1, as text with a traceresponse', async (t) => {
  const backend = await startBackend(t);
  const response = await fetch(backend.url);
  t.is(response.status, 200);
  t.is(response.headers.get('content-type'), 'text/plain; charset=utf-8');
  t.regex(response.headers.get('traceresponse') ?? '', /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  t.is(await response.text(), '1\n');
});

test('POST increases and answers the new value; GET and HEAD change nothing', async (t) => {
  const backend = await startBackend(t);
  t.is(await (await fetch(backend.url, { method: 'POST' })).text(), '2\n');
  const head = await fetch(backend.url, { method: 'HEAD' });
  t.is(head.status, 200);
  t.is(await head.text(), '');
  t.is(await counterOf(backend.url), 2);
  t.is(await counterOf(backend.url), 2);
});

test('concurrent POSTs never lose or repeat an increase', async (t) => {
  const backend = await startBackend(t);
  const values = await Promise.all(
    Array.from({ length: 50 }, async () => Number(await (await fetch(backend.url, { method: 'POST' })).text())),
  );
  t.deepEqual(
    values.sort((a, b) => a - b),
    Array.from({ length: 50 }, (_, index) => index + 2),
  );
  t.is(await counterOf(backend.url), 51);
});

test('the POST waits the configured lag', async (t) => {
  const backend = await startBackend(t, { LAG_MIN_MS: '300', LAG_MAX_MS: '400' });
  const started = performance.now();
  await (await fetch(backend.url, { method: 'POST' })).text();
  t.true(performance.now() - started >= 300);
});

test('query parameters that would override the request are refused with 400 and change nothing', async (t) => {
  const backend = await startBackend(t);
  for (const query of ['?method=POST', '?method=GET', '?headers=x', '?query=1', '?body=1']) {
    for (const method of ['GET', 'POST']) {
      const response = await fetch(`${backend.url}/${query}`, { method });
      t.is(response.status, 400, `${method} /${query}`);
      t.regex(await response.text(), /is not accepted/);
    }
  }
  t.is(await counterOf(backend.url), 1);
});

test('harmless query parameters are ignored', async (t) => {
  const backend = await startBackend(t);
  t.is(await (await fetch(`${backend.url}/?cache=bust`, { method: 'POST' })).text(), '2\n');
  // faas-js-runtime's parser keeps brackets in the name: this is not "method".
  t.is(await (await fetch(`${backend.url}/?method[a]=GET`, { method: 'POST' })).text(), '3\n');
});

test('methods and paths that faas-js-runtime does not route get its 404, and change nothing', async (t) => {
  const backend = await startBackend(t);
  for (const [method, path] of [
    ['PUT', '/'],
    ['DELETE', '/'],
    ['PATCH', '/'],
    ['GET', '/counter'],
    ['POST', '/api/counter'],
  ] as const) {
    const response = await fetch(`${backend.url}${path}`, { method });
    t.is(response.status, 404, `${method} ${path}`);
    await response.body?.cancel();
  }
  t.is(await counterOf(backend.url), 1);
});

const badConfig: [Record<string, string>, RegExp][] = [
  [{ LAG_MIN_MS: 'abc' }, /LAG_MIN_MS is "abc": expected a whole number/],
  [{ LAG_MIN_MS: '500', LAG_MAX_MS: '100' }, /LAG_MAX_MS is "100": expected at least LAG_MIN_MS \(500\)/],
  [{ LAG_MAX_MS: '-1' }, /LAG_MAX_MS is "-1"/],
];

for (const [env, message] of badConfig) {
  test(`start-up fails with status 1 on ${JSON.stringify(env)}, naming the variable`, async (t) => {
    const [command = '', ...args] = functionCommand();
    const child = spawnChild('backend', command, args, {
      cwd: functionDirectory('backend'),
      env: baseEnv({ ...env, OTEL_SDK_DISABLED: 'true', FUNC_PORT: '0' }),
    });
    t.teardown(() => child.stop('SIGKILL'));
    const exit = await child.exited;
    t.is(exit.code, 1);
    t.regex(child.output(), message);
    t.regex(child.output(), /^backend did not start: /m);
  });
}
