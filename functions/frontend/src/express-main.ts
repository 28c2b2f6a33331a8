// The frontend on express 5 at PORT, as a plain container runs it:
// `node --import ./src/lib/telemetry.ts ./src/express-main.ts`, the Dockerfile's command, for
// `kn service create --image` and the manifests in knative/.
import { createFrontend, frontendRoutes } from './create.ts';
import { createExpressApp, startServer } from './lib/express.ts';

const url = await Promise.resolve()
  .then(() => startServer(createExpressApp(frontendRoutes(createFrontend(process.env))), process.env, 'frontend'))
  .catch((error: unknown) => {
    console.error(`frontend did not start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
console.log(`frontend listening on ${url}`);
