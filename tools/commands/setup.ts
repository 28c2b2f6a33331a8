// `npm run setup`: everything the tests and the cluster path need that npm does not install, each
// built or installed once and cached outside the clone: Jaeger, Knative's admission checker, kn, the
// cluster's programs and its node's (from Go modules), podman and containerd (from Debian's packages),
// the node's images (pause, Knative's activator, autoscaler and queue-proxy, Traefik, Jaeger) and the
// two function images.
import { setupSteps } from '../setup/steps.ts';

const progress = (line: string) => console.log(line);

const started = Date.now();
try {
  for (const step of setupSteps(process.env, progress)) {
    const stepStarted = Date.now();
    const result = await step.run();
    console.log(`ready: ${step.what}: ${result} (${((Date.now() - stepStarted) / 1000).toFixed(1)} s)`);
  }
  console.log(`Setup done in ${((Date.now() - started) / 1000).toFixed(0)} s.`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
