// The functions' HTTP spans, made here rather than by @opentelemetry/instrumentation-http: a server
// span for each request a function answers, a client span for each request it sends, the W3C trace
// context read from the one and written into the other. instrumentation-http did the same with some
// three times the work per request, spans recorded or not (it binds every request's and response's
// event emitters, parses the URL, the host and the forwarding headers into attributes, in two
// versions of the conventions); that work was half of what tracing cost a visit
// (docs/performance.md). The attributes are the stable HTTP semantic conventions', less those that
// would carry user data (the client's address, its user agent, the query string), which are not
// recorded at all; of what the client writes, the path is kept only when a route answered it and the
// Host only when it names a host (docs/security.md lists all that a span records).
//
// Server spans: node:http's Server.prototype.emit is wrapped, so every server in the process
// (fastify's under faas-js-runtime, express's) runs its 'request' listeners inside the request's
// span. Client spans: node:http's diagnostics channels, which report every request without
// wrapping anything (a request's own 'close' alone tells of one closed with neither answer nor
// error); headers are still unsent when a request is created, so `traceparent` goes in.
// gRPC (the OTLP exporter) speaks HTTP/2 and ioredis plain TCP: neither passes through here.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { ClientRequest, IncomingMessage, Server, ServerResponse } from 'node:http';
import { isIPv6 } from 'node:net';
import {
  type Attributes,
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapSetter,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { isTracingSuppressed } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_REQUEST_METHOD_ORIGINAL,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_NETWORK_PROTOCOL_VERSION,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_FULL,
  ATTR_URL_PATH,
  ATTR_URL_SCHEME,
} from '@opentelemetry/semantic-conventions';
import { KNOWN_METHODS, spanNameMethod } from './spans.ts';

function methodAttributes(method: string | undefined, attributes: Attributes): void {
  const given = method ?? 'GET';
  attributes[ATTR_HTTP_REQUEST_METHOD] = KNOWN_METHODS.has(given) ? given : '_OTHER';
  if (!KNOWN_METHODS.has(given)) attributes[ATTR_HTTP_REQUEST_METHOD_ORIGINAL] = given;
}

/**
 * A host name as DNS has them (RFC 1123: dot-separated labels of letters, digits and inner hyphens, at
 * most 63 characters each and 253 in all, which IPv4 addresses are too) or an IPv6 address in brackets.
 */
const DNS_NAME = /^(?=.{1,253}$)[a-z\d](?:[a-z\d-]{0,61}[a-z\d])?(?:\.[a-z\d](?:[a-z\d-]{0,61}[a-z\d])?)*$/i;
const PORT = /^\d{1,5}$/;

function isHostName(name: string): boolean {
  return name.startsWith('[') && name.endsWith(']') ? isIPv6(name.slice(1, -1)) : DNS_NAME.test(name);
}

/**
 * `server.address` and `server.port` from a Host header (`name`, `name:port`, `[v6]:port`). The header
 * is the client's: a port that is not a number from 0 to 65535 (`name:abc` made NaN, which Jaeger's
 * query API then fails to encode for every search that meets the trace) is left out, and so is a name
 * that is no host name or address (an e-mail address, a sentence, one longer than any DNS name): what
 * is recorded is at most the name of a host, the one the client used for this service.
 */
function hostAttributes(host: string | undefined, defaultPort: number, attributes: Attributes): void {
  if (!host) return;
  const { address, port } = parsedHost(host, defaultPort);
  if (address !== undefined) attributes[ATTR_SERVER_ADDRESS] = address;
  if (port !== undefined) attributes[ATTR_SERVER_PORT] = port;
}

interface ParsedHost {
  address: string | undefined;
  port: number | undefined;
}

/** The last Host header read, and what it gave: nearly every request a function answers has the same. */
let lastHost: { host: string; defaultPort: number; parsed: ParsedHost } | undefined;

function parsedHost(host: string, defaultPort: number): ParsedHost {
  if (lastHost?.host === host && lastHost.defaultPort === defaultPort) return lastHost.parsed;
  const colon = host.lastIndexOf(':');
  const hasPort = colon > host.lastIndexOf(']');
  const name = hasPort ? host.slice(0, colon) : host;
  const port = hasPort ? host.slice(colon + 1) : undefined;
  const parsed = {
    address: isHostName(name) ? name : undefined,
    port: port === undefined ? defaultPort : PORT.test(port) && Number(port) <= 65_535 ? Number(port) : undefined,
  };
  lastHost = { host, defaultPort, parsed };
  return parsed;
}

/**
 * The scheme of the original request, which the conventions take from `X-Forwarded-Proto` when there is
 * one: Knative's ingress ends TLS before the pod and says `https` there. Only the first (the original
 * client's) of a list counts, and only `http` or `https`, the schemes this server can be reached by;
 * anything else a client writes there is ignored, and the scheme is that of the request as it came.
 */
function forwardedScheme(header: string | string[] | undefined): 'http' | 'https' | undefined {
  const first = (Array.isArray(header) ? header[0] : header)?.split(',', 1)[0]?.trim().toLowerCase();
  return first === 'http' || first === 'https' ? first : undefined;
}

function hasBody(request: IncomingMessage): boolean {
  const length = request.headers['content-length'];
  return (length !== undefined && length !== '0') || request.headers['transfer-encoding'] !== undefined;
}

/**
 * `url.path` of a request that no route of the function answered (a 404, a method refused before any
 * route, a body refused, a connection closed first): the path is the client's to write, and may be
 * anything (`/users/someone@example.com`), so it is not recorded as written. The conventions require
 * `url.path` on a server span and ask that sensitive content in it be scrubbed; their word for a
 * scrubbed value is `REDACTED`, and without a leading `/` it is no path a client could send. A route's
 * path is recorded as it came, beside `http.route` (lib/spans.ts's replyTraced sets it).
 */
export const UNROUTED_PATH = 'REDACTED';

function hasRoute(span: Span): boolean {
  return (span as Partial<ReadableSpan>).attributes?.[ATTR_HTTP_ROUTE] !== undefined;
}

/** The SDK's span knows its status; the API's does not say. */
function hasErrorStatus(span: Span): boolean {
  return (span as Partial<ReadableSpan>).status?.code === SpanStatusCode.ERROR;
}

/**
 * Ends a server span with the answer's status: a 5xx, or a connection closed before the answer, is an
 * error. The status code is the conventions' "if and only if one was sent": a request whose connection
 * closed before the answer's head went out has none (`response.statusCode` is then only the 200 Node
 * starts with), and a head sent before the connection closed keeps its code beside `error.type`.
 */
function endServerSpan(span: Span, response: ServerResponse): void {
  if (!hasRoute(span)) span.setAttribute(ATTR_URL_PATH, UNROUTED_PATH);
  if (response.headersSent) span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, response.statusCode);
  if (!response.writableFinished) {
    span.setAttribute(ATTR_ERROR_TYPE, 'aborted');
    if (!hasErrorStatus(span)) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: 'The connection closed before the answer was sent.' });
    }
  } else if (response.statusCode >= 500) {
    span.setAttribute(ATTR_ERROR_TYPE, String(response.statusCode));
    // An error the handler recorded (with its message) stays as it is.
    if (!hasErrorStatus(span)) span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end();
}

/**
 * The span's attributes go on after it starts, and only when it records: most spans of a sampled
 * service do not (at 1 %, 99 in 100), and for those the SDK would check and copy every attribute and
 * then drop them. The samplers here (ratio, parent-based, Jaeger's remote strategies) read no
 * attributes; a sampler that did would see none of these.
 */
function startServerSpan(tracer: Tracer, request: IncomingMessage, response: ServerResponse) {
  const parent = propagation.extract(ROOT_CONTEXT, request.headers);
  const span = tracer.startSpan(spanNameMethod(request.method ?? 'GET'), { kind: SpanKind.SERVER }, parent);
  if (span.isRecording()) {
    span.setAttributes(serverAttributes(request));
    response.once('close', () => endServerSpan(span, response));
  }
  return trace.setSpan(parent, span);
}

function serverAttributes(request: IncomingMessage): Attributes {
  const attributes: Attributes = {};
  methodAttributes(request.method, attributes);
  const url = request.url ?? '/';
  const query = url.indexOf('?');
  attributes[ATTR_URL_PATH] = query === -1 ? url : url.slice(0, query);
  attributes[ATTR_URL_SCHEME] = forwardedScheme(request.headers['x-forwarded-proto']) ?? 'http';
  attributes[ATTR_NETWORK_PROTOCOL_VERSION] = request.httpVersion;
  hostAttributes(request.headers.host, 80, attributes);
  return attributes;
}

/**
 * A server span for every request the process's node:http servers answer, except those `ignore`
 * picks (health probes). Returns the function that puts Server.prototype.emit back.
 */
export function traceServers(tracer: Tracer, ignore: (request: IncomingMessage) => boolean): () => void {
  const { Server: HttpServer } = process.getBuiltinModule('node:http');
  const original = HttpServer.prototype.emit;
  const emit = original as (this: Server, event: string | symbol, ...args: unknown[]) => boolean;
  function emitInSpan(this: Server, event: string | symbol, ...args: unknown[]): boolean {
    if (event !== 'request') return emit.call(this, event, ...args);
    const [request, response] = args as [IncomingMessage, ServerResponse];
    if (ignore(request)) return emit.call(this, event, request, response);
    const active = startServerSpan(tracer, request, response);
    // A body is read in callbacks of the connection's, outside this call: fastify and express
    // then call the handler from them, so the request's listeners are bound to the span too
    // (the frontend's POST has none: `content-length: 0`).
    if (hasBody(request)) context.bind(active, request);
    return context.with(active, () => emit.call(this, event, request, response));
  }
  // http.Server inherits emit from EventEmitter: the wrapper shadows it on http.Server's prototype
  // alone, and removing the wrapper lets the inherited one show again.
  const hadOwn = Object.hasOwn(HttpServer.prototype, 'emit');
  HttpServer.prototype.emit = emitInSpan as typeof original;
  return () => {
    if (hadOwn) HttpServer.prototype.emit = original;
    else delete (HttpServer.prototype as Partial<Server>).emit;
  };
}

function clientAttributes(request: ClientRequest): Attributes {
  const attributes: Attributes = {};
  methodAttributes(request.method, attributes);
  const host = request.getHeader('host');
  const defaultPort = request.protocol === 'https:' ? 443 : 80;
  hostAttributes(typeof host === 'string' ? host : undefined, defaultPort, attributes);
  attributes[ATTR_URL_FULL] = `${request.protocol}//${typeof host === 'string' ? host : request.host}${request.path}`;
  attributes[ATTR_NETWORK_PROTOCOL_VERSION] = '1.1';
  return attributes;
}

const HEADER_SETTER: TextMapSetter<ClientRequest> = {
  set(request, key, value) {
    // Headers given as a raw array are written when the request is made: nothing can be added
    // (setHeader would throw, and the SDK's propagator log a warning for each such request).
    if (!request.headersSent) request.setHeader(key, value);
  },
};

/**
 * A client span for every request the process sends with node:http, a child of the active span,
 * with `traceparent` (and `tracestate`, `baggage`) in its headers. Returns the unsubscribe function.
 */
export function traceClients(tracer: Tracer): () => void {
  const spans = new WeakMap<ClientRequest, Span>();
  const onCreated = (message: unknown) => {
    const { request } = message as { request: ClientRequest };
    const active = context.active();
    if (isTracingSuppressed(active)) return;
    const span = tracer.startSpan(spanNameMethod(request.method ?? 'GET'), { kind: SpanKind.CLIENT }, active);
    propagation.inject(trace.setSpan(active, span), request, HEADER_SETTER);
    // A span that does not record ends as it began, unseen: nothing to wait for.
    if (!span.isRecording()) return;
    span.setAttributes(clientAttributes(request));
    spans.set(request, span);
    // A request can close with neither an answer nor an error (`abort()` before it has a socket):
    // no channel reports that, so its own 'close' ends the span.
    request.once('close', () => onClosedUnanswered(request));
  };
  const onClosedUnanswered = (request: ClientRequest) => {
    const span = spans.get(request);
    if (!span) return;
    spans.delete(request);
    span.setAttribute(ATTR_ERROR_TYPE, 'aborted');
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'The request was closed before any answer.' });
    span.end();
  };
  // Published when the answer's head has arrived; the span ends when its body has too. `spans` holds
  // only the requests still waiting for their answer's head.
  const onResponse = (message: unknown) => {
    const { request, response } = message as { request: ClientRequest; response: IncomingMessage };
    const span = spans.get(request);
    if (!span) return;
    spans.delete(request);
    const status = response.statusCode ?? 0;
    span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
    if (status >= 400) {
      span.setAttribute(ATTR_ERROR_TYPE, String(status));
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
    response.once('close', () => {
      if (!response.complete) {
        span.setAttribute(ATTR_ERROR_TYPE, 'aborted');
        span.setStatus({ code: SpanStatusCode.ERROR, message: 'The answer was cut off.' });
      }
      span.end();
    });
  };
  const onError = (message: unknown) => {
    const { request, error } = message as { request: ClientRequest; error: Error };
    const span = spans.get(request);
    if (!span) return;
    spans.delete(request);
    span.recordException(error);
    span.setAttribute(
      ATTR_ERROR_TYPE,
      error.name === 'AbortError' ? 'aborted' : ((error as { code?: string }).code ?? error.name),
    );
    span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
    span.end();
  };
  subscribe('http.client.request.created', onCreated);
  subscribe('http.client.response.finish', onResponse);
  subscribe('http.client.request.error', onError);
  return () => {
    unsubscribe('http.client.request.created', onCreated);
    unsubscribe('http.client.response.finish', onResponse);
    unsubscribe('http.client.request.error', onError);
  };
}
