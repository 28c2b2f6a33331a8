import test from 'ava';
import { BackendError, BackendTimeoutError, type CounterClient } from '../../functions/frontend/src/counter-client.ts';
import { replyTo } from '../../functions/frontend/src/reply.ts';

function counterThat(increase: () => Promise<number>): CounterClient & { calls: number } {
  const client = {
    calls: 0,
    read: async () => {
      client.calls += 1;
      return 1;
    },
    increase: async () => {
      client.calls += 1;
      return increase();
    },
  };
  return client;
}

test('GET greets the visitor numbered by the increase', async (t) => {
  const reply = await replyTo(
    { counter: counterThat(async () => 5), backendTimeoutMs: 1000 },
    { method: 'GET', hasBody: false },
  );
  t.is(reply.status, 200);
  t.is(reply.body, "Hello, World!\n\nYou're visitor number 4 in here!\n\n");
  t.is(reply.headers['content-type'], 'text/plain; charset=utf-8');
});

test('HEAD answers without visiting', async (t) => {
  const counter = counterThat(async () => 5);
  const reply = await replyTo({ counter, backendTimeoutMs: 1000 }, { method: 'HEAD', hasBody: false });
  t.is(reply.status, 200);
  t.is(counter.calls, 0);
});

for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
  test(`${method} is refused with 405 and an Allow header, without visiting`, async (t) => {
    const counter = counterThat(async () => 5);
    const reply = await replyTo({ counter, backendTimeoutMs: 1000 }, { method, hasBody: false });
    t.is(reply.status, 405);
    t.is(reply.headers.allow, 'GET, HEAD');
    t.is(counter.calls, 0);
  });
}

const failures: [string, Error, number, RegExp][] = [
  ['a failing backend', new BackendError('Request failed with status 500: POST http://b/'), 502, /^Bad Gateway/],
  ['a slow backend', new BackendTimeoutError('No answer in time: POST http://b/'), 504, /within 1000 ms/],
];

for (const [what, error, status, body] of failures) {
  test(`${what} gives ${status} with a short body and no internals`, async (t) => {
    const reply = await replyTo(
      {
        counter: counterThat(async () => {
          throw error;
        }),
        backendTimeoutMs: 1000,
      },
      { method: 'GET', hasBody: false },
    );
    t.is(reply.status, status);
    t.regex(reply.body, body);
    t.false(reply.body.includes('http://b'), 'the backend URL stays out of the answer');
    t.true(reply.body.length < 100);
  });
}

test('an unexpected error is not disguised as a backend failure', async (t) => {
  const counter = counterThat(async () => {
    throw new TypeError('a bug');
  });
  await t.throwsAsync(replyTo({ counter, backendTimeoutMs: 1000 }, { method: 'GET', hasBody: false }), {
    instanceOf: TypeError,
  });
});
