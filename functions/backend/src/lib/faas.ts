// Generated from functions/lib/faas.ts by tools/commands/generate-lib.ts (npm run build): do not edit.
// The faas-js-runtime side of a function: starting it, reading the real method, writing a Reply.
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import faas, { type Context, type Function as FaasFunction, type StructuredReturn } from 'faas-js-runtime';
import { type Env, readPort } from './env.ts';
import { type CoreRequest, firstHeader, type Reply, textReply } from './http.ts';
import { exitOnUncaughtError, trackRequests } from './lifecycle.ts';
import { lingerOnClose } from './linger.ts';
import { replyTraced, withTraceResponse } from './spans.ts';

// faas-js-runtime copies every query parameter onto its context, over its own fields:
// `GET /?method=POST` would read as a POST, and `?query=x` makes the query a string, whatever its
// Context type says. These are the fields it sets itself.
const CONTEXT_FIELDS = new Set([
  'body',
  'contentType',
  'headers',
  'httpVersion',
  'httpVersionMajor',
  'httpVersionMinor',
  'log',
  'method',
  'query',
  'rawBody',
]);

/** The first query parameter that overwrote one of the context's own fields, if any. */
export function findShadowingParameter(context: Pick<Context, 'query'>): string | undefined {
  const query: unknown = context.query;
  if (query === null || typeof query !== 'object') return 'query';
  return Object.keys(query).find((name) => CONTEXT_FIELDS.has(name));
}

function hasBody(body: unknown): boolean {
  if (body === undefined || body === null) return false;
  if (typeof body === 'string' || Buffer.isBuffer(body)) return body.length > 0;
  return true;
}

/** Translates one invocation: refuses a context that query parameters have tampered with. */
export async function replyToInvocation(
  context: Pick<Context, 'method' | 'query' | 'body'> & Partial<Pick<Context, 'headers'>>,
  replyTo: (request: CoreRequest) => Promise<Reply>,
): Promise<StructuredReturn> {
  const shadowing = findShadowingParameter(context);
  const headers = context.headers ?? {};
  const request = {
    method: context.method,
    hasBody: hasBody(context.body),
    header: (name: string) => firstHeader(headers, name),
  };
  const reply =
    shadowing === undefined
      ? await replyTraced(request, '/', replyTo)
      : withTraceResponse(
          textReply(400, `Query parameter "${shadowing}" is not accepted: it would override the request itself.\n`),
        );
  return { statusCode: reply.status, headers: reply.headers, body: reply.body };
}

/**
 * Readiness and liveness. faas-js-runtime's own checks run overload-protection, which answers 503
 * whenever the event loop lagged 42 ms (as it does while modules load) and then throws
 * "res.setHeader is not a function" under fastify. A process that serves this route is healthy.
 */
export function healthy(): string {
  return 'OK';
}

/**
 * A readiness check for a function that depends on something outside it: 503 with the reason while
 * `notReadyReason` gives one, else as `healthy`. (The reply is fastify's, whatever the type says.)
 */
export function readinessCheck(notReadyReason: () => string | undefined) {
  return (_request: unknown, reply: { statusCode: number }): string => {
    const reason = notReadyReason();
    if (reason === undefined) return healthy();
    reply.statusCode = 503;
    return `Not ready: ${reason}.\n`;
  };
}

/**
 * Whether a request may be a CloudEvent, by the rule cloudevents' own HTTP binding uses to tell
 * (getMode): a `ce-id` header (binary mode) or a content type that starts with
 * `application/cloudevents` (structured or batch mode). Headers as Node gives them: names in lower case.
 */
export function mayBeCloudEvent(headers: Readonly<Record<string, string | string[] | undefined>>): boolean {
  const contentType = headers['content-type'];
  return (
    (typeof contentType === 'string' && contentType.startsWith('application/cloudevents')) || Boolean(headers['ce-id'])
  );
}

const PLAIN_CHECK = Symbol('plain requests skip cloudevents');

interface CloudEventsHttp {
  isEvent(message: { headers: Record<string, string | string[] | undefined> }): boolean;
}

/**
 * faas-js-runtime asks cloudevents whether every request is a CloudEvent, before the handler. Its
 * answer for a plain HTTP request is a ValidationError, built with a stack trace and caught: 2–3 % of
 * each function's CPU under load. cloudevents' own test is put behind the same cheap check on the
 * headers it starts with, so a plain request never gets that far; a request that may be a CloudEvent
 * is judged by cloudevents as before (parsed, validated, refused with 406 for a bad spec version).
 * The module is the one faas-js-runtime itself loads; nothing in node_modules changes.
 */
export function skipCloudEventParsingOfPlainRequests(): void {
  const fromFaas = createRequire(createRequire(import.meta.url).resolve('faas-js-runtime'));
  const { HTTP } = fromFaas('cloudevents') as { HTTP: CloudEventsHttp & { [PLAIN_CHECK]?: true } };
  if (HTTP[PLAIN_CHECK]) return;
  const isEvent = HTTP.isEvent.bind(HTTP);
  HTTP.isEvent = (message) => mayBeCloudEvent(message.headers) && isEvent(message);
  HTTP[PLAIN_CHECK] = true;
}

/**
 * Starts the function on faas-js-runtime at FUNC_PORT (default 8080), as `func run` does. On SIGTERM
 * faas-js-runtime awaits the module's `shutdown` and then exits at once, so the requests in flight
 * are drained first, inside it.
 */
export async function startFunction(fn: FaasFunction, env: Env, name: string): Promise<URL> {
  const port = readPort(env, 8080);
  skipCloudEventParsingOfPlainRequests();
  let requests: ReturnType<typeof trackRequests> | undefined;
  const shutdown = async () => {
    await requests?.drain();
    await fn.shutdown?.();
  };
  const server = await faas.start({ ...fn, shutdown }, { port });
  requests = trackRequests(server);
  lingerOnClose(server);
  exitOnUncaughtError(name);
  const { port: bound } = server.address() as AddressInfo;
  return new URL(`http://localhost:${bound}/`);
}
