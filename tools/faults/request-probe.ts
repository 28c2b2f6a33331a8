// A preload for a function process under test, loaded through NODE_OPTIONS (see in-flight.ts): it
// writes one line to stderr for each request the process's HTTP server receives, as it arrives and
// before any handler runs, whichever server it is (faas-js-runtime's fastify or express). It changes
// nothing else. Tests wait on these lines for a condition inside the process (the backend has
// received the visits' increases) where they would otherwise have to sleep.
import { subscribe } from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';

subscribe('http.server.request.start', (message) => {
  const { request } = message as { request: IncomingMessage };
  process.stderr.write(`request received: ${request.method} ${request.url}\n`);
});
