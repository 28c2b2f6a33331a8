// The express 5 side of a function, for running it as a plain container (`kn service create
// --image`, the manifests in knative/): the same core, served by express instead of faas-js-runtime.
// This file is identical in every function (see test/shared-lib.test.ts).
import type { AddressInfo } from 'node:net';
import express, { type Express, type Response } from 'express';
import { type Env, readInteger } from './env.ts';
import { type Reply, textReply } from './http.ts';
import { answerTraced, withTraceResponse } from './spans.ts';
import { shutdownTelemetry } from './telemetry.ts';

export interface Route {
  path: string;
  /** What `respond` answers; OPTIONS lists them. */
  methods: readonly string[];
  respond(method: string): Promise<Reply>;
}

function send(response: Response, reply: Reply): void {
  response.status(reply.status).set(reply.headers).send(reply.body);
}

export function createExpressApp(routes: readonly Route[]): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  for (const probe of ['/health/readiness', '/health/liveness']) {
    app.get(probe, (_request, response) => {
      response.type('text/plain').send('OK');
    });
  }
  for (const route of routes) {
    app.options(route.path, (_request, response) => {
      response
        .status(204)
        .set('allow', ['OPTIONS', ...route.methods].join(', '))
        .end();
    });
    app.all(route.path, async (request, response) => {
      send(response, await answerTraced(request.method, route.path, (method) => route.respond(method)));
    });
  }
  app.use((request, response) => {
    send(response, withTraceResponse(textReply(404, `Not found: ${request.method} ${request.path.slice(0, 100)}\n`)));
  });
  return app;
}

/**
 * Serves the app at PORT (Knative's contract; default 8080). SIGTERM or SIGINT stop it: no new
 * connections, in-flight requests finish, spans are flushed, then the process exits 0.
 */
export async function startServer(app: Express, env: Env): Promise<URL> {
  const port = readInteger(env, 'PORT', 8080, { min: 0, max: 65_535 });
  const server = app.listen(port);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const stop = async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await shutdownTelemetry();
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  return new URL(`http://localhost:${(server.address() as AddressInfo).port}/`);
}
