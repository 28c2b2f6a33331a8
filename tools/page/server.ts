// The trace page: a small web server beside the functions that reads Jaeger's query API and answers
// JSON (visits, diagnosis, one trace) and the static files of public/ that draw it. GET and HEAD only;
// an unknown path is 404, a bad trace id 400, a Jaeger that does not answer 502 with its reason.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fetchTrace, fetchTraces, JaegerQueryError, type JaegerTrace } from '../jaeger/query.ts';
import { diagnosisView, traceView, visitsView } from './views.ts';

export const PUBLIC_DIRECTORY = fileURLToPath(new URL('public', import.meta.url));

/** Traces read for the visits list and for the diagnosis, unless the request says (?limit=). */
export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;
/** A trace id as Jaeger takes it: up to 32 hex digits. */
export const TRACE_ID = /^[0-9a-f]{1,32}$/i;

export interface TracePageOptions {
  /** 0 for any free port. */
  port: number;
  /** Where it listens; loopback unless told, since traces are nobody else's business. */
  host?: string;
  /** Jaeger's query API, e.g. http://localhost:16686. */
  jaegerUrl: string;
  /** The service whose traces are visits. */
  service?: string;
  /** The frontend's address, for the empty list's hint. */
  frontendUrl?: string;
}

export interface TracePage {
  url: string;
  port: number;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
};

const SECURITY_HEADERS = {
  // Nothing from elsewhere: no fonts, no CDNs, no inline script.
  // No frame anywhere may show it (clickjacking): frame-ancestors, and X-Frame-Options for old browsers.
  'content-security-policy':
    "default-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** The port is taken (or not ours to take): the caller says how to choose another. */
export class PagePortError extends Error {
  override name = 'PagePortError';
}

class HttpError extends Error {
  override name = 'HttpError';
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/** The files of public/, read once: the page is served from memory. */
async function loadFiles(): Promise<Map<string, { body: Buffer; type: string }>> {
  const files = new Map<string, { body: Buffer; type: string }>();
  for (const name of await readdir(PUBLIC_DIRECTORY)) {
    const type = TYPES[extname(name)];
    if (type) files.set(`/${name}`, { body: await readFile(join(PUBLIC_DIRECTORY, name)), type });
  }
  return files;
}

/** A path segment as written, when it is not valid percent-encoding: then it is no trace id either. */
function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function readLimit(url: URL): number {
  const raw = url.searchParams.get('limit');
  if (raw === null) return DEFAULT_LIMIT;
  const limit = Number(raw);
  if (!/^\d+$/.test(raw) || limit < 1 || limit > MAX_LIMIT) {
    throw new HttpError(400, `limit is "${raw}": expected a whole number from 1 to ${MAX_LIMIT}`);
  }
  return limit;
}

function send(
  request: IncomingMessage,
  response: ServerResponse,
  status: number,
  body: Buffer | string,
  headers: Record<string, string>,
) {
  const buffer = typeof body === 'string' ? Buffer.from(body) : body;
  response.writeHead(status, { ...SECURITY_HEADERS, 'content-length': String(buffer.length), ...headers });
  response.end(request.method === 'HEAD' ? undefined : buffer);
}

/** JSON, with an ETag so that a poll that finds nothing new costs the browser nothing. */
function sendJson(request: IncomingMessage, response: ServerResponse, status: number, value: unknown) {
  const body = JSON.stringify(value);
  const etag = `"${createHash('sha1').update(body).digest('base64url')}"`;
  const headers = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-cache', etag };
  if (status === 200 && request.headers['if-none-match'] === etag) {
    response.writeHead(304, { ...SECURITY_HEADERS, etag, 'cache-control': 'no-cache' });
    response.end();
    return;
  }
  send(request, response, status, body, headers);
}

export async function startTracePage({
  port,
  host = '127.0.0.1',
  jaegerUrl,
  service = 'frontend',
  frontendUrl,
}: TracePageOptions): Promise<TracePage> {
  const files = await loadFiles();
  const index = files.get('/index.html');
  if (!index) throw new Error(`No index.html in ${PUBLIC_DIRECTORY}`);
  const source = { jaeger: jaegerUrl, service, frontendUrl };
  // The list and the diagnosis ask together, for the same traces: one query to Jaeger answers both.
  const inFlight = new Map<number, Promise<JaegerTrace[]>>();
  const recentTraces = (limit: number): Promise<JaegerTrace[]> => {
    const pending = inFlight.get(limit);
    if (pending) return pending;
    const query = fetchTraces(jaegerUrl, service, limit).finally(() => inFlight.delete(limit));
    inFlight.set(limit, query);
    return query;
  };

  async function answerApi(path: string, url: URL): Promise<unknown> {
    if (path === '/api/visits') {
      return { ...source, ...visitsView(await recentTraces(readLimit(url))) };
    }
    if (path === '/api/diagnosis') {
      return { ...source, ...diagnosisView(await recentTraces(readLimit(url))) };
    }
    const id = /^\/api\/traces\/([^/]*)$/.exec(path)?.[1];
    if (id === undefined) throw new HttpError(404, `No such API: ${path}`);
    const traceId = decode(id);
    if (!TRACE_ID.test(traceId))
      throw new HttpError(400, `Not a trace id: "${traceId}" (expected up to 32 hex digits)`);
    const trace = await fetchTrace(jaegerUrl, traceId.toLowerCase());
    if (!trace || trace.spans.length === 0) {
      throw new HttpError(404, `Jaeger has no trace ${traceId} (yet: spans arrive a moment after the visit).`);
    }
    return { ...source, ...traceView(trace) };
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://page');
    const path = url.pathname;
    const api = path.startsWith('/api/');
    // DNS rebinding: a page elsewhere whose name comes to lead to this machine would otherwise read
    // the traces. Only the names this page is served under are answered.
    if (!servedHosts.has((request.headers.host ?? '').toLowerCase())) {
      const message = `Host "${(request.headers.host ?? '').slice(0, 100)}" is not where the trace page is served: use ${[...servedHosts][0]}.`;
      if (api) sendJson(request, response, 403, { error: message });
      else send(request, response, 403, `${message}\n`, { 'content-type': 'text/plain; charset=utf-8' });
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      const message = `Method ${request.method} not allowed: the page only reads (GET, HEAD).`;
      const allow = { allow: 'GET, HEAD' };
      if (api) {
        response.setHeader('allow', allow.allow);
        sendJson(request, response, 405, { error: message });
      } else {
        send(request, response, 405, `${message}\n`, { ...allow, 'content-type': 'text/plain; charset=utf-8' });
      }
      return;
    }
    try {
      if (api) {
        sendJson(request, response, 200, await answerApi(path, url));
        return;
      }
      const traceId = /^\/trace\/([^/]*)$/.exec(path)?.[1];
      if (traceId !== undefined && !TRACE_ID.test(decode(traceId))) {
        throw new HttpError(400, `Not a trace id: "${decode(traceId)}" (expected up to 32 hex digits)`);
      }
      const file = path === '/' || traceId !== undefined ? index : files.get(path);
      if (!file) throw new HttpError(404, `Not found: ${path}`);
      send(request, response, 200, file.body, { 'content-type': file.type, 'cache-control': 'no-cache' });
    } catch (error) {
      // An answer that is not JSON (SyntaxError) comes from something that is not Jaeger's query API.
      const fromJaeger = error instanceof JaegerQueryError || error instanceof SyntaxError;
      const status = error instanceof HttpError ? error.status : fromJaeger ? 502 : 500;
      // A fault of the page's own: its message and stack are for its log, not for whoever asked.
      if (status === 500) console.error(`The trace page failed on ${request.method} ${path}:`, error);
      const message =
        status === 500
          ? 'Internal error of the trace page; its log says what.'
          : error instanceof Error
            ? error.message
            : String(error);
      if (api) sendJson(request, response, status, { error: message });
      else send(request, response, status, `${message}\n`, { 'content-type': 'text/plain; charset=utf-8' });
    }
  }

  /** The Host headers it answers: its own names with its port, known once it listens. */
  const servedHosts = new Set<string>();
  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => response.destroy(error as Error));
  });
  await new Promise<void>((resolve, reject) => {
    const refuse = (error: Error) => {
      reject(new PagePortError(`The trace page cannot listen on ${host}:${port}: ${error.message}`, { cause: error }));
    };
    server.once('error', refuse);
    server.listen(port, host, () => {
      server.off('error', refuse);
      resolve();
    });
  });
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  for (const name of ['localhost', '127.0.0.1', '[::1]', host.includes(':') ? `[${host}]` : host])
    servedHosts.add(`${name.toLowerCase()}:${actualPort}`);
  return {
    url: `http://localhost:${actualPort}`,
    port: actualPort,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
