// A bridge between this machine's loopback and the cluster's network namespace, without a route or an
// interface between them: Unix sockets are not bound to a network namespace. Inside, a small process
// (bridge-inside.ts) listens on one Unix socket; each connection to it names its target first, one
// line `HOST:PORT`, and is then joined to a TCP connection to that target, made inside. Outside, a
// listener on 127.0.0.1:<free port> sends every connection on to one target (the API server now; an
// ingress or Jaeger's query API later), and this machine's code can reach any port inside directly
// (connectInside, e.g. as http.request's createConnection).
import { rm } from 'node:fs/promises';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { findFreePort, onFreePorts } from '../processes/ports.ts';
import type { Child } from '../processes/process.ts';
import { startDaemon } from './daemon.ts';
import { insideNamespace } from './netns.ts';

/** A TCP endpoint inside the namespace. */
export interface Target {
  host: string;
  port: number;
}

const INSIDE_ENTRY = fileURLToPath(new URL('./bridge-inside.ts', import.meta.url));
const TARGET_LINE = /^([0-9a-z.:-]+):(\d{1,5})$/i;

function join(a: Socket, b: Socket): void {
  const close = () => {
    a.destroy();
    b.destroy();
  };
  a.on('error', close).on('close', close);
  b.on('error', close).on('close', close);
  a.pipe(b);
  b.pipe(a);
}

/** Inside the namespace: reads each connection's target line, then joins it to that target. */
export async function serveInside(socketPath: string): Promise<Server> {
  await rm(socketPath, { force: true });
  const server = createServer((incoming) => {
    let received = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const end = received.indexOf('\n');
      if (end < 0) {
        if (received.length > 300) incoming.destroy();
        return;
      }
      incoming.off('data', onData);
      const match = TARGET_LINE.exec(received.subarray(0, end).toString('latin1'));
      if (!match?.[1] || !match[2]) {
        incoming.destroy();
        return;
      }
      const outgoing = createConnection({ host: match[1], port: Number(match[2]) });
      const rest = received.subarray(end + 1);
      if (rest.length > 0) outgoing.write(rest);
      join(incoming, outgoing);
    };
    incoming.on('data', onData).on('error', () => incoming.destroy());
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ path: socketPath }, () => resolve(server));
  });
}

/** On this machine: a connection to `target` inside the namespace, through the bridge at `socketPath`. */
export function connectInside(socketPath: string, target: Target): Socket {
  const socket = createConnection({ path: socketPath });
  socket.write(`${target.host}:${target.port}\n`);
  return socket;
}

/** A port on this machine's loopback that leads to a target inside the namespace. */
export interface HostPort {
  port: number;
  close(): Promise<void>;
}

/** On this machine: each connection to 127.0.0.1:<port> goes on to `target`. `port` 0: a free one. */
export async function forwardPortInside(socketPath: string, target: Target, port = 0): Promise<HostPort> {
  const connections = new Set<Socket>();
  const open = async () => {
    const server = createServer((incoming) => {
      connections.add(incoming);
      incoming.once('close', () => connections.delete(incoming));
      join(incoming, connectInside(socketPath, target));
    });
    const chosen = port || (await findFreePort());
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: '127.0.0.1', port: chosen }, () => resolve());
    });
    return { server, port: chosen };
  };
  const { server, port: chosen } = port ? await open() : await onFreePorts(open);
  server.unref();
  return {
    port: chosen,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        for (const connection of connections) connection.destroy();
      }),
  };
}

/** Starts the inside end, listening on `socketPath`; it runs until stopped. */
export function startInsideBridge(
  namespace: string,
  socketPath: string,
  { env, logFile }: { env: NodeJS.ProcessEnv; logFile: string },
): Child {
  const [command, args] = insideNamespace(namespace, process.execPath, [INSIDE_ENTRY, socketPath]);
  return startDaemon('bridge', command, args, { env, logFile });
}
