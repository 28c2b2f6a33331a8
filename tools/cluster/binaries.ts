// The programs of the cluster on this machine, each built from a Go wrapper module of ours into the
// project's cache outside the clone (like Jaeger and kn): etcd (tools/cluster/etcd/), Kubernetes'
// kube-apiserver, kube-controller-manager and kubectl (tools/cluster/kubernetes/), Knative Serving's
// controller and webhook (tools/knative/serving/), and the node's: kubelet and co., CoreDNS
// (tools/cluster/coredns/), and what runs in its pods from images of ours: Knative's activator,
// autoscaler and queue-proxy, and Traefik (tools/cluster/traefik/), Knative's ingress.
// A folder per version, so a new version builds anew.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type BuildProgress,
  buildGoBinary,
  type GoBinary,
  GoBuildError,
  isExecutable,
  projectCacheDirectory,
} from '../go/build.ts';

export const ETCD_VERSION = 'v3.6.16';
export const KUBERNETES_VERSION = 'v1.34.4';
export const KNATIVE_SERVING_VERSION = 'v0.50.0';
export const COREDNS_VERSION = 'v1.15.0';
export const TRAEFIK_VERSION = 'v3.6.12';

const here = dirname(fileURLToPath(import.meta.url));
const ETCD_MODULE_DIR = join(here, 'etcd');
const KUBERNETES_MODULE_DIR = join(here, 'kubernetes');
const COREDNS_MODULE_DIR = join(here, 'coredns');
const TRAEFIK_MODULE_DIR = join(here, 'traefik');
export const KNATIVE_SERVING_MODULE_DIR = join(here, '..', 'knative', 'serving');

export const CLUSTER_BINARY_NAMES = [
  'etcd',
  'kube-apiserver',
  'kube-controller-manager',
  'kubectl',
  'knative-controller',
  'knative-webhook',
] as const;
/** The node's programs: only `up --node` needs them, so the control plane does not wait for their build. */
export const NODE_BINARY_NAMES = [
  'kubelet',
  'kube-scheduler',
  'kube-proxy',
  'coredns',
  'knative-activator',
  'knative-autoscaler',
  'knative-queue',
  'traefik',
] as const;
export type NodeBinaryName = (typeof NODE_BINARY_NAMES)[number];
export type NodeBinaries = Record<NodeBinaryName, string>;
export type ClusterBinaryName = (typeof CLUSTER_BINARY_NAMES)[number] | NodeBinaryName;
export type ClusterBinaries = Record<(typeof CLUSTER_BINARY_NAMES)[number], string>;

export class ClusterBinariesMissingError extends Error {
  override name = 'ClusterBinariesMissingError';
}
export class ClusterBuildError extends Error {
  override name = 'ClusterBuildError';
}

// Static binaries, and one Go build cache for kn, Knative's checker and these (the same settings).
const GO_ENV = { CGO_ENABLED: '0', GOTOOLCHAIN: 'local' };

/** What `kubectl version` and the API server's /version say; Knative refuses a v0.0.0 cluster. */
function kubernetesVersionFlags(): string[] {
  const [major, minor] = KUBERNETES_VERSION.slice(1).split('.');
  const values = { gitVersion: KUBERNETES_VERSION, gitMajor: major, gitMinor: minor, gitTreeState: 'clean' };
  return Object.entries(values).flatMap(([key, value]) =>
    ['k8s.io/client-go/pkg/version', 'k8s.io/component-base/version'].map((pkg) => `-X ${pkg}.${key}=${value}`),
  );
}

type Recipe = Omit<GoBinary, 'target'> & { folder: string; file: string };

function recipeOf(name: ClusterBinaryName): Recipe {
  if (name === 'etcd') {
    return {
      title: `etcd ${ETCD_VERSION}`,
      moduleDirectory: ETCD_MODULE_DIR,
      packagePath: 'go.etcd.io/etcd/server/v3',
      goEnv: GO_ENV,
      folder: `etcd-${ETCD_VERSION}`,
      file: 'etcd',
    };
  }
  if (name === 'coredns') {
    return {
      title: `CoreDNS ${COREDNS_VERSION}`,
      moduleDirectory: COREDNS_MODULE_DIR,
      packagePath: 'github.com/coredns/coredns',
      goEnv: GO_ENV,
      folder: `coredns-${COREDNS_VERSION}`,
      file: 'coredns',
    };
  }
  if (name === 'traefik') {
    return {
      title: `Traefik ${TRAEFIK_VERSION}`,
      moduleDirectory: TRAEFIK_MODULE_DIR,
      packagePath: 'github.com/traefik/traefik/v3/cmd/traefik',
      goEnv: GO_ENV,
      folder: `traefik-${TRAEFIK_VERSION}`,
      file: 'traefik',
    };
  }
  if (name.startsWith('knative-')) {
    const command = name.slice('knative-'.length);
    return {
      title: `Knative Serving ${KNATIVE_SERVING_VERSION} ${command}`,
      moduleDirectory: KNATIVE_SERVING_MODULE_DIR,
      packagePath: `knative.dev/serving/cmd/${command}`,
      goEnv: GO_ENV,
      folder: `knative-serving-${KNATIVE_SERVING_VERSION}`,
      file: command,
    };
  }
  return {
    title: `${name} ${KUBERNETES_VERSION}`,
    moduleDirectory: KUBERNETES_MODULE_DIR,
    packagePath: `k8s.io/kubernetes/cmd/${name}`,
    goEnv: GO_ENV,
    linkerFlags: kubernetesVersionFlags(),
    folder: `kubernetes-${KUBERNETES_VERSION}`,
    file: name,
  };
}

export function cachedClusterBinaryPath(name: ClusterBinaryName, env: NodeJS.ProcessEnv): string {
  const { folder, file } = recipeOf(name);
  return join(projectCacheDirectory(env), folder, file);
}

/** The names of the binaries still to build, in build order. */
export async function missingClusterBinaries(env: NodeJS.ProcessEnv): Promise<ClusterBinaryName[]> {
  const missing: ClusterBinaryName[] = [];
  for (const name of CLUSTER_BINARY_NAMES) {
    if (!(await isExecutable(cachedClusterBinaryPath(name, env)))) missing.push(name);
  }
  return missing;
}

function pathsOf(env: NodeJS.ProcessEnv): ClusterBinaries {
  return Object.fromEntries(
    CLUSTER_BINARY_NAMES.map((name) => [name, cachedClusterBinaryPath(name, env)]),
  ) as ClusterBinaries;
}

/** The binaries to run; throws a ClusterBinariesMissingError naming what is missing and how to build it. */
export async function requireClusterBinaries(env: NodeJS.ProcessEnv): Promise<ClusterBinaries> {
  const missing = await missingClusterBinaries(env);
  if (missing.length === 0) return pathsOf(env);
  throw new ClusterBinariesMissingError(
    `The cluster's programs are not all built: ${missing.join(', ')} missing under ${projectCacheDirectory(env)}. ` +
      'Run `npm run setup` or `npm run cluster -- up` (they build them from Go modules, about 15 minutes the first time).',
  );
}

/** Builds one binary into the cache, reporting progress; the file appears only when complete. */
export async function buildClusterBinary(
  name: ClusterBinaryName,
  env: NodeJS.ProcessEnv,
  progress: BuildProgress,
): Promise<string> {
  const { folder: _folder, file: _file, ...recipe } = recipeOf(name);
  try {
    return await buildGoBinary({ ...recipe, target: cachedClusterBinaryPath(name, env) }, env, progress);
  } catch (error) {
    if (error instanceof GoBuildError) throw new ClusterBuildError(error.message);
    throw error;
  }
}

/** Every binary, building the missing ones first, one after another (each build uses every core). */
export async function ensureClusterBinaries(env: NodeJS.ProcessEnv, progress: BuildProgress): Promise<ClusterBinaries> {
  for (const name of await missingClusterBinaries(env)) {
    const started = Date.now();
    await buildClusterBinary(name, env, progress);
    progress(`  built ${name} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
  return pathsOf(env);
}

/**
 * The node's programs, building the missing ones first (kubelet ~4.5 min cold, Traefik ~6.5 min with
 * 3 GB of memory at its peak, CoreDNS ~1.5 min, the others ~20 s to 1 min each).
 */
export async function ensureNodeBinaries(env: NodeJS.ProcessEnv, progress: BuildProgress): Promise<NodeBinaries> {
  for (const name of await missingNodeBinaries(env)) {
    const started = Date.now();
    await buildClusterBinary(name, env, progress);
    progress(`  built ${name} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
  return Object.fromEntries(
    NODE_BINARY_NAMES.map((name) => [name, cachedClusterBinaryPath(name, env)]),
  ) as NodeBinaries;
}

/** The names of the node's binaries still to build. */
export async function missingNodeBinaries(env: NodeJS.ProcessEnv): Promise<NodeBinaryName[]> {
  const missing: NodeBinaryName[] = [];
  for (const name of NODE_BINARY_NAMES) {
    if (!(await isExecutable(cachedClusterBinaryPath(name, env)))) missing.push(name);
  }
  return missing;
}

/** The node's binaries; throws a ClusterBinariesMissingError naming what is missing and how to build it. */
export async function requireNodeBinaries(env: NodeJS.ProcessEnv): Promise<NodeBinaries> {
  const missing = await missingNodeBinaries(env);
  if (missing.length > 0) {
    throw new ClusterBinariesMissingError(
      `The node's programs are not all built: ${missing.join(', ')} missing under ${projectCacheDirectory(env)}. ` +
        'Run `npm run setup` or `npm run cluster -- up --node` (they build them from Go modules, about 15 minutes the first time).',
    );
  }
  return Object.fromEntries(
    NODE_BINARY_NAMES.map((name) => [name, cachedClusterBinaryPath(name, env)]),
  ) as NodeBinaries;
}
