// The express 5 side of a function, for running it as a plain container (`kn service create
// --image`, the manifests in knative/): the same core, served by express instead of faas-js-runtime.
import type { AddressInfo } from 'node:net';
import express, { type Express, type Response } from 'express';
import { type Env, readInteger } from './env.ts';
import { BODY_LIMIT_BYTES, type CoreRequest, firstHeader, type Reply, textReply } from './http.ts';
import { exitOnUncaughtError, trackRequests } from './lifecycle.ts';
import { lingerOnClose } from './linger.ts';
import { nameRoute, replyTraced, withTraceResponse } from './spans.ts';
import { shutdownTelemetry } from './telemetry.ts';

export interface Route {
  path: string;
  /** What `replyTo` serves; OPTIONS lists them. */
  methods: readonly string[];
  replyTo(request: CoreRequest): Promise<Reply>;
}

function writeReply(response: Response, reply: Reply): void {
  response.status(reply.status).set(reply.headers).send(reply.body);
}

export interface AppOptions {
  /** Why the app cannot serve yet (a store it needs has not answered): readiness answers 503 with it. */
  notReadyReason?: () => string | undefined;
}

export function createExpressApp(routes: readonly Route[], { notReadyReason }: AppOptions = {}): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.get('/health/readiness', (_request, response) => {
    const reason = notReadyReason?.();
    if (reason === undefined) response.type('text/plain').send('OK');
    else response.status(503).type('text/plain').send(`Not ready: ${reason}.\n`);
  });
  app.get('/health/liveness', (_request, response) => {
    response.type('text/plain').send('OK');
  });
  for (const route of routes) {
    app.options(route.path, (_request, response) => {
      nameRoute('OPTIONS', route.path);
      response
        .status(204)
        .set('allow', ['OPTIONS', ...route.methods].join(', '))
        .end();
    });
    // Bodies are read only to be measured and refused: 413 above the limit, as faas-js-runtime does.
    app.all(route.path, express.raw({ type: () => true, limit: BODY_LIMIT_BYTES }), async (request, response) => {
      const body: unknown = request.body;
      const hasBody = Buffer.isBuffer(body) && body.length > 0;
      writeReply(
        response,
        await replyTraced(
          { method: request.method, hasBody, header: (name) => firstHeader(request.headers, name) },
          route.path,
          (it) => route.replyTo(it),
        ),
      );
    });
  }
  app.use((request, response) => {
    writeReply(
      response,
      withTraceResponse(textReply(404, `Not found: ${request.method} ${request.path.slice(0, 100)}\n`)),
    );
  });
  // Errors of body parsing: too large (413), cut off or badly encoded (400).
  app.use((error: { status?: number; type?: string }, _request: unknown, response: Response, _next: unknown) => {
    const status = error.status && error.status >= 400 && error.status < 500 ? error.status : 500;
    const message = status === 413 ? `Request body larger than ${BODY_LIMIT_BYTES} bytes.` : 'Bad request.';
    writeReply(response, withTraceResponse(textReply(status, `${message}\n`)));
  });
  return app;
}

/**
 * Serves the app at PORT (Knative's contract; default 8080). SIGTERM or SIGINT stop it: no new
 * connections, in-flight requests finish, spans are flushed, then the process exits 0.
 */
export async function startServer(
  app: Express,
  env: Env,
  name: string,
  /** Run after the requests in flight are done, before the spans are flushed (closing a connection). */
  beforeExit: () => Promise<void> = async () => {},
): Promise<URL> {
  const port = readInteger(env, 'PORT', 8080, { min: 0, max: 65_535 });
  const server = app.listen(port);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const requests = trackRequests(server);
  lingerOnClose(server);
  const stop = async () => {
    await requests.drain();
    await beforeExit();
    await shutdownTelemetry();
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  exitOnUncaughtError(name);
  return new URL(`http://localhost:${(server.address() as AddressInfo).port}/`);
}
