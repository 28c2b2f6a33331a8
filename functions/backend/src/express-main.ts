// The backend on express 5 at PORT, as a plain container runs it:
// `node --import ./src/lib/telemetry.ts ./src/express-main.ts`, the Dockerfile's command, for
// `kn service create --image` and the manifests in knative/.
import { backendRoutes, createBackend } from './create.ts';
import { createExpressApp, startServer } from './lib/express.ts';

const url = await Promise.resolve()
  .then(() => {
    const { service, store } = createBackend(process.env);
    const app = createExpressApp(backendRoutes(service), { notReadyReason: () => store.notReadyReason() });
    return startServer(app, process.env, 'backend', () => store.close());
  })
  .catch((error: unknown) => {
    console.error(`backend did not start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
console.log(`backend listening on ${url}`);
