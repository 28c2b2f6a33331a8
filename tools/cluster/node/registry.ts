// The cluster's own image registry, reached as a cloud cluster reaches its registry: over TLS, by a
// name that Knative resolves tags against. Debian's docker-registry (distribution 2.8) runs as a
// process inside the cluster's network namespace on the node's address, with a serving certificate
// from the cluster's CA. The node's containerd pulls from it (a hosts.toml that names the CA), and
// Knative's controller, told to trust the same CA (knative-on-node.ts), turns each tag into a digest.
// The functions' images are pushed there by podman, never loaded into the node.
// A second one stands for the registry of Knative's quickstart on kind: plain HTTP at localhost:5001
// (the namespace's loopback, where the node's containerd pulls from it), a name Knative is told not to
// resolve tags in, so its Revisions keep the tag.
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ContainerToolsError, ensureDebianPackages } from '../../containers/install.ts';
import { type Child, waitFor } from '../../processes/process.ts';
import { runCommand } from '../../processes/run-command.ts';
import { createLeaf } from '../certificates.ts';
import { type Launch, startInside } from '../control-plane.ts';
import { insideNamespace } from '../netns.ts';
import { NODE_IP } from './network.ts';
import type { NodePaths } from './paths.ts';

export const REGISTRY_PORT = 5000;
/** The registry's name, the same for the node, for Knative's controller and for every push: host:port. */
export const REGISTRY = `${NODE_IP}:${REGISTRY_PORT}`;
/** As `kn quickstart kind --registry` makes it: plain HTTP, in config-deployment's registries-skipping-tag-resolving. */
export const KIND_REGISTRY = 'localhost:5001';
/** containerd's name for Docker Hub, where an image without a registry comes from. */
const DOCKER_HUB = 'docker.io';
export const REGISTRY_PACKAGES = { 'docker-registry': 'docker-registry' } as const;

export class RegistryError extends Error {
  override name = 'RegistryError';
}

/** Installs Debian's docker-registry when missing; answers what it did. */
export async function ensureRegistry(progress: (line: string) => void): Promise<string> {
  try {
    return await ensureDebianPackages(REGISTRY_PACKAGES, progress, "The cluster's registry");
  } catch (error) {
    if (error instanceof ContainerToolsError) throw new RegistryError(error.message);
    throw error;
  }
}

/** Where the registry keeps its configuration, blobs and certificate, under the node's folder. */
export function registryPaths(node: NodePaths) {
  const dir = join(node.dir, 'registry');
  return {
    dir,
    config: join(dir, 'config.yml'),
    storage: join(dir, 'storage'),
    kindConfig: join(dir, 'kind-config.yml'),
    kindStorage: join(dir, 'kind-storage'),
    /** The cluster's CA alone, as `podman push --cert-dir` wants it (every *.crt in it is a CA). */
    clientCertDir: join(dir, 'client-certs'),
    /** containerd's hosts.toml folders, one per registry (config_path). */
    containerdHosts: join(node.dir, 'containerd-hosts'),
  };
}

/** docker-registry's configuration: filesystem storage, one address, TLS when given a certificate. */
export function registryConfig(storage: string, address: string, certificate?: { cert: string; key: string }): string {
  const tls = certificate
    ? `  tls:
    certificate: ${JSON.stringify(certificate.cert)}
    key: ${JSON.stringify(certificate.key)}
`
    : '';
  return `# Written by tools/cluster/node/registry.ts for this cluster's registry.
version: 0.1
log:
  level: info
  formatter: text
storage:
  filesystem:
    rootdirectory: ${JSON.stringify(storage)}
http:
  addr: ${JSON.stringify(address)}
${tls}`;
}

/** One hosts.toml of containerd's: where a registry's name leads (`host`), and the CA to trust there. */
function hostsToml(server: string, host: string, caFile?: string): string {
  return `# Written by tools/cluster/node/registry.ts.
server = "${server}"

[host."${host}"]
  capabilities = ["pull", "resolve"]
${caFile ? `  ca = ${JSON.stringify(caFile)}\n` : ''}`;
}

/**
 * containerd's hosts.toml for each registry name the node pulls from (its folder's name):
 * - the cluster's registry, over TLS with the cluster's CA;
 * - Docker Hub, with the cluster's registry as its mirror, tried first, as a cluster behind a
 *   pull-through mirror has it (Docker Hub itself cannot be reached from the namespace; the mirror
 *   holds the images of Docker Hub's that the manifests name and the node can have);
 * - the quickstart's registry, plain HTTP, as kind's node reaches it.
 */
export function containerdHosts(caFile: string): Record<string, string> {
  return {
    [REGISTRY]: hostsToml(`https://${REGISTRY}`, `https://${REGISTRY}`, caFile),
    [DOCKER_HUB]: hostsToml('https://registry-1.docker.io', `https://${REGISTRY}`, caFile),
    [KIND_REGISTRY]: hostsToml(`http://${KIND_REGISTRY}`, `http://${KIND_REGISTRY}`),
  };
}

/**
 * Writes the registry's certificate (signed by the cluster's CA, for the node's address), its
 * configuration and containerd's hosts.toml, starts it inside the namespace and waits until it listens.
 */
export async function startRegistry(launch: Launch, node: NodePaths): Promise<Child> {
  const paths = registryPaths(node);
  const ca = launch.certificates.ca;
  const hosts = containerdHosts(ca.cert);
  for (const folder of [
    paths.dir,
    paths.storage,
    paths.kindStorage,
    paths.clientCertDir,
    ...Object.keys(hosts).map((name) => join(paths.containerdHosts, name)),
  ]) {
    await mkdir(folder, { recursive: true, mode: 0o700 });
  }
  const certificate = await createLeaf(launch.paths.pki, 'registry', ca, {
    subject: '/CN=registry',
    usage: 'serverAuth',
    altNames: [`IP:${NODE_IP}`],
  });
  await copyFile(ca.cert, join(paths.clientCertDir, 'ca.crt'));
  await writeFile(paths.config, registryConfig(paths.storage, REGISTRY, certificate));
  await writeFile(paths.kindConfig, registryConfig(paths.kindStorage, `127.0.0.1:${KIND_REGISTRY.split(':')[1]}`));
  for (const [name, toml] of Object.entries(hosts)) {
    await writeFile(join(paths.containerdHosts, name, 'hosts.toml'), toml);
  }
  const registry = startInside(launch, 'registry', '/usr/bin/docker-registry', ['serve', paths.config]);
  const kind = startInside(launch, 'registry-kind', '/usr/bin/docker-registry', ['serve', paths.kindConfig]);
  try {
    for (const child of [registry, kind]) {
      await waitFor(`${child.name} to listen`, async () => /listening on /.test(child.output()) || undefined, {
        timeoutMs: 20_000,
        child,
      });
    }
  } catch (error) {
    throw new RegistryError(`The cluster's registry did not start: ${(error as Error).message}`);
  }
  return registry;
}

/**
 * Pushes podman's `image` to the registry as `repository:tag` (e.g. backend:0.1.0), from inside the
 * cluster's network namespace, where the registry's address is; answers the manifest's digest and the
 * seconds it took.
 */
export async function pushImage(
  namespace: string,
  node: NodePaths,
  image: string,
  target: string,
): Promise<{ reference: string; digest: string; seconds: number }> {
  const paths = registryPaths(node);
  const reference = `${REGISTRY}/${target}`;
  const digestFile = join(paths.dir, `${target.replaceAll(/[^a-z0-9.-]/gi, '_')}.digest`);
  const started = Date.now();
  const [command, args] = insideNamespace(namespace, 'podman', [
    'push',
    '--quiet',
    '--cert-dir',
    paths.clientCertDir,
    '--digestfile',
    digestFile,
    image,
    `docker://${reference}`,
  ]);
  const pushed = await runCommand(command, args);
  if (pushed.code !== 0) {
    throw new RegistryError(`podman push ${image} ${reference} failed: ${pushed.stderr.trim()}`);
  }
  const digest = (await readFile(digestFile, 'utf8')).trim();
  return { reference, digest, seconds: (Date.now() - started) / 1000 };
}
