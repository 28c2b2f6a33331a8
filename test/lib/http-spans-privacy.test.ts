// What a server span keeps of what a client wrote (docs/security.md, "What a span records from a
// request"): the path only of a route the function answers, the Host only as a host name or address,
// a caller's tracestate only beside a traceparent it follows, and then bounded. Real node:http and
// express servers on loopback, a real tracer provider, the W3C propagators as NodeSDK sets them.
import { createServer, request } from 'node:http';
import { SpanKind, trace } from '@opentelemetry/api';
import test from 'ava';
import express from 'express';
import { textReply } from '../../functions/backend/src/lib/http.ts';
import { traceClients, traceServers } from '../../functions/backend/src/lib/http-spans.ts';
import { replyTraced } from '../../functions/backend/src/lib/spans.ts';
import { finishedSpan, listenOnLoopback, sendFromOutside, withSpanId } from '../helpers/loopback-http.ts';
import { installMemoryTracing, installW3cPropagation } from '../helpers/tracing.ts';

const spans = installMemoryTracing();
installW3cPropagation();
const tracer = trace.getTracer('http-spans privacy test');
const untraceServers = traceServers(tracer, () => false);
const untraceClients = traceClients(tracer);

const activeSpanId = () => trace.getActiveSpan()?.spanContext().spanId ?? 'none';

/** The express entry's shape (lib/express.ts, which starts the SDK when loaded): routes answered through replyTraced, 404 else. */
function routedApp(paths: readonly string[]) {
  const app = express();
  for (const path of paths) {
    app.all(path, async (incoming, response) => {
      const reply = await replyTraced({ method: incoming.method, hasBody: false }, path, async () =>
        textReply(200, activeSpanId()),
      );
      response.status(reply.status).send(reply.body);
    });
  }
  app.use((_incoming, response) => {
    response.status(404).send(activeSpanId());
  });
  return app;
}

test('the path of a request no route answered is not recorded as written; a route’s path is', async (t) => {
  const url = await listenOnLoopback(t, createServer(routedApp(['/', '/api/counter'])));
  const cases: [string, string, string | undefined][] = [
    ['/', '/', '/'],
    ['/api/counter?email=someone@example.com', '/api/counter', '/api/counter'],
    ['/users/someone@example.com/reset-password', 'REDACTED', undefined],
    ['/../../etc/passwd', 'REDACTED', undefined],
    [`/${'x'.repeat(8000)}`, 'REDACTED', undefined],
  ];
  for (const [path, recorded, route] of cases) {
    const span = await finishedSpan(spans, path.slice(0, 40), withSpanId(await sendFromOutside(url, { path })));
    t.is(span.attributes['url.path'], recorded, path.slice(0, 40));
    t.is(span.attributes['http.route'], route, path.slice(0, 40));
    t.false(
      JSON.stringify([span.name, span.attributes, span.events]).includes('someone@example.com'),
      `${path.slice(0, 40)}: nothing of it elsewhere on the span`,
    );
  }
});

test('server.address is recorded only when the Host names a host: a DNS name or an IP address', async (t) => {
  const url = await listenOnLoopback(t, createServer(routedApp(['/'])));
  const cases: [string, string | undefined][] = [
    ['frontend.default.example.com', 'frontend.default.example.com'],
    ['frontend.default.svc.cluster.local:8080', 'frontend.default.svc.cluster.local'],
    ['localhost', 'localhost'],
    ['10.1.2.80:80', '10.1.2.80'],
    ['[::1]:8080', '[::1]'],
    ['x:abc', 'x'],
    ['someone@example.com', undefined],
    ['my name is Alice', undefined],
    ['<script>alert(1)</script>', undefined],
    ['a..b', undefined],
    [`${'a'.repeat(64)}.example`, undefined],
    [`${'a.'.repeat(130)}example`, undefined],
    ['[not-an-address]:80', undefined],
    ['-leading-hyphen.example', undefined],
  ];
  for (const [host, address] of cases) {
    const span = await finishedSpan(
      spans,
      host.slice(0, 40),
      withSpanId(await sendFromOutside(url, { headers: { host } })),
    );
    t.is(span.attributes['server.address'], address, host.slice(0, 40));
  }
});

// The W3C trace context rule: a participant that follows the traceparent "MUST send [tracestate] to
// outgoing requests", and "MAY mutate" it; OpenTelemetry's propagator keeps at most 32 well-formed
// members within 512 characters. Beside a traceparent that is not followed, tracestate is dropped.
test('a caller’s tracestate is kept only beside a traceparent that is followed, and bounded on every span and onward', async (t) => {
  const downstream = await listenOnLoopback(
    t,
    createServer((incoming, response) => response.end(String(incoming.headers.tracestate ?? ''))),
  );
  const url = await listenOnLoopback(
    t,
    createServer((_incoming, response) => {
      const spanId = activeSpanId();
      // A call onward, as the frontend's to the backend: a client span of ours, its context in the headers.
      const onward = request(downstream, (answer) => {
        let sent = '';
        answer.setEncoding('utf8');
        answer.on('data', (chunk: string) => {
          sent += chunk;
        });
        answer.once('end', () => response.end(`${spanId} ${sent}`));
      });
      onward.end();
    }),
  );
  const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
  const oversized = Array.from({ length: 40 }, (_, index) => `k${index}=${'v'.repeat(40)}`).join(',');
  t.true(oversized.length > 1500);

  const [followedId, sentOnward = ''] = (
    await sendFromOutside(url, { headers: { traceparent, tracestate: oversized } })
  ).split(' ');
  const server = await finishedSpan(spans, 'the server span', withSpanId(String(followedId)));
  const kept = server.spanContext().traceState?.serialize() ?? '';
  t.true(kept.length > 0 && kept.length <= 512, `kept ${kept.length} characters`);
  t.true(sentOnward.length <= 512, `sent onward ${sentOnward.length} characters`);
  const client = await finishedSpan(
    spans,
    'the client span',
    (one) => one.kind === SpanKind.CLIENT && one.parentSpanContext?.spanId === followedId,
  );
  t.true((client.spanContext().traceState?.serialize() ?? '').length <= 512);

  const [notFollowedId, notSent = ''] = (
    await sendFromOutside(url, { headers: { traceparent: 'not-a-traceparent', tracestate: 'evil=1' } })
  ).split(' ');
  const fresh = await finishedSpan(spans, 'the fresh server span', withSpanId(String(notFollowedId)));
  t.is(fresh.spanContext().traceState, undefined, 'no tracestate beside a traceparent not followed');
  t.is(notSent, '', 'and none sent onward');
});

test.after.always(() => {
  untraceServers();
  untraceClients();
});
