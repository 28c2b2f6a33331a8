import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import test, { type ExecutionContext } from 'ava';
import { BackendError, BackendTimeoutError, createCounterClient } from '../../functions/frontend/src/counter-client.ts';
import { findFreePort } from '../../tools/processes/ports.ts';

/** A real HTTP server standing in for the backend, closed in teardown. */
async function serve(t: ExecutionContext, listener: RequestListener): Promise<URL> {
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    server.closeAllConnections();
    server.close();
  });
  return new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
}

test('GET reads and POST increases, each parsed as a number', async (t) => {
  const seen: string[] = [];
  const endpoint = await serve(t, (request, response) => {
    seen.push(request.method ?? '');
    response.end(request.method === 'POST' ? '8\n' : '7\n');
  });
  const client = createCounterClient({ endpoint });
  t.is(await client.read(AbortSignal.timeout(2000)), 7);
  t.is(await client.increase(AbortSignal.timeout(2000)), 8);
  t.deepEqual(seen, ['GET', 'POST']);
});

const badAnswers: [string, number, string, RegExp][] = [
  ['a server error', 500, 'boom', /Request failed with status 500: GET http:\/\/127\.0\.0\.1:\d+\//],
  ['a not-found', 404, '', /status 404/],
  ['a body that is not a number', 200, 'Hello', /not a counter value.*"Hello"/],
  ['a negative number', 200, '-1', /not a counter value/],
  ['a huge body', 200, '9'.repeat(100), /not a counter value/],
];

for (const [what, status, body, message] of badAnswers) {
  test(`${what} is a BackendError naming the request`, async (t) => {
    const endpoint = await serve(t, (_request, response) => {
      response.statusCode = status;
      response.end(body);
    });
    await t.throwsAsync(createCounterClient({ endpoint }).read(AbortSignal.timeout(2000)), {
      instanceOf: BackendError,
      message,
    });
  });
}

test('a refused connection is a BackendError', async (t) => {
  const endpoint = new URL(`http://127.0.0.1:${await findFreePort()}/`);
  await t.throwsAsync(createCounterClient({ endpoint }).increase(AbortSignal.timeout(2000)), {
    instanceOf: BackendError,
    message: /Request failed: POST .*ECONNREFUSED/,
  });
});

test('no answer before the deadline is a BackendTimeoutError', async (t) => {
  const endpoint = await serve(t, () => {
    // Never answers.
  });
  const started = performance.now();
  await t.throwsAsync(createCounterClient({ endpoint }).increase(AbortSignal.timeout(100)), {
    instanceOf: BackendTimeoutError,
    message: /No answer in time: POST/,
  });
  // Below twice the deadline: a deadline doubled by mistake must fail this.
  t.true(performance.now() - started < 200);
});

test('a deadline that passes while the body streams is a timeout too', async (t) => {
  const endpoint = await serve(t, (_request, response) => {
    response.writeHead(200);
    response.write('1');
  });
  await t.throwsAsync(createCounterClient({ endpoint }).read(AbortSignal.timeout(150)), {
    instanceOf: BackendTimeoutError,
  });
});
