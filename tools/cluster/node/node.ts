// A real node for the cluster, inside its network namespace: containerd (Debian's) with runc and the
// CNI bridge, kubelet, kube-scheduler, kube-proxy and CoreDNS (dns.ts), our pause image, the images
// of ours its pods run (Knative's data plane, Traefik, Jaeger: images.ts) and our functions' images,
// loaded under dev.local/<name>:<version>. startNode brings it up after the
// control plane; cleanUpNode (clean-up.ts) removes what it leaves outside its processes (pods'
// processes, cgroups, state).
import { ensureFunctionImage } from '../../containers/images.ts';
import { IMAGE_PREFIX } from '../../deploy/plan.ts';
import type { FunctionName } from '../../functions/run.ts';
import type { Child } from '../../processes/process.ts';
import type { ApiConnection } from '../api.ts';
import type { NodeBinaries } from '../binaries.ts';
import type { Launch } from '../control-plane.ts';
import { createCgroupRoot } from './cgroups.ts';
import { cgroupRootOf } from './clean-up.ts';
import { startProxy, startScheduler } from './components.ts';
import { startContainerd } from './containerd.ts';
import { CLUSTER_DNS_IP, startClusterDns } from './dns.ts';
import { type BinaryImage, ensureBinaryImage, importImage, PAUSE_IMAGE } from './images.ts';
import { ensureContainerd } from './install.ts';
import { startKubelet, waitForNodeReady } from './kubelet.ts';
import { startMountNamespaceHolder } from './mount-namespace.ts';
import { createNodeNetwork } from './network.ts';
import { nodePaths } from './paths.ts';

export interface NodeStartOptions {
  binaries: NodeBinaries;
  /** The functions whose images (built with podman when missing) the node gets, as dev.local/<name>:<version>. */
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
  /** The images loaded into the node, e.g. dev.local/backend:0.1.0. */
  images: string[];
  /** Settles when the functions' images are loaded (they load while the node starts). */
  functionImages: Promise<void>;
  processes: Child[];
}

/** The name under which Knative and the pods find a function's image on the node. */
export const nodeImageName = (podmanImage: string) =>
  `dev.local/${podmanImage.replace(/^localhost\//, '').slice(IMAGE_PREFIX.length)}`;

export async function startNode(launch: Launch, api: ApiConnection, options: NodeStartOptions): Promise<StartedNode> {
  const { paths } = launch;
  const { binaries, step } = options;
  const node = nodePaths(paths);
  const nodeName = paths.name;
  const cgroupRoot = cgroupRootOf(paths);
  await step('containerd (Debian package)', () => ensureContainerd(options.progress));
  await step("the node's address and pod cgroup root", async () => {
    await createNodeNetwork(paths.namespace);
    await createCgroupRoot(cgroupRoot);
  });
  const holder = await step("the node's mount namespace", () => startMountNamespaceHolder(launch));
  await step('containerd', () => startContainerd(launch, holder, node, PAUSE_IMAGE.name));
  // Built one after another (each build may use every core), then imported side by side: ours before
  // kubelet starts, the functions' (the largest) while the node joins and Knative starts on it.
  const ours: { from: string; name: string }[] = [];
  for (const image of [PAUSE_IMAGE, ...options.images]) {
    ours.push({ from: await ensureBinaryImage(image, options.env, options.progress), name: image.name });
  }
  const functions: { from: string; name: string }[] = [];
  for (const name of options.functions) {
    const built = await ensureFunctionImage(name, options.progress);
    functions.push({ from: built.name, name: nodeImageName(built.name) });
  }
  const importAll = (images: { from: string; name: string }[]) =>
    Promise.all(images.map(({ from, name }) => importImage(holder, node, from, name))).then(() => {});
  await step(`images ${ours.map(({ name }) => name).join(', ')}`, () => importAll(ours));
  const started = Date.now();
  const functionImages = importAll(functions).then(() => {
    if (functions.length > 0) {
      const names = functions.map(({ name }) => name).join(', ');
      options.progress(`  images ${names} (${((Date.now() - started) / 1000).toFixed(1)} s, meanwhile)`);
    }
  });
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
    images: [...ours, ...functions].map(({ name }) => name),
    functionImages,
    processes: launch.processes,
  };
}
