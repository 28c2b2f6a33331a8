// What `npm run setup` makes ready, step by step: everything the tests and the cluster path need that
// npm does not install, each built or installed once and cached outside the clone.
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
import { ensureRegistry } from '../cluster/node/registry.ts';
import { ensureFunctionImage } from '../containers/images.ts';
import { ensureContainerTools } from '../containers/install.ts';
import { projectCacheDirectory } from '../go/build.ts';
import { ensureJaeger } from '../jaeger/binary.ts';
import { ensureKn } from '../kn/binary.ts';
import { ensureChecker } from '../knative/checker.ts';
import { CHROMIUM, ensureChromium } from '../page/browser.ts';
import { ensureRedisServer } from '../redis/server.ts';

export interface SetupStep {
  what: string;
  /** Needed only by the Kubernetes cluster (`npm run cluster`, `npm run test:cluster`), not by `npm test`. */
  clusterOnly?: boolean;
  run(): Promise<string>;
}

/** In order: each builds or installs one thing once, then answers what it found or did. */
export function setupSteps(env: NodeJS.ProcessEnv, progress: (line: string) => void): SetupStep[] {
  return [
    { what: 'Jaeger', run: () => ensureJaeger(env, progress) },
    { what: "redis-server (the counter's Redis mode)", run: () => ensureRedisServer(progress) },
    {
      what: "Chromium (the trace page's browser tests)",
      run: async () => `${await ensureChromium(progress)}: ${CHROMIUM}`,
    },
    { what: "Knative Serving's admission checker", run: () => ensureChecker(env, progress) },
    { what: 'kn', run: () => ensureKn(env, progress) },
    {
      what: `the cluster's programs (${CLUSTER_BINARY_NAMES.join(', ')})`,
      clusterOnly: true,
      run: async () => {
        const missing = await missingClusterBinaries(env);
        await ensureClusterBinaries(env, progress);
        return `${missing.length === 0 ? 'all built already' : `built ${missing.join(', ')}`}, in ${projectCacheDirectory(env)}`;
      },
    },
    {
      what: `the node's programs (${NODE_BINARY_NAMES.join(', ')})`,
      clusterOnly: true,
      run: async () => {
        const missing = await missingNodeBinaries(env);
        await ensureNodeBinaries(env, progress);
        return `${missing.length === 0 ? 'all built already' : `built ${missing.join(', ')}`}, in ${projectCacheDirectory(env)}`;
      },
    },
    {
      what: 'podman, runc, slirp4netns, debootstrap',
      run: () => ensureContainerTools(progress),
    },
    { what: "containerd (the cluster's node)", clusterOnly: true, run: () => ensureContainerd(progress) },
    { what: "docker-registry (the cluster's registry)", clusterOnly: true, run: () => ensureRegistry(progress) },
    ...NODE_IMAGES.map((image) => ({
      what: `the node's image ${image.name}`,
      clusterOnly: true,
      run: () => ensureBinaryImage(image, env, progress),
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
}
