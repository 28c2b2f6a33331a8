// The redaction on its own: a real tracer provider with the redacting processor before the one that
// exports, and spans made the way @opentelemetry/instrumentation-http would make them.
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import test from 'ava';
import { RedactingSpanProcessor } from '../../functions/backend/src/lib/redact.ts';

function setUp() {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({
    spanProcessors: [new RedactingSpanProcessor(), new SimpleSpanProcessor({ exporter })],
  });
  return { exporter, tracer: provider.getTracer('test') };
}

const USER_DATA: Record<string, string | number> = {
  'client.address': '203.0.113.7',
  'client.port': 51_234,
  'network.peer.address': '203.0.113.7',
  'network.peer.port': 51_234,
  'user_agent.original': 'secret-agent/1.0',
  'url.query': 'email=someone@example.com',
};

/**
 * A server span as @opentelemetry/instrumentation-http makes it for `GET /p?email=...` from a browser,
 * with both the stable and the older conventions' attributes (its default until
 * OTEL_SEMCONV_STABILITY_OPT_IN=http): what the redaction must leave no user data in, judged by the
 * values, not by our list of keys.
 */
const INSTRUMENTATION_HTTP_SERVER_SPAN: Record<string, string | number> = {
  'http.request.method': 'GET',
  'url.scheme': 'http',
  'url.path': '/p',
  'url.query': 'email=someone@example.com',
  'server.address': 'frontend.default.example.com',
  'server.port': 80,
  'client.address': '203.0.113.7',
  'network.peer.address': '203.0.113.7',
  'network.peer.port': 51_234,
  'user_agent.original': 'secret-agent/1.0',
  'http.response.status_code': 200,
  'http.url': 'http://frontend.default.example.com/p?email=someone@example.com',
  'http.host': 'frontend.default.example.com',
  'http.method': 'GET',
  'http.scheme': 'http',
  'http.target': '/p?email=someone@example.com',
  'http.user_agent': 'secret-agent/1.0',
  'http.flavor': '1.1',
  'net.host.name': 'frontend.default.example.com',
  'net.host.port': 80,
  'net.peer.ip': '203.0.113.7',
  'net.peer.port': 51_234,
  'net.sock.peer.addr': '203.0.113.7',
  'http.status_code': 200,
  'url.full': 'http://frontend.default.example.com/p?email=someone@example.com',
};

test("no user data is left in instrumentation-http's attributes, stable or older; the request's shape stays", (t) => {
  const { exporter, tracer } = setUp();
  tracer.startSpan('GET', { kind: SpanKind.SERVER, attributes: INSTRUMENTATION_HTTP_SERVER_SPAN }).end();
  const attributes = exporter.getFinishedSpans()[0]?.attributes ?? {};
  const text = JSON.stringify(attributes);
  for (const userData of ['someone@example.com', 'email=', 'secret-agent', '203.0.113.7', '51234'])
    t.false(text.includes(userData), `${userData} in ${text}`);
  t.like(attributes, {
    'http.request.method': 'GET',
    'url.path': '/p',
    'http.url': 'http://frontend.default.example.com/p',
    'http.target': '/p',
    'url.full': 'http://frontend.default.example.com/p',
    'http.response.status_code': 200,
  });
});

for (const [key, value] of Object.entries(USER_DATA)) {
  test(`${key} is removed, whether set when the span starts or later`, (t) => {
    const { exporter, tracer } = setUp();
    tracer.startSpan('at start', { attributes: { [key]: value, 'http.request.method': 'GET' } }).end();
    const later = tracer.startSpan('later', { attributes: { 'http.request.method': 'GET' } });
    later.setAttribute(key, value);
    later.end();
    for (const span of exporter.getFinishedSpans()) {
      t.false(key in span.attributes, `${span.name}: ${key}`);
      t.is(span.attributes['http.request.method'], 'GET', `${span.name}: the other attributes stay`);
    }
  });
}

test('the exporter gets the span itself, every other field as it was', (t) => {
  const { exporter, tracer } = setUp();
  const span = tracer.startSpan('GET /', { kind: SpanKind.SERVER, attributes: USER_DATA });
  span.setAttribute('http.route', '/');
  span.addEvent('exception', { 'exception.message': 'out of range' });
  span.setStatus({ code: SpanStatusCode.ERROR, message: 'out of range' });
  span.end();
  const [exported] = exporter.getFinishedSpans();
  t.true(Object.is(exported, span), 'not a copy: no field the SDK adds can be left behind');
  t.deepEqual(exported?.attributes, { 'http.route': '/' });
  t.is(exported?.kind, SpanKind.SERVER);
  t.is(exported?.events[0]?.attributes?.['exception.message'], 'out of range');
  t.is(exported?.status.code, SpanStatusCode.ERROR);
});

test('a span without user data passes unchanged', (t) => {
  const { exporter, tracer } = setUp();
  tracer.startSpan('simulate lag', { attributes: { 'lag.duration_ms': 42 } }).end();
  t.deepEqual(exporter.getFinishedSpans()[0]?.attributes, { 'lag.duration_ms': 42 });
});
