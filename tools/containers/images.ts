// Builds the functions' container images with podman from their own Dockerfiles, exactly as a user
// builds them with Docker. An image whose build context and base image are unchanged is not built
// again: the image carries a hash of both as a label.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { IMAGE_PREFIX } from '../deploy/plan.ts';
import { type FunctionName, functionDirectory } from '../functions/run.ts';
import { ensureBaseImage } from './base-image.ts';
import { GLOBAL_FLAGS, imageLabel, podmanOk, ULIMITS } from './podman.ts';

const CONTEXT_LABEL = 'knative-tracing-counter.context-hash';

/** The image's name in the manifests: knative-tracing-counter/<function>:<version>. */
export async function imageName(name: FunctionName): Promise<string> {
  const { version } = JSON.parse(await readFile(join(functionDirectory(name), 'package.json'), 'utf8')) as {
    version: string;
  };
  return `${IMAGE_PREFIX}${name}:${version}`;
}

/** The files a build sends, as .dockerignore leaves them (its entries here are plain names). */
async function contextFiles(folder: string): Promise<string[]> {
  const ignored = new Set(
    (await readFile(join(folder, '.dockerignore'), 'utf8'))
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#')),
  );
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(folder, join(entry.parentPath, entry.name)))
    .filter((path) => !path.split('/').some((part) => ignored.has(part)) || path === 'Dockerfile')
    .sort();
}

/** A hash of the Dockerfile, everything it can COPY, and the base image's id. */
export async function contextHash(name: FunctionName, baseImageId: string): Promise<string> {
  const folder = functionDirectory(name);
  const hash = createHash('sha256').update(baseImageId);
  for (const path of await contextFiles(folder)) {
    hash.update(`\0${path}\0`).update(await readFile(join(folder, path)));
  }
  return hash.digest('hex').slice(0, 16);
}

export interface BuiltImage {
  name: string;
  /** Undefined when the image was already current. */
  buildSeconds?: number;
  sizeBytes: number;
}

/** Builds the function's image unless the current one was built from the same context. */
export async function ensureFunctionImage(name: FunctionName, progress: (line: string) => void): Promise<BuiltImage> {
  const base = await ensureBaseImage(progress);
  const baseId = (await podmanOk(['image', 'inspect', '--format', '{{.Id}}', base])).trim();
  const image = await imageName(name);
  const hash = await contextHash(name, baseId);
  let buildSeconds: number | undefined;
  if ((await imageLabel(image, CONTEXT_LABEL)) !== hash) {
    progress(`Building ${image} from functions/${name}/Dockerfile…`);
    const started = Date.now();
    let partial = '';
    await podmanOk(
      [
        'build',
        ...GLOBAL_FLAGS,
        '--network',
        'host',
        '--pull=never',
        ...ULIMITS,
        '--label',
        `${CONTEXT_LABEL}=${hash}`,
        '-t',
        image,
        functionDirectory(name),
      ],
      (chunk) => {
        const lines = (partial + String(chunk)).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) if (/STEP \d/.test(line)) progress(`  ${line}`);
      },
    );
    buildSeconds = (Date.now() - started) / 1000;
    progress(`  built ${image} in ${buildSeconds.toFixed(0)} s`);
  }
  const sizeBytes = Number((await podmanOk(['image', 'inspect', '--format', '{{.Size}}', image])).trim());
  return { name: image, sizeBytes, ...(buildSeconds === undefined ? {} : { buildSeconds }) };
}
