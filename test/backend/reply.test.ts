import test from 'ava';
import type { CounterService } from '../../functions/backend/src/counter-service.ts';
import { CounterStoreTimeoutError, CounterStoreUnavailableError } from '../../functions/backend/src/counter-store.ts';
import { replyTo } from '../../functions/backend/src/reply.ts';

function serviceAt(value: number): CounterService & { increases: number } {
  const service = {
    increases: 0,
    read: async () => value,
    increase: async () => {
      service.increases += 1;
      return value + service.increases;
    },
    increasePassedOn: async () => service.increase(),
    handOver: () => undefined,
  };
  return service;
}

for (const method of ['GET', 'HEAD']) {
  test(`${method} answers the value as text and increases nothing`, async (t) => {
    const service = serviceAt(41);
    t.like(await replyTo(service, { method: method, hasBody: false }), {
      status: 200,
      body: '41\n',
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    });
    t.is(service.increases, 0);
  });
}

test('POST increases and answers the new value', async (t) => {
  const service = serviceAt(41);
  t.like(await replyTo(service, { method: 'POST', hasBody: false }), { status: 200, body: '42\n' });
  t.is(service.increases, 1);
});

for (const method of ['PUT', 'DELETE', 'PATCH', 'TRACE', 'get']) {
  test(`${method} gets 405 with an Allow header and increases nothing`, async (t) => {
    const service = serviceAt(1);
    const reply = await replyTo(service, { method: method, hasBody: false });
    t.is(reply.status, 405);
    t.is(reply.headers.allow, 'GET, HEAD, POST');
    t.is(reply.body, `Method ${method} is not allowed here; use GET or HEAD or POST.\n`);
    t.is(service.increases, 0);
  });
}

test('POST with a body is refused with 400 and increases nothing: nothing sets the counter', async (t) => {
  const service = serviceAt(41);
  const reply = await replyTo(service, { method: 'POST', hasBody: true });
  t.is(reply.status, 400);
  t.is(reply.body, 'POST takes no body: it only adds one to the counter.\n');
  t.is(service.increases, 0);
});

const storeFailures: [string, Error, number, Record<string, string>, string][] = [
  [
    'unreachable',
    new CounterStoreUnavailableError('The counter store redis://r:6379 is unreachable: connect ECONNREFUSED'),
    503,
    { 'retry-after': '1' },
    'Service Unavailable: the counter store is unreachable.\n',
  ],
  [
    'too slow',
    new CounterStoreTimeoutError('The counter store redis://r:6379 did not answer within 300 ms', 300),
    504,
    {},
    'Gateway Timeout: the counter store did not answer within 300 ms.\n',
  ],
];

for (const [what, error, status, headers, body] of storeFailures) {
  for (const method of ['GET', 'POST']) {
    test(`${method} with the counter store ${what}: ${status} with a short body that names no address`, async (t) => {
      const failing: CounterService = {
        read: () => Promise.reject(error),
        increase: () => Promise.reject(error),
        increasePassedOn: () => Promise.reject(error),
        handOver: () => Promise.reject(error),
      };
      const reply = await replyTo(failing, { method, hasBody: false });
      t.like(reply, { status, body, headers: { 'content-type': 'text/plain; charset=utf-8', ...headers } });
    });
  }
}

test('another error of the store is not taken for an outage: it goes on to the 500 of replyTraced', async (t) => {
  const failing: CounterService = {
    read: () => Promise.reject(new Error('ERR value is not an integer')),
    increase: () => Promise.reject(new Error('ERR value is not an integer')),
    increasePassedOn: () => Promise.reject(new Error('ERR value is not an integer')),
    handOver: () => undefined,
  };
  await t.throwsAsync(replyTo(failing, { method: 'GET', hasBody: false }), { message: 'ERR value is not an integer' });
});

test('a handover asked of a store with no count to hand (Redis) is 409, nothing increased', async (t) => {
  const service = serviceAt(41);
  const reply = await replyTo(service, {
    method: 'POST',
    hasBody: false,
    header: (name) => (name === 'counter-handoff-to' ? 'http://10.0.0.7:8080/' : undefined),
  });
  t.like(reply, { status: 409, body: 'The count is in Redis: there is no count here to hand over.\n' });
  t.is(service.increases, 0);
});
