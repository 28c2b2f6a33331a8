// Contract tests of the backend, run against both of its entries as real processes traced to a real
// Jaeger (the faas-js-runtime function of `func deploy`, the express server of the container image)
// and against the container image itself, run as Knative runs it. They read no trace (only the
// traceresponse header), so one Jaeger serves them all.
import test, { type ExecutionContext } from 'ava';
import { ALL_ENTRIES, type Entry } from '../../tools/functions/run.ts';
import { baseEnv, sharedTestJaeger, spawnTestFunction, startTestFunction } from '../helpers/system.ts';

const fileJaeger = sharedTestJaeger(test);

async function startBackend(t: ExecutionContext, entry: Entry, lag = { LAG_MIN_MS: '0', LAG_MAX_MS: '20' }) {
  const jaeger = await fileJaeger();
  const env = baseEnv({ ...lag, OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpEndpoint });
  return startTestFunction(t, 'backend', env, { entry });
}

async function counterOf(url: string): Promise<number> {
  return Number(await (await fetch(url)).text());
}

for (const entry of ALL_ENTRIES) {
  test(`${entry}: GET reads the counter, starting at 1, as text with a traceresponse`, async (t) => {
    const backend = await startBackend(t, entry);
    const response = await fetch(backend.url);
    t.is(response.status, 200);
    t.is(response.headers.get('content-type'), 'text/plain; charset=utf-8');
    t.regex(response.headers.get('traceresponse') ?? '', /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    t.is(await response.text(), '1\n');
  });

  test(`${entry}: POST increases and answers the new value; GET and HEAD change nothing`, async (t) => {
    const backend = await startBackend(t, entry);
    t.is(await (await fetch(backend.url, { method: 'POST' })).text(), '2\n');
    const head = await fetch(backend.url, { method: 'HEAD' });
    t.is(head.status, 200);
    t.is(await head.text(), '');
    t.is(await counterOf(backend.url), 2);
    t.is(await counterOf(backend.url), 2);
  });

  test(`${entry}: concurrent POSTs never lose or repeat an increase`, async (t) => {
    const backend = await startBackend(t, entry);
    const values = await Promise.all(
      Array.from({ length: 50 }, async () => Number(await (await fetch(backend.url, { method: 'POST' })).text())),
    );
    t.deepEqual(
      values.sort((a, b) => a - b),
      Array.from({ length: 50 }, (_, index) => index + 2),
    );
    t.is(await counterOf(backend.url), 51);
  });

  test(`${entry}: the POST waits the configured lag`, async (t) => {
    const backend = await startBackend(t, entry, { LAG_MIN_MS: '300', LAG_MAX_MS: '400' });
    const started = performance.now();
    await (await fetch(backend.url, { method: 'POST' })).text();
    t.true(performance.now() - started >= 300);
  });

  test(`${entry}: query parameters never change the method`, async (t) => {
    const backend = await startBackend(t, entry);
    for (const query of ['?method=POST', '?headers=x', '?query=1', '?body=1']) {
      const response = await fetch(`${backend.url}/${query}`);
      // faas-js-runtime copies query parameters over the request's own fields, so such a request is
      // refused; express reads the real method and ignores them.
      t.is(response.status, entry === 'faas' ? 400 : 200, query);
      await response.body?.cancel();
    }
    t.is(await counterOf(backend.url), 1);
    t.is(await (await fetch(`${backend.url}/?cache=bust`, { method: 'POST' })).text(), '2\n');
  });

  test(`${entry}: OPTIONS is answered, other methods and paths change nothing`, async (t) => {
    const backend = await startBackend(t, entry);
    t.is((await fetch(backend.url, { method: 'OPTIONS' })).status, 204);
    for (const method of ['PUT', 'DELETE', 'PATCH']) {
      const response = await fetch(backend.url, { method });
      // faas-js-runtime routes only GET, POST and OPTIONS: its 404 comes before the function.
      t.is(response.status, entry === 'faas' ? 404 : 405, method);
      if (entry !== 'faas') t.is(response.headers.get('allow'), 'GET, HEAD, POST');
      await response.body?.cancel();
    }
    const unknown = await fetch(`${backend.url}/counter`, { method: 'POST' });
    t.is(unknown.status, 404);
    await unknown.body?.cancel();
    t.is(await counterOf(backend.url), 1);
  });

  const badConfig: [Record<string, string>, RegExp][] = [
    [{ LAG_MIN_MS: 'abc' }, /LAG_MIN_MS is "abc": expected a whole number/],
    [{ LAG_MIN_MS: '500', LAG_MAX_MS: '100' }, /LAG_MAX_MS is "100": expected at least LAG_MIN_MS \(500\)/],
    [{ LAG_MAX_MS: '-1' }, /LAG_MAX_MS is "-1"/],
  ];
  for (const [env, message] of badConfig) {
    test(`${entry}: start-up fails with status 1 on ${JSON.stringify(env)}, naming the variable`, async (t) => {
      const child = await spawnTestFunction(t, 'backend', entry, { ...env, OTEL_SDK_DISABLED: 'true' });
      t.is((await child.exited).code, 1);
      t.regex(child.output(), message);
      t.regex(child.output(), /^backend did not start: /m);
    });
  }
}

test('express: the original tutorial path /api/counter reads and increases the same counter', async (t) => {
  const backend = await startBackend(t, 'express');
  t.is(await counterOf(`${backend.url}/api/counter`), 1);
  t.is(await (await fetch(`${backend.url}/api/counter`, { method: 'POST' })).text(), '2\n');
  t.is(await counterOf(backend.url), 2);
});

test('faas: /api/counter is not routed by faas-js-runtime', async (t) => {
  const backend = await startBackend(t, 'faas');
  const response = await fetch(`${backend.url}/api/counter`, { method: 'POST' });
  t.is(response.status, 404);
  await response.body?.cancel();
  t.is(await counterOf(backend.url), 1);
});
