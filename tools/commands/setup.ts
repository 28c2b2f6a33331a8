// `npm run setup -- [--skip-cluster]`: everything the tests and the cluster path need that npm does
// not install, each built or installed once and cached outside the clone: Jaeger, Knative's admission
// checker, kn, the cluster's programs and its node's (from Go modules), redis-server, podman and
// containerd (from Debian's packages), the node's images (pause, Knative's activator, autoscaler and queue-proxy,
// Traefik, Jaeger) and the two function images. `--skip-cluster` leaves out what only the Kubernetes
// cluster needs (`npm test` runs that; `npm run test:cluster` runs it all).
import { parseArgs } from 'node:util';
import { setupSteps } from '../setup/steps.ts';

const usage = 'usage: npm run setup -- [--skip-cluster]';
const progress = (line: string) => console.log(line);

const started = Date.now();
try {
  const { values } = parseArgs({
    options: { 'skip-cluster': { type: 'boolean', default: false }, help: { type: 'boolean', default: false } },
  });
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  const steps = setupSteps(process.env, progress).filter((step) => !(values['skip-cluster'] && step.clusterOnly));
  for (const step of steps) {
    const stepStarted = Date.now();
    const result = await step.run();
    console.log(`ready: ${step.what}: ${result} (${((Date.now() - stepStarted) / 1000).toFixed(1)} s)`);
  }
  const skipped = values['skip-cluster'] ? " (the cluster's parts skipped: npm run setup builds them)" : '';
  console.log(`Setup done in ${((Date.now() - started) / 1000).toFixed(0)} s${skipped}.`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
