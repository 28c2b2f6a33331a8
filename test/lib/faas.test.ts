import test from 'ava';
import type { Context } from 'faas-js-runtime';
import { findShadowingParameter, replyToInvocation } from '../../functions/backend/src/lib/faas.ts';
import { textReply } from '../../functions/backend/src/lib/http.ts';

const cases: [string, unknown, string | undefined][] = [
  ['no query', {}, undefined],
  ['harmless parameters', { t: '123', visitor: 'me' }, undefined],
  ['?method=POST', { method: 'POST' }, 'method'],
  ['?headers=x', { headers: 'x' }, 'headers'],
  ['?body=x', { body: 'x' }, 'body'],
  ['?httpVersion=3', { httpVersion: '3' }, 'httpVersion'],
  ['?query=x, which replaces the query itself', 'x', 'query'],
  ['a missing query', undefined, 'query'],
];

for (const [what, query, expected] of cases) {
  test(`findShadowingParameter: ${what}`, (t) => {
    // As faas-js-runtime builds it: `?query=x` leaves a query that its Context type does not allow.
    t.is(findShadowingParameter({ method: 'GET', query } as Pick<Context, 'query'>), expected);
  });
}

test('replyToInvocation refuses a tampered context with 400 and never calls the core', async (t) => {
  let called = false;
  const response = await replyToInvocation({ method: 'POST', query: { method: 'POST' } }, async () => {
    called = true;
    return textReply(200, 'x');
  });
  t.false(called);
  t.is(response.statusCode, 400);
  t.regex(String(response.body), /"method" is not accepted/);
});

test('replyToInvocation passes the method to the core and its reply back', async (t) => {
  const response = await replyToInvocation({ method: 'GET', query: {} }, async (request) =>
    textReply(201, request.method),
  );
  t.deepEqual(response, {
    statusCode: 201,
    headers: { 'content-type': 'text/plain; charset=utf-8' },
    body: 'GET',
  });
});

test('replyToInvocation contains an unexpected error: 500 with a short body, no details', async (t) => {
  const response = await replyToInvocation({ method: 'GET', query: {} }, async () => {
    throw new TypeError('secret detail');
  });
  t.is(response.statusCode, 500);
  t.is(response.body, 'Internal Server Error\n');
});
