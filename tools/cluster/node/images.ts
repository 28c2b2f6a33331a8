// The node's images, none from a registry (none can be pulled here). Each program of ours that runs
// in a pod is one static Go binary in a FROM scratch image, built with podman: the pause image
// (pause/), Knative Serving's controller, webhook, activator, autoscaler and queue-proxy (at ko's path
// /ko-app/<name>, as the release images have them), Traefik, and Jaeger. They and our functions' images are imported into
// containerd's k8s.io namespace under dev.local/<name>:<version>, a registry name Knative does not
// resolve tags against (and kubelet, finding the image present, never pulls).
import { copyFile, mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { imageExists, podmanOk } from '../../containers/podman.ts';
import { type BuildProgress, buildGoBinary, isExecutable, projectCacheDirectory } from '../../go/build.ts';
import { ensureJaeger, JAEGER_VERSION } from '../../jaeger/binary.ts';
import type { Child } from '../../processes/process.ts';
import { mustRun } from '../../processes/run-command.ts';
import { ensureRedisServer } from '../../redis/server.ts';
import { ensureClusterBinary, KNATIVE_SERVING_VERSION, TRAEFIK_VERSION } from '../binaries.ts';
import { ctr } from './containerd.ts';
import type { NodePaths } from './paths.ts';

const PAUSE_VERSION = '0.1.0';
const PAUSE_MODULE_DIR = join(dirname(fileURLToPath(import.meta.url)), 'pause');

export class NodeImageError extends Error {
  override name = 'NodeImageError';
}

/** One binary in a FROM scratch image: static, or with the shared libraries it links (`libraries`). */
export interface BinaryImage {
  /** What the node calls it, e.g. dev.local/pause:0.1.0. */
  name: string;
  /** Where the binary sits in the image; it is the entrypoint. */
  path: string;
  /** A non-root user: Knative's Deployments and ours ask for runAsNonRoot. */
  user: string;
  env?: Record<string, string>;
  /** The binary, built first when missing. */
  binary(env: NodeJS.ProcessEnv, progress: BuildProgress): Promise<string>;
  /**
   * A dynamically linked program of this machine's: more programs to copy at their own paths (a
   * probe's command), and every shared library they load, as `ldd` lists them, at theirs.
   */
  libraries?: { programs: readonly string[] };
}

async function pauseBinary(env: NodeJS.ProcessEnv, progress: BuildProgress): Promise<string> {
  const binary = join(projectCacheDirectory(env), `pause-${PAUSE_VERSION}`, 'pause');
  if (await isExecutable(binary)) return binary;
  return buildGoBinary(
    {
      title: `the node's pause ${PAUSE_VERSION}`,
      moduleDirectory: PAUSE_MODULE_DIR,
      packagePath: 'knative-tracing-counter/tools/cluster/node/pause',
      target: binary,
      goEnv: { CGO_ENABLED: '0', GOTOOLCHAIN: 'local' },
    },
    env,
    progress,
  );
}

const clusterBinary =
  (name: `knative-${KnativeCommand}` | 'traefik') => (env: NodeJS.ProcessEnv, progress: BuildProgress) =>
    ensureClusterBinary(name, env, progress);

/** What kubelet and containerd call the pause image (containerd's sandbox_image). */
export const PAUSE_IMAGE: BinaryImage = {
  name: `dev.local/pause:${PAUSE_VERSION}`,
  path: '/pause',
  user: '65535:65535',
  binary: pauseBinary,
};

type KnativeCommand = 'controller' | 'webhook' | 'activator' | 'autoscaler' | 'queue';

const knativeImage = (command: KnativeCommand): BinaryImage => ({
  name: `dev.local/knative-serving/${command}:${KNATIVE_SERVING_VERSION}`,
  path: `/ko-app/${command}`,
  // ko's default base image runs as 65532 (nonroot).
  user: '65532:65532',
  binary: clusterBinary(`knative-${command}`),
});

export const KNATIVE_IMAGES = {
  controller: knativeImage('controller'),
  webhook: knativeImage('webhook'),
  activator: knativeImage('activator'),
  autoscaler: knativeImage('autoscaler'),
  queue: knativeImage('queue'),
} as const;

export const TRAEFIK_IMAGE: BinaryImage = {
  name: `dev.local/traefik:${TRAEFIK_VERSION}`,
  path: '/traefik',
  user: '65532:65532',
  binary: clusterBinary('traefik'),
};

/** As Jaeger's own image: listening on every address of the pod, user 10001 (jaeger/10-deployment.yaml). */
export const JAEGER_IMAGE: BinaryImage = {
  name: `dev.local/jaeger:${JAEGER_VERSION}`,
  path: '/jaeger',
  user: '10001:10001',
  env: { JAEGER_LISTEN_HOST: '0.0.0.0' },
  binary: ensureJaeger,
};

/**
 * Redis for the counter's Redis mode (redis/deployment.yaml runs the official image, which cannot be
 * pulled here): Debian bookworm's redis-server and redis-cli (7.0, installed when missing) with their
 * libraries, as the official image's user 999. `npm run deploy -- --counter-store redis
 * --redis-image dev.local/redis:7.0-bookworm` puts it in place of the official one.
 */
export const REDIS_IMAGE: BinaryImage = {
  name: 'dev.local/redis:7.0-bookworm',
  path: '/usr/bin/redis-server',
  user: '999:999',
  env: { PATH: '/usr/bin', LD_LIBRARY_PATH: '/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu' },
  libraries: { programs: ['/usr/bin/redis-cli'] },
  binary: async (_env, progress) => {
    await ensureRedisServer(progress);
    return '/usr/bin/redis-server';
  },
};

/** Every image of ours the node runs besides the functions', the pause image first. */
export const NODE_IMAGES: readonly BinaryImage[] = [
  PAUSE_IMAGE,
  KNATIVE_IMAGES.controller,
  KNATIVE_IMAGES.webhook,
  KNATIVE_IMAGES.activator,
  KNATIVE_IMAGES.autoscaler,
  KNATIVE_IMAGES.queue,
  TRAEFIK_IMAGE,
  JAEGER_IMAGE,
  REDIS_IMAGE,
];

/** podman's name for an image before its import: localhost/knative-tracing-counter/<name>:<tag>. */
export const podmanNameOf = (image: BinaryImage) =>
  `localhost/knative-tracing-counter/${image.name.slice('dev.local/'.length)}`;

/** The image in podman, built from its binary (itself built when missing) when podman lacks it. */
export async function ensureBinaryImage(
  image: BinaryImage,
  env: NodeJS.ProcessEnv,
  progress: BuildProgress,
): Promise<string> {
  const podmanName = podmanNameOf(image);
  if (await imageExists(podmanName)) return podmanName;
  const binary = await image.binary(env, progress);
  const context = await mkdtemp(join(tmpdir(), 'ktc-image-'));
  try {
    const lines = [
      'FROM scratch',
      `COPY ${basename(binary)} ${image.path}`,
      ...(image.libraries ? ['COPY rootfs/ /'] : []),
      ...Object.entries(image.env ?? {}).map(([key, value]) => `ENV ${key}=${value}`),
      `USER ${image.user}`,
      `ENTRYPOINT ["${image.path}"]`,
    ];
    await writeFile(join(context, 'Containerfile'), `${lines.join('\n')}\n`);
    await copyFile(binary, join(context, basename(binary)));
    if (image.libraries) await copyWithLibraries([binary, ...image.libraries.programs], join(context, 'rootfs'));
    await podmanOk(['build', '--pull=never', '-t', podmanName, context]);
  } finally {
    await rm(context, { recursive: true, force: true });
  }
  return podmanName;
}

/**
 * Copies the programs and every library `ldd` says they load (the loader included) under `root`, each
 * at its own path, symbolic links followed: a FROM scratch image has no other files to lean on.
 */
async function copyWithLibraries(programs: readonly string[], root: string): Promise<void> {
  const files = new Set(programs);
  for (const program of programs) {
    const listed = await mustRun('ldd', [program]);
    // "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)" or "/lib64/ld-linux-x86-64.so.2 (0x...)"
    for (const match of listed.matchAll(/(?:=>\s+)?(\/\S+)\s+\(0x/g)) if (match[1]) files.add(match[1]);
  }
  for (const file of files) {
    await mkdir(join(root, dirname(file)), { recursive: true });
    await copyFile(await realpath(file), join(root, file));
  }
}

/** Copies `podmanImage` into the node's containerd, named `name` there. */
export async function importImage(holder: Child, node: NodePaths, podmanImage: string, name: string): Promise<void> {
  // A folder per image: imports run side by side.
  const folder = join(node.dir, 'image-import', name.replaceAll(/[^a-z0-9.-]/gi, '_'));
  await mkdir(folder, { recursive: true });
  const archive = join(folder, 'image.tar');
  try {
    await podmanOk(['save', '--format', 'oci-archive', '-o', archive, podmanImage]);
    const imported = await ctr(holder, node, ['images', 'import', archive]);
    if (imported.code !== 0) {
      throw new NodeImageError(`ctr images import ${archive} failed: ${imported.stderr.trim()}`);
    }
    const reference = /^unpacking (\S+) /m.exec(imported.stdout)?.[1];
    if (!reference) throw new NodeImageError(`ctr images import ${archive} named no image:\n${imported.stdout}`);
    if (reference !== name) {
      const tagged = await ctr(holder, node, ['images', 'tag', '--force', reference, name]);
      if (tagged.code !== 0)
        throw new NodeImageError(`ctr images tag ${reference} ${name} failed: ${tagged.stderr.trim()}`);
    }
  } catch (error) {
    if (error instanceof NodeImageError) throw error;
    throw new NodeImageError(`Could not load ${podmanImage} into the node as ${name}: ${(error as Error).message}`);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}
