// Several backend processes behind one address, as a Knative Service puts its replicas behind one
// URL: each request goes to the next backend in turn. HTTP, not TCP: the frontend keeps its
// connections open, so handing out connections would send most visits to one backend. Headers go
// through as they came, traceparent with them, so a visit's trace crosses the proxy unbroken (the
// proxy itself makes no span).
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RoundRobin {
  url: string;
  /** How many requests each backend was given, in the order of `targets`. */
  served(): number[];
  close(): Promise<void>;
}

/** Listens on `port` (0: a free one) and spreads requests over `targets` (base URLs) in turn. */
export async function startRoundRobin(targets: readonly string[], port = 0): Promise<RoundRobin> {
  if (targets.length === 0) throw new Error('startRoundRobin needs at least one backend');
  const agent = new Agent({ keepAlive: true });
  const served = targets.map(() => 0);
  let next = 0;
  const server = createServer((incoming, outgoing) => {
    const index = next;
    next = (next + 1) % targets.length;
    served[index] = (served[index] ?? 0) + 1;
    const target = new URL(targets[index] ?? '');
    const forward = request(
      {
        agent,
        host: target.hostname,
        port: target.port,
        method: incoming.method,
        path: incoming.url,
        headers: incoming.headers,
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    forward.on('error', (error) => {
      // As a load balancer answers when the backend it chose is gone.
      if (!outgoing.headersSent) outgoing.writeHead(502, { 'content-type': 'text/plain; charset=utf-8' });
      outgoing.end(`Bad Gateway: ${target.host} failed: ${error.message}\n`);
    });
    incoming.pipe(forward);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // Every address, as the functions listen: localhost may be ::1 or 127.0.0.1.
    server.listen(port, () => resolve());
  });
  return {
    url: `http://localhost:${(server.address() as AddressInfo).port}`,
    served: () => [...served],
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}
