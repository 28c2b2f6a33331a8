// The functions' own HTTP spans (functions/lib/http-spans.ts) over real node:http servers and
// clients on loopback, with a real tracer provider and the W3C propagators, as NodeSDK sets them.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Span as ApiSpan, context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import test from 'ava';
import { traceClients, traceServers } from '../../functions/backend/src/lib/http-spans.ts';
import { waitFor } from '../../tools/processes/process.ts';
import { captureDiagWarnings, installMemoryTracing, installW3cPropagation } from '../helpers/tracing.ts';

const spans = installMemoryTracing();
installW3cPropagation();
const tracer = trace.getTracer('http-spans test');
const warnings = captureDiagWarnings();
const untraceServers = traceServers(tracer, (incoming) => incoming.url === '/health/readiness');
const untraceClients = traceClients(tracer);

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

/** A server on loopback whose requests each note the span active in their handler. */
async function serve(
  t: { teardown(fn: () => void): void },
  handler: Handler,
): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    server.closeAllConnections();
    server.close();
  });
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

interface Sent {
  status: number;
  body: string;
}

interface SendOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

/** Sends a request as the active context says: traced under its span, or with tracing suppressed. */
function sendTraced(url: string, options: SendOptions = {}) {
  return new Promise<Sent>((resolve, reject) => {
    const outgoing = request(url, { method: options.method ?? 'GET', headers: options.headers }, (incoming) => {
      let body = '';
      incoming.setEncoding('utf8');
      incoming.on('data', (chunk: string) => {
        body += chunk;
      });
      incoming.once('end', () => resolve({ status: incoming.statusCode ?? 0, body }));
    });
    outgoing.once('error', reject);
    outgoing.end(options.body);
  });
}

/** Sends a request as a caller outside this process would: no client span, only the given headers. */
function send(url: string, options: SendOptions = {}) {
  return context.with(suppressTracing(ROOT_CONTEXT), () => sendTraced(url, options));
}

/** Spans end on 'close', a tick after the answer: wait for the one wanted. */
function finished(match: (span: ReadableSpan) => boolean): Promise<ReadableSpan> {
  return waitFor('the span to finish', async () => spans.getFinishedSpans().find(match), {
    timeoutMs: 1000,
    intervalMs: 10,
  });
}

function activeSpanId(): string {
  return trace.getActiveSpan()?.spanContext().spanId ?? 'none';
}

test('a server span for each request, with the conventions’ attributes and none of the user’s', async (t) => {
  // A route's handler names its route, as lib/spans.ts's replyTraced does; without one, the path is
  // not recorded as written (test/lib/http-spans-privacy.test.ts).
  const { url } = await serve(t, (_request, response) => {
    trace.getActiveSpan()?.setAttribute('http.route', '/some/path');
    response.end(activeSpanId());
  });
  const { body } = await send(`${url}/some/path?email=someone@example.com`, {
    headers: { 'user-agent': 'secret-agent/1.0', 'x-marker': 'plain' },
  });
  const span = await finished((one) => one.spanContext().spanId === body);
  t.is(span.kind, SpanKind.SERVER);
  t.is(span.name, 'GET');
  t.is(span.parentSpanContext, undefined, 'no traceparent: a root span');
  const port = Number(new URL(url).port);
  t.deepEqual(span.attributes, {
    'http.request.method': 'GET',
    'url.path': '/some/path',
    'http.route': '/some/path',
    'url.scheme': 'http',
    'network.protocol.version': '1.1',
    'server.address': '127.0.0.1',
    'server.port': port,
    'http.response.status_code': 200,
  });
  t.is(span.status.code, SpanStatusCode.UNSET);
});

test('a Host header the client made up gives no NaN, no port out of range and no unbounded name', async (t) => {
  const { url } = await serve(t, (_request, response) => response.end(activeSpanId()));
  const long = `${'a'.repeat(250)}.example`;
  const cases: [string, Record<string, unknown>][] = [
    ['x:abc', { 'server.address': 'x' }],
    ['x:99999', { 'server.address': 'x' }],
    ['x:', { 'server.address': 'x' }],
    ['x:1e3', { 'server.address': 'x' }],
    ['[::1]:8080', { 'server.address': '[::1]', 'server.port': 8080 }],
    ['name', { 'server.address': 'name', 'server.port': 80 }],
    [`${long}:8080`, { 'server.port': 8080 }],
  ];
  for (const [host, expected] of cases) {
    const { body } = await send(url, { headers: { host } });
    const span = await finished((one) => one.spanContext().spanId === body);
    const recorded = Object.fromEntries(
      Object.entries(span.attributes).filter(([key]) => key === 'server.address' || key === 'server.port'),
    );
    t.deepEqual(recorded, expected, host.slice(0, 40));
    for (const value of Object.values(span.attributes)) {
      if (typeof value === 'number') t.true(Number.isFinite(value), `${host}: ${value}`);
    }
  }
});

test('the server span continues the caller’s trace from traceparent, and an invalid one starts a new trace', async (t) => {
  const { url } = await serve(t, (_request, response) => {
    const active = trace.getActiveSpan()?.spanContext();
    response.end(`${active?.traceId} ${active?.spanId}`);
  });
  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
  const parent = '00f067aa0ba902b7';
  const continued = await send(url, { headers: { traceparent: `00-${traceId}-${parent}-01` } });
  const [continuedTrace, continuedSpan] = continued.body.split(' ');
  t.is(continuedTrace, traceId);
  const span = await finished((one) => one.spanContext().spanId === continuedSpan);
  t.is(span.parentSpanContext?.spanId, parent);
  t.true(span.parentSpanContext?.isRemote);

  const fresh = await send(url, { headers: { traceparent: `00-${traceId}-${parent}-zz` } });
  t.not(fresh.body.split(' ')[0], traceId, 'a broken traceparent is not followed');

  const unsampledTrace = '5bf92f3577b34da6a3ce929d0e0e4737';
  const unsampled = await send(url, { headers: { traceparent: `00-${unsampledTrace}-${parent}-00` } });
  t.is(unsampled.body.split(' ')[0], unsampledTrace, 'an unsampled caller keeps its trace id');
  // A sampled request after it: once its span has ended, the unsampled one's would have too.
  const after = await send(url);
  await finished((one) => one.spanContext().spanId === after.body.split(' ')[1]);
  t.false(
    spans.getFinishedSpans().some((one) => one.spanContext().traceId === unsampledTrace),
    'and nothing is recorded for it',
  );
});

test('ignored requests (probes) make no span and run outside any', async (t) => {
  const { url } = await serve(t, (_request, response) => response.end(activeSpanId()));
  const { body } = await send(`${url}/health/readiness`);
  t.is(body, 'none');
});

test('a body read in the connection’s callbacks still sees the request’s span, request after request', async (t) => {
  const { url } = await serve(t, (incoming, response) => {
    const atStart = activeSpanId();
    let size = 0;
    incoming.on('data', (chunk: Buffer) => {
      size += chunk.length;
    });
    incoming.once('end', () => response.end(`${atStart} ${activeSpanId()} ${size}`));
  });
  for (const body of ['x'.repeat(100_000), 'second on the same connection']) {
    const answer = await send(url, { method: 'POST', body, headers: { 'content-length': String(body.length) } });
    const [atStart, atEnd, size] = answer.body.split(' ');
    t.is(atEnd, atStart, 'the end of the body is read inside the same span');
    t.is(Number(size), body.length);
    t.not(atStart, 'none');
  }
});

test('a 5xx answer marks the span failed, keeping the message the handler recorded', async (t) => {
  const { url } = await serve(t, (incoming, response) => {
    if (incoming.url === '/recorded') {
      trace.getActiveSpan()?.setStatus({ code: SpanStatusCode.ERROR, message: 'the backend failed' });
    }
    response.statusCode = incoming.url === '/not-found' ? 404 : 502;
    response.end(activeSpanId());
  });
  const plain = await send(`${url}/plain`);
  const recorded = await send(`${url}/recorded`);
  const notFound = await send(`${url}/not-found`);
  const plainSpan = await finished((one) => one.spanContext().spanId === plain.body);
  t.is(plainSpan.status.code, SpanStatusCode.ERROR);
  t.is(plainSpan.attributes['error.type'], '502');
  const recordedSpan = await finished((one) => one.spanContext().spanId === recorded.body);
  t.deepEqual(recordedSpan.status, { code: SpanStatusCode.ERROR, message: 'the backend failed' });
  const notFoundSpan = await finished((one) => one.spanContext().spanId === notFound.body);
  t.is(notFoundSpan.status.code, SpanStatusCode.UNSET, 'a 4xx is the caller’s error, not the server’s');
  t.is(notFoundSpan.attributes['http.response.status_code'], 404);
});

test('an unknown method is recorded as _OTHER, with the method beside it', async (t) => {
  const { url } = await serve(t, (_request, response) => response.end(activeSpanId()));
  const { body } = await send(url, { method: 'PURGE' });
  const span = await finished((one) => one.spanContext().spanId === body);
  t.is(span.name, 'HTTP');
  t.is(span.attributes['http.request.method'], '_OTHER');
  t.is(span.attributes['http.request.method_original'], 'PURGE');
});

test('a client span for each request sent, under the active span, its context in traceparent', async (t) => {
  const { url } = await serve(t, (incoming, response) => response.end(String(incoming.headers.traceparent)));
  const parent = tracer.startSpan('visit');
  const { body } = await context.with(trace.setSpan(ROOT_CONTEXT, parent), () =>
    sendTraced(`${url}/counter`, { method: 'POST', body: '' }),
  );
  parent.end();
  const [, traceId, spanId] = body.split('-');
  const client = await finished((one) => one.kind === SpanKind.CLIENT && one.spanContext().spanId === spanId);
  t.is(traceId, parent.spanContext().traceId);
  t.is(client.parentSpanContext?.spanId, parent.spanContext().spanId);
  t.is(client.name, 'POST');
  const port = Number(new URL(url).port);
  t.deepEqual(client.attributes, {
    'http.request.method': 'POST',
    'server.address': '127.0.0.1',
    'server.port': port,
    'url.full': `${url}/counter`,
    'network.protocol.version': '1.1',
    'http.response.status_code': 200,
  });
  const server = await finished((one) => one.kind === SpanKind.SERVER && one.parentSpanContext?.spanId === spanId);
  t.is(server.spanContext().traceId, String(traceId), 'the server continues the client’s trace');
});

test('a client span fails with the answer’s 4xx or 5xx, the refused connection or the abort', async (t) => {
  const { url } = await serve(t, (incoming, response) => {
    if (incoming.url === '/slow') return;
    response.statusCode = 503;
    response.end();
  });
  const parent = tracer.startSpan('visit');
  const inVisit = trace.setSpan(ROOT_CONTEXT, parent);
  const childrenOf = () =>
    spans.getFinishedSpans().filter((one) => one.parentSpanContext?.spanId === parent.spanContext().spanId);

  await context.with(inVisit, () => sendTraced(url));
  const refusedServer = createServer();
  await new Promise<void>((resolve) => refusedServer.listen(0, '127.0.0.1', resolve));
  const refusedUrl = `http://127.0.0.1:${(refusedServer.address() as AddressInfo).port}`;
  await new Promise<void>((resolve) => refusedServer.close(() => resolve()));
  await t.throwsAsync(
    context.with(inVisit, () => sendTraced(refusedUrl)),
    { message: /ECONNREFUSED/ },
  );
  await t.throwsAsync(
    context.with(inVisit, () => {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 50);
      return new Promise((resolve, reject) => {
        const outgoing = request(`${url}/slow`, { signal: controller.signal }, resolve);
        outgoing.once('error', reject);
        outgoing.end();
      });
    }),
    { name: 'AbortError' },
  );
  await finished(() => childrenOf().length === 3);
  const byUrl = (suffix: string) => childrenOf().find((one) => String(one.attributes['url.full']).endsWith(suffix));
  const failed = byUrl(`${new URL(url).port}/`);
  t.is(failed?.status.code, SpanStatusCode.ERROR);
  t.is(failed?.attributes['error.type'], '503');
  const refused = byUrl(`${new URL(refusedUrl).port}/`);
  t.is(refused?.status.code, SpanStatusCode.ERROR);
  t.is(refused?.attributes['error.type'], 'ECONNREFUSED');
  t.is(refused?.events[0]?.name, 'exception');
  const aborted = byUrl('/slow');
  t.is(aborted?.status.code, SpanStatusCode.ERROR);
  t.is(aborted?.attributes['error.type'], 'aborted');
  parent.end();
});

test('a request whose headers are written at once (a raw array) goes out untouched, still with its span', async (t) => {
  const { url } = await serve(t, (incoming, response) => response.end(String(incoming.headers.traceparent)));
  const parent = tracer.startSpan('visit');
  const body = await context.with(
    trace.setSpan(ROOT_CONTEXT, parent),
    () =>
      new Promise<string>((resolve, reject) => {
        const outgoing = request(`${url}/raw`, { headers: ['host', new URL(url).host, 'x-raw', 'yes'] }, (incoming) => {
          let text = '';
          incoming.setEncoding('utf8');
          incoming.on('data', (chunk: string) => {
            text += chunk;
          });
          incoming.once('end', () => resolve(text));
        });
        outgoing.once('error', reject);
        outgoing.end();
      }),
  );
  parent.end();
  t.is(body, 'undefined', 'no traceparent could be added');
  t.deepEqual(warnings, [], 'and no attempt was made, that the propagator would log');
  const client = await finished(
    (one) => one.kind === SpanKind.CLIENT && one.parentSpanContext?.spanId === parent.spanContext().spanId,
  );
  t.is(client.attributes['http.response.status_code'], 200);
});

test('no client span while tracing is suppressed (an exporter’s own calls)', async (t) => {
  const { url } = await serve(t, (incoming, response) => response.end(String(incoming.headers.traceparent)));
  const parent: ApiSpan = tracer.startSpan('export');
  const { body } = await context.with(suppressTracing(trace.setSpan(ROOT_CONTEXT, parent)), () => sendTraced(url));
  parent.end();
  t.is(body, 'undefined', 'no traceparent sent');
});

test('a visit its caller did not sample: no span is recorded, and the trace context still goes on, unsampled', async (t) => {
  const traceId = '5c0ffee0a11ce5ed0000000000000abc';
  let forwarded: string | undefined;
  const { url: backend } = await serve(t, (incoming, outgoing) => {
    forwarded = incoming.headers.traceparent as string | undefined;
    outgoing.end('8');
  });
  const { url: frontend } = await serve(t, (_incoming, outgoing) => {
    void sendTraced(backend).then((answer) => outgoing.end(answer.body));
  });
  const answer = await send(frontend, { headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-00` } });
  t.is(answer.body, '8');
  t.regex(forwarded ?? '', new RegExp(`^00-${traceId}-[\\da-f]{16}-00$`));
  t.not(forwarded, `00-${traceId}-00f067aa0ba902b7-00`, 'the client span has an id of its own');
  t.deepEqual(
    spans.getFinishedSpans().filter((span) => span.spanContext().traceId === traceId),
    [],
  );
});

test.after.always(() => {
  untraceServers();
  untraceClients();
});
