// The functions' HTTP spans (functions/lib/http-spans.ts) against the rules of the stable HTTP
// semantic conventions (semantic-conventions docs/http/http-spans.md), one test per rule, each rule
// quoted above its test. Real node:http (and express) servers and clients on loopback, a real tracer
// provider with an in-memory exporter, and the W3C propagators, as NodeSDK sets them.
import type { ClientRequest, IncomingMessage, ServerResponse } from 'node:http';
import { createServer, request } from 'node:http';
import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import test from 'ava';
import express from 'express';
import { textReply } from '../../functions/backend/src/lib/http.ts';
import { traceClients, traceServers } from '../../functions/backend/src/lib/http-spans.ts';
import { replyTraced } from '../../functions/backend/src/lib/spans.ts';
import { finishedSpan, listenOnLoopback, sendFromOutside, withSpanId } from '../helpers/loopback-http.ts';
import { installMemoryTracing, installW3cPropagation } from '../helpers/tracing.ts';

const spans = installMemoryTracing();
installW3cPropagation();
const tracer = trace.getTracer('http-spans conventions test');
const untraceServers = traceServers(tracer, () => false);
const untraceClients = traceClients(tracer);

function serve(
  t: { teardown(fn: () => void): void },
  handler: (request: IncomingMessage, response: ServerResponse) => void,
) {
  return listenOnLoopback(t, createServer(handler));
}

/** Answers with the id of the span active in the handler, so that the test finds that span. */
function answerWithSpanId(_request: IncomingMessage, response: ServerResponse): void {
  response.end(trace.getActiveSpan()?.spanContext().spanId ?? 'none');
}

const send = sendFromOutside;
const finished = (what: string, match: (span: ReadableSpan) => boolean) => finishedSpan(spans, what, match);
const bySpanId = withSpanId;

// "`http.response.status_code` ... Conditionally Required: If and only if one was received/sent."
// "HTTP request may fail if it was cancelled ... When instrumentation detects such errors it SHOULD
// set span status to `Error` and SHOULD set the `error.type` attribute."
// (And the conventions' example "connection dropped before response body was sent" keeps the 201
// that was sent, beside error.type.)
test('server: a status code is recorded if and only if one was sent; a dropped connection sets error.type', async (t) => {
  const reached = new Map<string, (spanId: string) => void>();
  const url = await serve(t, (incoming, response) => {
    const spanId = trace.getActiveSpan()?.spanContext().spanId ?? 'none';
    if (incoming.url === '/head-sent') {
      response.writeHead(201, { 'content-type': 'text/plain' });
      response.write('part of the answer');
    }
    reached.get(incoming.url ?? '')?.(spanId);
  });
  for (const [path, status] of [
    ['/nothing-sent', undefined],
    ['/head-sent', 201],
  ] as const) {
    const spanId = await new Promise<string>((resolve) => {
      const outgoing = context.with(suppressTracing(ROOT_CONTEXT), () => request(`${url}${path}`, { agent: false }));
      outgoing.once('error', () => {});
      // The client gives up once the server has the request (and, for /head-sent, has begun its answer).
      reached.set(path, (id) => {
        outgoing.destroy();
        resolve(id);
      });
      outgoing.end();
    });
    const span = await finished(`the server span of ${path}`, bySpanId(spanId));
    t.is(span.attributes['http.response.status_code'], status, path);
    t.truthy(span.attributes['error.type'], `${path}: error.type`);
    t.is(span.status.code, SpanStatusCode.ERROR, path);
  }
});

// "The `{method}` MUST be `{http.request.method}` if the method represents the original method known
// to the instrumentation. In other cases (when `{http.request.method}` is set to `_OTHER`), `{method}`
// MUST be `HTTP`." and "If the HTTP request method is not known to instrumentation, it MUST set the
// `http.request.method` attribute to `_OTHER`." and `http.request.method_original`: "If and only if
// it's different than `http.request.method`."
test('a method the conventions do not know: span name HTTP, method _OTHER, the original beside it', async (t) => {
  const plain = await serve(t, answerWithSpanId);
  // The express entry (lib/express.ts, which cannot be loaded here: it starts the SDK) answers every
  // method on its routes through replyTraced, which names the span after the route.
  const app = express().all('/', async (incoming, response) => {
    const reply = await replyTraced({ method: incoming.method, hasBody: false }, '/', async () =>
      textReply(200, trace.getActiveSpan()?.spanContext().spanId ?? 'none'),
    );
    response.status(reply.status).send(reply.body);
  });
  const routed = await listenOnLoopback(t, createServer(app));

  const plainSpan = await finished('the plain server span', bySpanId(await send(plain, { method: 'PROPFIND' })));
  t.is(plainSpan.name, 'HTTP');
  const routedSpan = await finished('the express span', bySpanId(await send(routed, { method: 'PROPFIND' })));
  t.is(routedSpan.name, 'HTTP /', '{method} {target}, the method being HTTP');
  const parent = tracer.startSpan('visit');
  await context.with(
    trace.setSpan(ROOT_CONTEXT, parent),
    () =>
      new Promise<void>((resolve, reject) => {
        const outgoing = request(plain, { method: 'PROPFIND' }, (incoming) => {
          incoming.resume();
          incoming.once('end', resolve);
        });
        outgoing.once('error', reject);
        outgoing.end();
      }),
  );
  parent.end();
  const clientSpan = await finished(
    'the client span',
    (one) => one.kind === SpanKind.CLIENT && one.parentSpanContext?.spanId === parent.spanContext().spanId,
  );
  t.is(clientSpan.name, 'HTTP');
  for (const span of [plainSpan, routedSpan, clientSpan]) {
    t.is(span.attributes['http.request.method'], '_OTHER');
    t.is(span.attributes['http.request.method_original'], 'PROPFIND');
  }
  const known = await finished('a GET span', bySpanId(await send(plain)));
  t.is(known.name, 'GET');
  t.false('http.request.method_original' in known.attributes, 'no original when it is the method recorded');
});

// "`server.port` | int | Port of the local HTTP server that received the request." and "server.port
// SHOULD match the port component of the Host header": a port is a number from 0 to 65535 (RFC 3986's
// `port = *DIGIT`, in the range TCP has); a Host whose port is none of those has no port to record.
test('server.port is an integer from 0 to 65535 or absent, whatever the Host header says', async (t) => {
  const url = await serve(t, answerWithSpanId);
  const cases: [string, number | undefined][] = [
    ['x:8080', 8080],
    ['x', 80],
    ['x:-1', undefined],
    ['x:abc', undefined],
    ['x:99999', undefined],
    ['x:65536', undefined],
    ['x:1e3', undefined],
    ['x:0x50', undefined],
    [`${'a'.repeat(5000)}:8080`, 8080],
  ];
  for (const [host, port] of cases) {
    const span = await finished(host.slice(0, 20), bySpanId(await send(url, { headers: { host } })));
    t.is(span.attributes['server.port'], port, host.slice(0, 20));
  }
});

// "`url.scheme` ... The scheme of the original client request, if known (e.g. from Forwarded#proto,
// X-Forwarded-Proto, or a similar header). Otherwise, the scheme of the immediate peer request."
// Knative's ingress ends TLS before the pod and says so in X-Forwarded-Proto; only a scheme this
// server could have been reached by (http, https) is taken from it, any other value is ignored.
test('url.scheme is the original request’s, from X-Forwarded-Proto when it names http or https', async (t) => {
  const url = await serve(t, answerWithSpanId);
  const cases: [Record<string, string>, string][] = [
    [{}, 'http'],
    [{ 'x-forwarded-proto': 'https' }, 'https'],
    [{ 'x-forwarded-proto': 'HTTPS' }, 'https'],
    [{ 'x-forwarded-proto': 'http' }, 'http'],
    [{ 'x-forwarded-proto': 'https, http' }, 'https'],
    [{ 'x-forwarded-proto': 'ftp' }, 'http'],
    [{ 'x-forwarded-proto': 'javascript' }, 'http'],
    [{ 'x-forwarded-proto': 'x'.repeat(2000) }, 'http'],
  ];
  for (const [headers, scheme] of cases) {
    const span = await finished('the server span', bySpanId(await send(url, { headers })));
    t.is(span.attributes['url.scheme'], scheme, JSON.stringify(headers).slice(0, 60));
  }
});

// "HTTP request may fail if it was cancelled ... When instrumentation detects such errors it SHOULD
// set span status to `Error` and SHOULD set the `error.type` attribute." and "HTTP client spans SHOULD
// end sometime after the HTTP response headers are fully read (or when they fail to be read)."
test('client: a request closed with no error before any answer still ends its span, failed', async (t) => {
  let reached: () => void = () => {};
  const url = await serve(t, () => reached());
  // destroy() once the server has the request; abort() (deprecated, still called by older clients)
  // before the request has a socket, which closes it with no 'error' at all.
  const closings: [string, (outgoing: ClientRequest) => void][] = [
    [
      'destroy()',
      (outgoing) => {
        reached = () => outgoing.destroy();
      },
    ],
    ['abort()', (outgoing) => outgoing.abort()],
  ];
  for (const [how, close] of closings) {
    const parent = tracer.startSpan('visit');
    await context.with(
      trace.setSpan(ROOT_CONTEXT, parent),
      () =>
        new Promise<void>((resolve) => {
          const outgoing = request(`${url}/never-answered`, { agent: false });
          outgoing.on('error', () => {});
          outgoing.once('close', () => resolve());
          outgoing.end();
          close(outgoing);
        }),
    );
    parent.end();
    const span = await finished(
      `the client span of the request closed by ${how}`,
      (one) => one.kind === SpanKind.CLIENT && one.parentSpanContext?.spanId === parent.spanContext().spanId,
    );
    t.truthy(span.attributes['error.type'], how);
    t.is(span.status.code, SpanStatusCode.ERROR, how);
    t.false('http.response.status_code' in span.attributes, `${how}: no answer, no status code`);
  }
});

test.after.always(() => {
  untraceServers();
  untraceClients();
});
