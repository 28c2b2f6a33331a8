// A collector that takes connections and never answers: a Jaeger whose host hangs, or a network that
// drops packets, as an exporter sees it. A closed port fails each export at once and the batch is
// dropped with it, so spans never pile up whatever the queue's bound. Here each export waits for its
// deadline (the OTLP exporter's 10 s) while new spans wait in the batch processor's queue: its bound
// (2,048) is then all that keeps memory level.
import type { AddressInfo } from 'node:net';
import { createServer, type Socket } from 'node:net';

export interface SilentCollector {
  /** An OTLP endpoint (OTEL_EXPORTER_OTLP_ENDPOINT) whose connections are accepted and never answered. */
  endpoint: string;
  /** Stops listening and closes the connections it holds. */
  close(): Promise<void>;
}

export async function startSilentCollector(): Promise<SilentCollector> {
  const held = new Set<Socket>();
  const server = createServer((socket) => {
    held.add(socket);
    socket.on('close', () => held.delete(socket));
    socket.on('error', () => {});
    // What the exporter writes is read and thrown away, so that it never waits on a full buffer.
    socket.resume();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    // An address, not localhost: a name that also resolves to ::1, where nothing listens, would
    // let gRPC fail at once there instead of waiting here.
    endpoint: `http://127.0.0.1:${port}`,
    close: async () => {
      for (const socket of held) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
