// Lingering close, on a real HTTP server that refuses a large body the way faas-js-runtime does:
// 413 and `Connection: close`, before reading the body. That every 413 reaches its client is
// tested on the real functions, in test/functions/bad-input.test.ts.
import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import test from 'ava';
import { lingerOnClose } from '../../functions/backend/src/lib/linger.ts';

async function refusingServer(lingerMs: number): Promise<{ server: Server; port: number }> {
  const server = createServer((_request, response) => {
    response.writeHead(413, { connection: 'close', 'content-type': 'text/plain' }).end('Too large.\n');
  });
  lingerOnClose(server, lingerMs);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, port };
}

const connections = (server: Server) =>
  new Promise<number>((resolve, reject) =>
    server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
  );

test('a client that stops sending is cut off after the linger time', async (t) => {
  const { server, port } = await refusingServer(300);
  t.teardown(() => server.close());
  const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
  let received = '';
  socket.on('data', (chunk: Buffer) => {
    received += chunk.toString();
  });
  socket.write(`POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ${2 * 1024 * 1024}\r\n\r\n0123456789`);
  await new Promise((resolve) => socket.once('end', resolve));
  t.regex(received, /^HTTP\/1\.1 413 /, 'the answer came first, then the end of the stream');
  t.is(await connections(server), 1, 'the server still reads what the client sends');
  const start = Date.now();
  while ((await connections(server)) > 0 && Date.now() - start < 5_000) await new Promise((r) => setTimeout(r, 20));
  t.is(await connections(server), 0, 'and drops the connection after 300 ms');
  t.true(Date.now() - start < 1_000);
  socket.destroy();
});
