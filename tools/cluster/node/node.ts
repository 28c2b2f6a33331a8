// A real node for the cluster, inside its network namespace: containerd (Debian's) with runc and the
// CNI bridge, kubelet, kube-scheduler, kube-proxy and CoreDNS (dns.ts), our pause image and the images
// of ours its pods run (Knative's data plane, Traefik, Jaeger: images.ts), loaded under
// dev.local/<name>:<version>, and the cluster's registry (registry.ts), to which our functions' images
// are pushed, so that Knative resolves their tags and the node pulls them as on any cluster.
// startNode brings it up after the control plane; cleanUpNode (clean-up.ts) removes what it leaves
// outside its processes (pods' processes, cgroups, state).
import { ensureFunctionImage } from '../../containers/images.ts';
import { IMAGE_PREFIX } from '../../deploy/plan.ts';
import type { FunctionName } from '../../functions/run.ts';
import { JAEGER_VERSION } from '../../jaeger/binary.ts';
import type { Child } from '../../processes/process.ts';
import type { ApiConnection } from '../api.ts';
import type { NodeBinaries } from '../binaries.ts';
import type { Launch } from '../control-plane.ts';
import { createCgroupRoot } from './cgroups.ts';
import { cgroupRootOf } from './clean-up.ts';
import { startProxy, startScheduler } from './components.ts';
import { startContainerd } from './containerd.ts';
import { CLUSTER_DNS_IP, startClusterDns } from './dns.ts';
import { type BinaryImage, ensureBinaryImage, importImage, JAEGER_IMAGE, PAUSE_IMAGE, podmanNameOf } from './images.ts';
import { ensureContainerd } from './install.ts';
import { startKubelet, waitForNodeReady } from './kubelet.ts';
import { startMountNamespaceHolder } from './mount-namespace.ts';
import { createNodeNetwork } from './network.ts';
import { nodePaths } from './paths.ts';
import { ensureRegistry, pushImage, REGISTRY, registryPaths, startRegistry } from './registry.ts';

export interface NodeStartOptions {
  binaries: NodeBinaries;
  /** The functions whose images (built with podman when missing) are pushed to the registry, as <registry>/<name>:<version>. */
  functions: readonly FunctionName[];
  /** Images of ours besides the pause image (built when missing), e.g. Knative's activator. */
  images: readonly BinaryImage[];
  env: NodeJS.ProcessEnv;
  /** Runs one step and reports it with its time. */
  step: <T>(what: string, run: () => Promise<T>) => Promise<T>;
  progress: (line: string) => void;
}

export interface StartedNode {
  name: string;
  /** The images loaded into the node, e.g. dev.local/traefik:v3.6.12. */
  images: string[];
  /** The cluster's registry, host:port: `npm run deploy -- --registry` takes it. */
  registry: string;
  /** The cluster's CA alone in a folder, for `podman push --cert-dir`. */
  registryCertDir: string;
  /** Settles when the functions' images are in the registry (they are pushed while the node starts). */
  functionImages: Promise<PushedImage[]>;
  processes: Child[];
}

/** A function's image in the registry: its reference, manifest digest, and the push's time. */
export interface PushedImage {
  reference: string;
  digest: string;
  seconds: number;
}

/** A function's image's repository and tag in any registry, e.g. backend:0.1.0. */
export const repositoryOf = (podmanImage: string) => podmanImage.replace(/^localhost\//, '').slice(IMAGE_PREFIX.length);

export async function startNode(launch: Launch, api: ApiConnection, options: NodeStartOptions): Promise<StartedNode> {
  const { paths } = launch;
  const { binaries, step } = options;
  const node = nodePaths(paths);
  const nodeName = paths.name;
  const cgroupRoot = cgroupRootOf(paths);
  await step('containerd and docker-registry (Debian packages)', async () => {
    await ensureContainerd(options.progress);
    await ensureRegistry(options.progress);
  });
  await step("the node's address and pod cgroup root", async () => {
    await createNodeNetwork(paths.namespace);
    await createCgroupRoot(cgroupRoot);
  });
  const holder = await step("the node's mount namespace", () => startMountNamespaceHolder(launch));
  await step(`the registry ${REGISTRY} (TLS, the cluster's CA)`, () => startRegistry(launch, node));
  await step('containerd', () =>
    startContainerd(launch, holder, node, PAUSE_IMAGE.name, registryPaths(node).containerdHosts),
  );
  // Built one after another (each build may use every core), ours imported side by side before kubelet
  // starts; the functions' (the largest) pushed to the registry while the node joins and Knative starts.
  const ours: { from: string; name: string }[] = [];
  for (const image of [PAUSE_IMAGE, ...options.images]) {
    ours.push({ from: await ensureBinaryImage(image, options.env, options.progress), name: image.name });
  }
  const functions: string[] = [];
  for (const name of options.functions) functions.push((await ensureFunctionImage(name, options.progress)).name);
  await step(`images ${ours.map(({ name }) => name).join(', ')}`, () =>
    Promise.all(ours.map(({ from, name }) => importImage(holder, node, from, name))),
  );
  const started = Date.now();
  // One after another: each push reads the whole image, and they share the disk.
  const functionImages = (async () => {
    const pushed: PushedImage[] = [];
    for (const image of functions) pushed.push(await pushImage(paths.namespace, node, image, repositoryOf(image)));
    if (options.images.includes(JAEGER_IMAGE)) {
      // jaeger/deployment.yaml's image, as Docker Hub names it, pulled through the registry as a mirror.
      await pushImage(paths.namespace, node, podmanNameOf(JAEGER_IMAGE), `jaegertracing/jaeger:${JAEGER_VERSION}`);
    }
    if (pushed.length > 0) {
      const each = pushed.map(({ reference, seconds }) => `${reference} ${seconds.toFixed(1)} s`).join(', ');
      options.progress(`  pushed ${each} (${((Date.now() - started) / 1000).toFixed(1)} s, meanwhile)`);
    }
    return pushed;
  })();
  // Awaited by the caller; until then a failure must not count as unhandled.
  functionImages.catch(() => {});
  const kubelet = await step('kubelet', () =>
    startKubelet(launch, holder, node, { nodeName, cgroupRoot, binary: binaries.kubelet }),
  );
  await step('kube-scheduler, kube-proxy', async () => {
    await startScheduler(launch, node, binaries['kube-scheduler']);
    await startProxy(launch, holder, node, nodeName, binaries['kube-proxy']);
  });
  await step(`node ${nodeName} Ready`, () => waitForNodeReady(api, nodeName, kubelet));
  await step(`CoreDNS on ${CLUSTER_DNS_IP}:53`, () => startClusterDns(launch, api, node, binaries.coredns));
  return {
    name: nodeName,
    images: ours.map(({ name }) => name),
    registry: REGISTRY,
    registryCertDir: registryPaths(node).clientCertDir,
    functionImages,
    processes: launch.processes,
  };
}
