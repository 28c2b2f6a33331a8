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

/** A group of binaries built and required together, and what to run when some are missing. */
interface Group<Name extends ClusterBinaryName> {
  names: readonly Name[];
  what: string;
  command: string;
}
const CLUSTER: Group<(typeof CLUSTER_BINARY_NAMES)[number]> = {
  names: CLUSTER_BINARY_NAMES,
  what: "The cluster's programs",
  command: '`npm run setup` or `npm run cluster -- up`',
};
const NODE: Group<NodeBinaryName> = {
  names: NODE_BINARY_NAMES,
  what: "The node's programs",
  command: '`npm run setup` or `npm run cluster -- up --node`',
};

/** The names of a group's binaries still to build, in build order. */
async function missingOf<Name extends ClusterBinaryName>(group: Group<Name>, env: NodeJS.ProcessEnv): Promise<Name[]> {
  const missing: Name[] = [];
  for (const name of group.names) {
    if (!(await isExecutable(cachedClusterBinaryPath(name, env)))) missing.push(name);
  }
  return missing;
}

function pathsOf<Name extends ClusterBinaryName>(group: Group<Name>, env: NodeJS.ProcessEnv): Record<Name, string> {
  return Object.fromEntries(group.names.map((name) => [name, cachedClusterBinaryPath(name, env)])) as Record<
    Name,
    string
  >;
}

/** A group's binaries; throws a ClusterBinariesMissingError naming what is missing and how to build it. */
async function requireGroup<Name extends ClusterBinaryName>(group: Group<Name>, env: NodeJS.ProcessEnv) {
  const missing = await missingOf(group, env);
  if (missing.length === 0) return pathsOf(group, env);
  throw new ClusterBinariesMissingError(
    `${group.what} are not all built: ${missing.join(', ')} missing under ${projectCacheDirectory(env)}. ` +
      `Run ${group.command} (they build them from Go modules, about 15 minutes the first time).`,
  );
}

/** A group's binaries, building the missing ones first, one after another (each build uses every core). */
async function ensureGroup<Name extends ClusterBinaryName>(
  group: Group<Name>,
  env: NodeJS.ProcessEnv,
  progress: BuildProgress,
) {
  for (const name of await missingOf(group, env)) {
    const started = Date.now();
    await buildClusterBinary(name, env, progress);
    progress(`  built ${name} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
  return pathsOf(group, env);
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

/** One binary, built first when it is missing. */
export async function ensureClusterBinary(
  name: ClusterBinaryName,
  env: NodeJS.ProcessEnv,
  progress: BuildProgress,
): Promise<string> {
  const binary = cachedClusterBinaryPath(name, env);
  return (await isExecutable(binary)) ? binary : buildClusterBinary(name, env, progress);
}

export const missingClusterBinaries = (env: NodeJS.ProcessEnv) => missingOf(CLUSTER, env);
export const requireClusterBinaries = (env: NodeJS.ProcessEnv): Promise<ClusterBinaries> => requireGroup(CLUSTER, env);
export const ensureClusterBinaries = (env: NodeJS.ProcessEnv, progress: BuildProgress): Promise<ClusterBinaries> =>
  ensureGroup(CLUSTER, env, progress);

export const missingNodeBinaries = (env: NodeJS.ProcessEnv) => missingOf(NODE, env);
export const requireNodeBinaries = (env: NodeJS.ProcessEnv): Promise<NodeBinaries> => requireGroup(NODE, env);
/**
 * The node's programs, building the missing ones first (kubelet ~4.5 min cold, Traefik ~6.5 min with
 * 3 GB of memory at its peak, CoreDNS ~1.5 min, the others ~20 s to 1 min each).
 */
export const ensureNodeBinaries = (env: NodeJS.ProcessEnv, progress: BuildProgress): Promise<NodeBinaries> =>
  ensureGroup(NODE, env, progress);
