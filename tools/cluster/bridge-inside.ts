// The inside end of the bridge (see bridge.ts), started inside the cluster's network namespace:
//   node tools/cluster/bridge-inside.ts SOCKET
// Runs until SIGTERM or SIGINT.
import { serveInside } from './bridge.ts';

// What `ps` and `npm run cluster -- status` show (at most 15 characters are kept).
process.title = 'ktc-bridge';
const [socketPath] = process.argv.slice(2);
try {
  if (!socketPath) throw new Error('usage: bridge-inside.ts SOCKET');
  const server = await serveInside(socketPath);
  console.log(`bridge: listening on ${socketPath}`);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      server.close();
      process.exit(0);
    });
  }
} catch (error) {
  console.error(`bridge: ${(error as Error).message}`);
  process.exit(1);
}
