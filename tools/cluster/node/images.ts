// The node's images, none from a registry (none can be pulled here): its pause image, a static Go
// binary of ours (pause/) in a FROM scratch image, and our functions' images, built with podman and
// imported into containerd's k8s.io namespace under dev.local/<name>:<version>, a registry name
// Knative does not resolve tags against (and kubelet, told `imagePullPolicy: Never` or finding the
// image present, never pulls).
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { imageExists, podmanOk } from '../../containers/podman.ts';
import { type BuildProgress, buildGoBinary, isExecutable, projectCacheDirectory } from '../../go/build.ts';
import type { Child } from '../../process.ts';
import { ctr } from './containerd.ts';
import type { NodePaths } from './paths.ts';

const PAUSE_VERSION = '0.1.0';
/** What kubelet and containerd call the pause image (containerd's sandbox_image). */
export const PAUSE_IMAGE = `dev.local/pause:${PAUSE_VERSION}`;
/** podman's name for it, before the import. */
const PAUSE_PODMAN_IMAGE = `localhost/knative-tracing-counter/pause:${PAUSE_VERSION}`;
const PAUSE_MODULE_DIR = join(dirname(fileURLToPath(import.meta.url)), 'pause');

export class NodeImageError extends Error {
  override name = 'NodeImageError';
}

/** The pause image in podman, built from pause/ (a static binary, ~1.4 MB) when missing. */
export async function ensurePauseImage(env: NodeJS.ProcessEnv, progress: BuildProgress): Promise<string> {
  if (await imageExists(PAUSE_PODMAN_IMAGE)) return PAUSE_PODMAN_IMAGE;
  const binary = join(projectCacheDirectory(env), `pause-${PAUSE_VERSION}`, 'pause');
  if (!(await isExecutable(binary))) {
    await buildGoBinary(
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
  const context = await mkdtemp(join(tmpdir(), 'ktc-pause-'));
  try {
    await writeFile(
      join(context, 'Containerfile'),
      'FROM scratch\nCOPY pause /pause\nUSER 65535:65535\nENTRYPOINT ["/pause"]\n',
    );
    await copyFile(binary, join(context, 'pause'));
    await podmanOk(['build', '--pull=never', '-t', PAUSE_PODMAN_IMAGE, context]);
  } finally {
    await rm(context, { recursive: true, force: true });
  }
  return PAUSE_PODMAN_IMAGE;
}

/** Copies `podmanImage` into the node's containerd, named `name` there. */
export async function importImage(holder: Child, node: NodePaths, podmanImage: string, name: string): Promise<void> {
  const folder = join(node.dir, 'image-import');
  await mkdir(folder, { recursive: true });
  const archive = join(folder, `${name.replaceAll(/[^a-z0-9.-]/gi, '_')}.tar`);
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
