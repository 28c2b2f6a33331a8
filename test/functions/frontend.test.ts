// The frontend as a real process on faas-js-runtime, in front of the real backend, or of a backend
// that is down, slow or broken.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import { functionCommand, functionDirectory } from '../../tools/functions.ts';
import { findFreePort, spawnChild } from '../../tools/process.ts';
import { baseEnv, startTestFunction, startTestSystem } from '../helpers/system.ts';

const QUICK_LAG = { LAG_MIN_MS: '0', LAG_MAX_MS: '20' };

function visitorOf(body: string): number {
  const match = /^Hello, World!\n\nYou're visitor number (\d+) in here!\n\n$/.exec(body);
  if (!match?.[1]) throw new Error(`Not a greeting: ${JSON.stringify(body)}`);
  return Number(match[1]);
}

async function counterOf(url: string): Promise<number> {
  return Number(await (await fetch(url)).text());
}

test('GET / greets visitors 1, 2, 3 in turn, with a traceresponse', async (t) => {
  const { frontend } = await startTestSystem(t, { backendEnv: QUICK_LAG });
  for (const expected of [1, 2, 3]) {
    const response = await fetch(frontend.url);
    t.is(response.status, 200);
    t.is(response.headers.get('content-type'), 'text/plain; charset=utf-8');
    t.regex(response.headers.get('traceresponse') ?? '', /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    t.is(visitorOf(await response.text()), expected);
  }
});

test('overlapping visits get distinct, contiguous numbers', async (t) => {
  const { frontend, backend } = await startTestSystem(t, { backendEnv: { LAG_MIN_MS: '0', LAG_MAX_MS: '200' } });
  const numbers = await Promise.all(
    Array.from({ length: 30 }, async () => visitorOf(await (await fetch(frontend.url)).text())),
  );
  t.deepEqual(
    numbers.sort((a, b) => a - b),
    Array.from({ length: 30 }, (_, index) => index + 1),
  );
  t.is(await counterOf(backend.url), 31);
});

test('HEAD, other methods and tampered queries do not count a visit', async (t) => {
  const { frontend, backend } = await startTestSystem(t, { backendEnv: QUICK_LAG });
  const head = await fetch(frontend.url, { method: 'HEAD' });
  t.is(head.status, 200);
  const post = await fetch(frontend.url, { method: 'POST', body: 'x' });
  t.is(post.status, 405);
  t.is(post.headers.get('allow'), 'GET, HEAD');
  t.regex(await post.text(), /Method POST is not allowed here; use GET or HEAD/);
  const tampered = await fetch(`${frontend.url}/?method=HEAD`);
  t.is(tampered.status, 400);
  await tampered.body?.cancel();
  const options = await fetch(frontend.url, { method: 'OPTIONS' });
  t.is(options.status, 204, 'CORS preflight, answered by faas-js-runtime');
  for (const [method, path] of [
    ['PUT', '/'],
    ['DELETE', '/'],
    ['GET', '/visit'],
  ]) {
    const unrouted = await fetch(`${frontend.url}${path}`, { method });
    t.is(unrouted.status, 404, `${method} ${path}`);
    await unrouted.body?.cancel();
  }
  t.is(await counterOf(backend.url), 1);
});

test('backend down: 502 with a short body, then it recovers by itself when the backend comes back', async (t) => {
  const backendPort = await findFreePort();
  const frontend = await startTestFunction(
    t,
    'frontend',
    baseEnv({ OTEL_SDK_DISABLED: 'true', COUNTER_ENDPOINT: `http://localhost:${backendPort}` }),
  );
  const down = await fetch(frontend.url);
  t.is(down.status, 502);
  t.is(await down.text(), 'Bad Gateway: the counter backend failed.\n');

  await startTestFunction(t, 'backend', baseEnv({ OTEL_SDK_DISABLED: 'true', ...QUICK_LAG }), backendPort);
  const back = await fetch(frontend.url);
  t.is(back.status, 200);
  t.is(visitorOf(await back.text()), 1);
});

test('backend slower than BACKEND_TIMEOUT_MS: 504 within the timeout', async (t) => {
  const { frontend } = await startTestSystem(t, {
    backendEnv: { LAG_MIN_MS: '5000', LAG_MAX_MS: '5000' },
    frontendEnv: { BACKEND_TIMEOUT_MS: '300' },
  });
  const started = performance.now();
  const response = await fetch(frontend.url);
  const elapsed = performance.now() - started;
  t.is(response.status, 504);
  t.is(await response.text(), 'Gateway Timeout: the counter backend did not answer within 300 ms.\n');
  t.true(elapsed >= 300 && elapsed < 2000, `${elapsed} ms`);
});

test('a backend that answers nonsense: 502', async (t) => {
  const liar = createServer((_request, response) => response.end('<html>oops</html>'));
  await new Promise<void>((resolve) => liar.listen(0, '127.0.0.1', resolve));
  t.teardown(() => liar.close());
  const frontend = await startTestFunction(
    t,
    'frontend',
    baseEnv({
      OTEL_SDK_DISABLED: 'true',
      COUNTER_ENDPOINT: `http://127.0.0.1:${(liar.address() as AddressInfo).port}`,
    }),
  );
  const response = await fetch(frontend.url);
  t.is(response.status, 502);
  t.false((await response.text()).includes('oops'));
});

test('with OTEL_SDK_DISABLED=true it works untraced: no traceresponse', async (t) => {
  const { frontend } = await startTestSystem(t, { backendEnv: QUICK_LAG, tracing: false });
  const response = await fetch(frontend.url);
  t.is(visitorOf(await response.text()), 1);
  t.is(response.headers.get('traceresponse'), null);
});

const badConfig: [Record<string, string>, RegExp][] = [
  [{}, /COUNTER_ENDPOINT is not set: expected an absolute http:\/\/ or https:\/\/ URL/],
  [{ COUNTER_ENDPOINT: 'backend:8081' }, /COUNTER_ENDPOINT is "backend:8081"/],
  [{ COUNTER_ENDPOINT: 'http://b', BACKEND_TIMEOUT_MS: 'soon' }, /BACKEND_TIMEOUT_MS is "soon"/],
];

for (const [env, message] of badConfig) {
  test(`start-up fails with status 1 on ${JSON.stringify(env)}, naming the variable`, async (t) => {
    const [command = '', ...args] = functionCommand();
    const child = spawnChild('frontend', command, args, {
      cwd: functionDirectory('frontend'),
      env: baseEnv({ ...env, FUNC_PORT: String(await findFreePort()) }),
    });
    t.teardown(() => child.stop('SIGKILL'));
    t.is((await child.exited).code, 1);
    t.regex(child.output(), message);
  });
}
