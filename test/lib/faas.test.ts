import { createRequire } from 'node:module';
import test from 'ava';
import type { Context } from 'faas-js-runtime';
import {
  findShadowingParameter,
  mayBeCloudEvent,
  replyToInvocation,
  skipCloudEventParsingOfPlainRequests,
} from '../../functions/backend/src/lib/faas.ts';
import { textReply } from '../../functions/backend/src/lib/http.ts';
import { baseEnv, startTestFunction } from '../helpers/system.ts';

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

const cloudEventCases: [string, Record<string, string>, boolean][] = [
  ['a plain GET', {}, false],
  ['a plain text body', { 'content-type': 'text/plain' }, false],
  ['JSON that is not a CloudEvent', { 'content-type': 'application/json' }, false],
  ['a ce- header other than ce-id', { 'ce-type': 'x' }, false],
  ['binary mode (ce-id)', { 'ce-id': '1' }, true],
  ['structured mode', { 'content-type': 'application/cloudevents+json; charset=utf-8' }, true],
  ['batch mode', { 'content-type': 'application/cloudevents-batch+json' }, true],
];

for (const [what, headers, expected] of cloudEventCases) {
  test(`mayBeCloudEvent: ${what}`, (t) => {
    t.is(mayBeCloudEvent(headers), expected);
  });
}

test('skipCloudEventParsingOfPlainRequests wraps cloudevents once, whatever the number of calls', (t) => {
  const fromFaas = createRequire(createRequire(import.meta.url).resolve('faas-js-runtime'));
  const { HTTP } = fromFaas('cloudevents') as { HTTP: { isEvent: unknown } };
  skipCloudEventParsingOfPlainRequests();
  const wrapped = HTTP.isEvent;
  skipCloudEventParsingOfPlainRequests();
  t.is(HTTP.isEvent, wrapped);
  t.false((HTTP.isEvent as (message: { headers: object }) => boolean)({ headers: {} }));
});

test('on faas-js-runtime a plain request skips cloudevents, and one that may be a CloudEvent is still judged by it', async (t) => {
  const backend = await startTestFunction(
    t,
    'backend',
    baseEnv({ OTEL_SDK_DISABLED: 'true', LAG_MAX_MS: '0', LAG_MIN_MS: '0' }),
  );
  const plain = await fetch(backend.url, { method: 'POST' });
  t.is(plain.status, 200);
  t.is(await plain.text(), '2\n');
  // A binary-mode CloudEvent without its required ce-source and ce-type: cloudevents refuses it.
  const incomplete = await fetch(backend.url, { method: 'POST', headers: { 'ce-id': '1', 'ce-specversion': '1.0' } });
  t.is(incomplete.status, 500);
  t.regex(await incomplete.text(), /invalid payload/);
  const event = await fetch(backend.url, {
    method: 'POST',
    headers: { 'ce-id': '1', 'ce-specversion': '1.0', 'ce-type': 'visit', 'ce-source': '/test' },
  });
  t.is(event.status, 200);
  t.is(await event.text(), '3\n');
});
