// Servers on loopback and requests to them as a client outside the process sends them, for the tests
// that read the spans of real HTTP exchanges (test/lib/http-spans-*.test.ts).
import { request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { context, ROOT_CONTEXT } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import type { InMemorySpanExporter, ReadableSpan } from '@opentelemetry/sdk-trace';
import { waitFor } from '../../tools/processes/process.ts';

/** Listens on a free loopback port until the test's teardown; answers the base URL. */
export async function listenOnLoopback(t: { teardown(fn: () => void): void }, server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    server.closeAllConnections();
    server.close();
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export interface OutsideRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
}

/** A request as a client outside the process sends it: no client span, only these headers; answers the body. */
export function sendFromOutside(
  url: string,
  { method = 'GET', path = '/', headers = {} }: OutsideRequest = {},
): Promise<string> {
  const { hostname, port } = new URL(url);
  return context.with(
    suppressTracing(ROOT_CONTEXT),
    () =>
      new Promise<string>((resolve, reject) => {
        const outgoing = request({ host: hostname, port, method, path, headers, agent: false }, (incoming) => {
          let body = '';
          incoming.setEncoding('utf8');
          incoming.on('data', (chunk: string) => {
            body += chunk;
          });
          incoming.once('end', () => resolve(body));
        });
        outgoing.once('error', reject);
        outgoing.end();
      }),
  );
}

/** Spans end on 'close', a tick after the answer: waits for the one wanted. */
export function finishedSpan(
  spans: InMemorySpanExporter,
  what: string,
  match: (span: ReadableSpan) => boolean,
): Promise<ReadableSpan> {
  return waitFor(what, async () => spans.getFinishedSpans().find(match), { timeoutMs: 2000, intervalMs: 10 });
}

export const withSpanId = (id: string) => (span: ReadableSpan) => span.spanContext().spanId === id;
