// `npm run setup`: everything the tests and the cluster path need that npm does not install, each
// built or installed once and cached outside the clone: Jaeger, Knative's admission checker, kn, the
// cluster's programs and its node's (from Go modules), podman and containerd (from Debian's packages),
// the node's images (pause, Knative's activator, autoscaler and queue-proxy, Traefik, Jaeger) and the
// two function images.
import {
  CLUSTER_BINARY_NAMES,
  ensureClusterBinaries,
  ensureNodeBinaries,
  missingClusterBinaries,
  missingNodeBinaries,
  NODE_BINARY_NAMES,
} from '../cluster/binaries.ts';
import { ensureBinaryImage, NODE_IMAGES } from '../cluster/node/images.ts';
import { ensureContainerd } from '../cluster/node/install.ts';
import { ensureFunctionImage } from '../containers/images.ts';
import { ensureContainerTools } from '../containers/install.ts';
import { projectCacheDirectory } from '../go/build.ts';
import { ensureJaeger } from '../jaeger/binary.ts';
import { ensureKn } from '../kn/binary.ts';
import { ensureChecker } from '../knative/checker.ts';

const progress = (line: string) => console.log(line);

interface Step {
  what: string;
  run(): Promise<string>;
}

const steps: Step[] = [
  { what: 'Jaeger', run: () => ensureJaeger(process.env, progress) },
  { what: "Knative Serving's admission checker", run: () => ensureChecker(process.env, progress) },
  { what: 'kn', run: () => ensureKn(process.env, progress) },
  {
    what: `the cluster's programs (${CLUSTER_BINARY_NAMES.join(', ')})`,
    run: async () => {
      const missing = await missingClusterBinaries(process.env);
      await ensureClusterBinaries(process.env, progress);
      return `${missing.length === 0 ? 'all built already' : `built ${missing.join(', ')}`}, in ${projectCacheDirectory(process.env)}`;
    },
  },
  {
    what: `the node's programs (${NODE_BINARY_NAMES.join(', ')})`,
    run: async () => {
      const missing = await missingNodeBinaries(process.env);
      await ensureNodeBinaries(process.env, progress);
      return `${missing.length === 0 ? 'all built already' : `built ${missing.join(', ')}`}, in ${projectCacheDirectory(process.env)}`;
    },
  },
  {
    what: 'podman, runc, slirp4netns, debootstrap',
    run: () => ensureContainerTools(progress),
  },
  { what: "containerd (the cluster's node)", run: () => ensureContainerd(progress) },
  ...NODE_IMAGES.map((image) => ({
    what: `the node's image ${image.name}`,
    run: () => ensureBinaryImage(image, process.env, progress),
  })),
  ...(['backend', 'frontend'] as const).map((name) => ({
    what: `${name} image`,
    run: async () => {
      const image = await ensureFunctionImage(name, progress);
      const size = `${(image.sizeBytes / 1e6).toFixed(0)} MB`;
      return `${image.name}, ${size}${image.buildSeconds === undefined ? ', unchanged' : ''}`;
    },
  })),
];

const started = Date.now();
try {
  for (const step of steps) {
    const stepStarted = Date.now();
    const result = await step.run();
    console.log(`ready: ${step.what}: ${result} (${((Date.now() - stepStarted) / 1000).toFixed(1)} s)`);
  }
  console.log(`Setup done in ${((Date.now() - started) / 1000).toFixed(0)} s.`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
