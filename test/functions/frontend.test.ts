// Contract tests of the frontend, run against both of its entries as real processes (the
// faas-js-runtime function and the express server) and against its container image run as Knative
// runs it, in front of the real backend, or of a backend that is down, slow or broken.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import { ALL_ENTRIES } from '../../tools/functions/run.ts';
import { findFreePort } from '../../tools/processes/ports.ts';
import { baseEnv, sharedTestJaeger, spawnTestFunction, startTestFunction, startTestSystem } from '../helpers/system.ts';

const QUICK_LAG = { LAG_MIN_MS: '0', LAG_MAX_MS: '20' };
/** One Jaeger for the file: its tests read only the traceresponse header, never Jaeger. */
const fileJaeger = sharedTestJaeger(test);

function visitorOf(body: string): number {
  const match = /^Hello, World!\n\nYou're visitor number (\d+) in here!\n\n$/.exec(body);
  if (!match?.[1]) throw new Error(`Not a greeting: ${JSON.stringify(body)}`);
  return Number(match[1]);
}

async function counterOf(url: string): Promise<number> {
  return Number(await (await fetch(url)).text());
}

for (const entry of ALL_ENTRIES) {
  test(`${entry}: GET / greets visitors 1, 2, 3 in turn, with a traceresponse`, async (t) => {
    const { frontend } = await startTestSystem(t, { entry, backendEnv: QUICK_LAG, jaeger: await fileJaeger() });
    for (const expected of [1, 2, 3]) {
      const response = await fetch(frontend.url);
      t.is(response.status, 200);
      t.is(response.headers.get('content-type'), 'text/plain; charset=utf-8');
      t.regex(response.headers.get('traceresponse') ?? '', /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      t.is(visitorOf(await response.text()), expected);
    }
  });

  test(`${entry}: overlapping visits get distinct, contiguous numbers`, async (t) => {
    const { frontend, backend } = await startTestSystem(t, {
      entry,
      jaeger: await fileJaeger(),
      backendEnv: { LAG_MIN_MS: '0', LAG_MAX_MS: '200' },
    });
    const numbers = await Promise.all(
      Array.from({ length: 30 }, async () => visitorOf(await (await fetch(frontend.url)).text())),
    );
    t.deepEqual(
      numbers.sort((a, b) => a - b),
      Array.from({ length: 30 }, (_, index) => index + 1),
    );
    t.is(await counterOf(backend.url), 31);
  });

  test(`${entry}: HEAD, other methods and tampered queries do not count a visit`, async (t) => {
    const { frontend, backend } = await startTestSystem(t, {
      entry,
      backendEnv: QUICK_LAG,
      jaeger: await fileJaeger(),
    });
    const head = await fetch(frontend.url, { method: 'HEAD' });
    t.is(head.status, 200);
    const post = await fetch(frontend.url, { method: 'POST', body: 'x' });
    t.is(post.status, 405);
    t.is(post.headers.get('allow'), 'GET, HEAD');
    t.regex(await post.text(), /Method POST is not allowed here; use GET or HEAD/);
    const tampered = await fetch(`${frontend.url}/?method=HEAD`, { method: 'POST' });
    // faas-js-runtime would read this POST as a HEAD: refused. express reads the real method.
    t.is(tampered.status, entry === 'faas' ? 400 : 405);
    await tampered.body?.cancel();
    const options = await fetch(frontend.url, { method: 'OPTIONS' });
    t.is(options.status, 204);
    for (const [method, path, status] of [
      ['PUT', '/', entry === 'faas' ? 404 : 405],
      ['DELETE', '/', entry === 'faas' ? 404 : 405],
      ['GET', '/visit', 404],
    ] as const) {
      const unrouted = await fetch(`${frontend.url}${path}`, { method });
      t.is(unrouted.status, status, `${method} ${path}`);
      await unrouted.body?.cancel();
    }
    t.is(await counterOf(backend.url), 1);
  });

  test(`${entry}: backend down: 502 with a short body, then it recovers by itself when the backend comes back`, async (t) => {
    const backendPort = await findFreePort();
    const frontend = await startTestFunction(
      t,
      'frontend',
      baseEnv({ OTEL_SDK_DISABLED: 'true', COUNTER_ENDPOINT: `http://localhost:${backendPort}` }),
      { entry },
    );
    const down = await fetch(frontend.url);
    t.is(down.status, 502);
    t.is(await down.text(), 'Bad Gateway: the counter backend failed.\n');

    await startTestFunction(t, 'backend', baseEnv({ OTEL_SDK_DISABLED: 'true', ...QUICK_LAG }), {
      port: backendPort,
      entry,
    });
    const back = await fetch(frontend.url);
    t.is(back.status, 200);
    t.is(visitorOf(await back.text()), 1);
  });

  test(`${entry}: backend slower than BACKEND_TIMEOUT_MS: 504 within the timeout`, async (t) => {
    const { frontend } = await startTestSystem(t, {
      entry,
      jaeger: await fileJaeger(),
      backendEnv: { LAG_MIN_MS: '5000', LAG_MAX_MS: '5000' },
      // A second, not 300 ms: on a loaded machine a 300 ms timeout's answer took 888 ms, and the
      // bound below must stay under twice the timeout.
      frontendEnv: { BACKEND_TIMEOUT_MS: '1000' },
    });
    // The first request of a process pays for loading what it has not run yet (up to a second here):
    // the one measured is the second, as every later visit is.
    await (await fetch(frontend.url)).text();
    const started = performance.now();
    const response = await fetch(frontend.url);
    const elapsed = performance.now() - started;
    t.is(response.status, 504);
    t.is(await response.text(), 'Gateway Timeout: the counter backend did not answer within 1000 ms.\n');
    // Below twice the timeout: a timeout doubled by mistake must fail this.
    t.true(elapsed >= 1000 && elapsed < 2000, `${elapsed} ms`);
    t.log(`504 after ${elapsed.toFixed(0)} ms`);
  });

  test(`${entry}: a backend that answers nonsense: 502`, async (t) => {
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
      { entry },
    );
    const response = await fetch(frontend.url);
    t.is(response.status, 502);
    t.false((await response.text()).includes('oops'));
  });

  test(`${entry}: with OTEL_SDK_DISABLED=true it works untraced: no traceresponse`, async (t) => {
    const { frontend } = await startTestSystem(t, { entry, backendEnv: QUICK_LAG, tracing: false });
    const response = await fetch(frontend.url);
    t.is(visitorOf(await response.text()), 1);
    t.is(response.headers.get('traceresponse'), null);
  });

  const badConfig: [Record<string, string>, RegExp][] = [
    [{}, /COUNTER_ENDPOINT is not set: expected an absolute http:\/\/ or https:\/\/ URL/],
    [{ COUNTER_ENDPOINT: 'backend:8081' }, /COUNTER_ENDPOINT is "backend:8081"/],
    [{ COUNTER_ENDPOINT: 'http://b', BACKEND_TIMEOUT_MS: 'soon' }, /BACKEND_TIMEOUT_MS is "soon"/],
  ];

  // knative/frontend.yaml sets COUNTER_ENDPOINT, so the container never starts without one.
  for (const [env, message] of badConfig.filter(([env]) => entry !== 'container' || 'COUNTER_ENDPOINT' in env)) {
    test(`${entry}: start-up fails with status 1 on ${JSON.stringify(env)}, naming the variable`, async (t) => {
      const child = await spawnTestFunction(t, 'frontend', entry, env);
      t.is((await child.exited).code, 1);
      t.regex(child.output(), message);
      t.regex(child.output(), /^frontend did not start: /m);
    });
  }
}
