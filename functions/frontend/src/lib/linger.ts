// Generated from functions/lib/linger.ts by tools/commands/generate-lib.ts (npm run build): do not edit.
// Lingering close (RFC 9112, section 9.6). faas-js-runtime refuses a body over its limit with 413
// and `Connection: close` before reading it; Node then destroys the socket while the client is
// still sending, the client's TCP stack gets a reset, and the 413 is often lost with it (the client
// sees EPIPE or ECONNRESET instead: 76 times in 300 here). So a connection that Node closes after an
// answer only half-closes: the answer is sent, what the client still sends is read and dropped,
// and the socket goes when the client closes its side, or after LINGER_MS at most.
import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/** How long a closing connection may keep reading a refused body: as nginx's lingering_timeout. */
export const LINGER_MS = 5_000;

/** Makes every connection of `server` close gracefully, as above. */
export function lingerOnClose(server: Server, lingerMs = LINGER_MS): void {
  server.on('connection', (socket: Socket) => {
    // Node's HTTP server calls destroySoon() when an answer ends a connection, and only then.
    socket.destroySoon = () => {
      socket.end();
      const timer = setTimeout(() => socket.destroy(), lingerMs).unref();
      socket.once('close', () => clearTimeout(timer));
    };
  });
}
