// The Dockerfiles start FROM the official node:24.21.0-bookworm-slim, which cannot be pulled on a
// machine without a container registry. When, and only when, podman's store lacks it, this
// assembles a local stand-in under that exact name, the way the official image is made: Debian
// bookworm (minbase, by debootstrap), the same Node the project installs at /usr/local/bin, npm at
// /usr/local/lib/node_modules/npm, and the user and group `node` (1000:1000). It also trusts the
// machine's CA bundle (Node and npm), so that `npm ci` inside a build reaches the registry through
// this machine's TLS proxy. The Dockerfiles stay exactly what a user builds with Docker elsewhere.
import { copyFile, mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPOSITORY_ROOT } from '../functions/run.ts';
import { spawnChild } from '../processes/process.ts';
import { imageExists, podmanOk } from './podman.ts';

/** The npm the stand-in carries (npm 11, as Node 24's images do), pinned. */
export const STAND_IN_NPM_VERSION = '11.19.1';
const CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
const SUITE = 'bookworm';

export class BaseImageError extends Error {
  override name = 'BaseImageError';
}

/** The base image both Dockerfiles name in their first FROM, e.g. node:24.21.0-bookworm-slim. */
export async function baseImageName(): Promise<string> {
  const dockerfile = await readFile(join(REPOSITORY_ROOT, 'functions', 'backend', 'Dockerfile'), 'utf8');
  const from = /^FROM\s+(\S+)/m.exec(dockerfile)?.[1];
  if (!from) throw new BaseImageError('functions/backend/Dockerfile has no FROM line');
  return from;
}

/** The Debian mirror this machine's apt uses for bookworm: read from its sources, never written down. */
export async function debianMirror(): Promise<string> {
  for (const file of ['/etc/apt/sources.list.d/debian.sources', '/etc/apt/sources.list']) {
    const text = await readFile(file, 'utf8').catch(() => '');
    const deb822 = text
      .split(/\n\s*\n/)
      .find((stanza) => new RegExp(`^Suites:.*\\b${SUITE}\\b`, 'm').test(stanza) && !/security/.test(stanza));
    const uri = deb822
      ? /^URIs:\s*(\S+)/m.exec(deb822)?.[1]
      : new RegExp(`^deb\\s+(\\S+)\\s+${SUITE}\\s`, 'm').exec(text)?.[1];
    if (uri) return uri;
  }
  throw new BaseImageError(`No Debian ${SUITE} mirror found in this machine's apt sources.`);
}

async function run(command: string, args: string[], progress?: (line: string) => void): Promise<void> {
  const child = spawnChild(command, command, args);
  if (progress) {
    let partial = '';
    child.process.stdout?.on('data', (chunk: Buffer | string) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) progress(line);
    });
  }
  const exit = await child.exited;
  if (exit.code !== 0) {
    throw new BaseImageError(
      `${command} ${args.join(' ')} failed (exit status ${exit.code}):\n${child.output().trim()}`,
    );
  }
}

/** The version of Node the project installs (the `node` devDependency), and where its binary is. */
async function projectNode(): Promise<{ version: string; binary: string }> {
  const manifest = JSON.parse(await readFile(join(REPOSITORY_ROOT, 'package.json'), 'utf8')) as {
    devDependencies: Record<string, string>;
  };
  const version = manifest.devDependencies.node;
  if (!version) throw new BaseImageError('package.json has no node devDependency');
  return { version, binary: join(REPOSITORY_ROOT, 'node_modules', 'node', 'bin', 'node') };
}

/** Assembles the stand-in image and tags it `name`; takes about a minute and a half. */
export async function assembleBaseImage(name: string, progress: (line: string) => void): Promise<void> {
  const node = await projectNode();
  if (!name.includes(node.version)) {
    throw new BaseImageError(`The Dockerfiles start FROM ${name}, but the project installs Node ${node.version}.`);
  }
  const work = await mkdtemp(join(tmpdir(), 'node-base-image-'));
  try {
    const root = join(work, 'rootfs');
    const mirror = await debianMirror();
    progress(`  debootstrap --variant=minbase ${SUITE} (about a minute)…`);
    await run('debootstrap', ['--variant=minbase', SUITE, root, mirror], (line) => {
      // One line per stage, not per package.
      if (/^I: (Retrieving|Validating|Extracting|Unpacking|Configuring) (?!.*packages)/.test(line)) return;
      if (line.startsWith('I: ')) progress(`    ${line.slice(3)}`);
    });

    progress(`  Node ${node.version} and npm ${STAND_IN_NPM_VERSION} into /usr/local…`);
    await copyFile(node.binary, join(root, 'usr/local/bin/node'));
    const npmFolder = join(root, 'usr/local/lib/node_modules/npm');
    await mkdir(npmFolder, { recursive: true });
    await run('npm', ['pack', `npm@${STAND_IN_NPM_VERSION}`, '--pack-destination', work, '--silent']);
    await run('tar', ['-xzf', join(work, `npm-${STAND_IN_NPM_VERSION}.tgz`), '-C', npmFolder, '--strip-components=1']);
    await symlink('../lib/node_modules/npm/bin/npm-cli.js', join(root, 'usr/local/bin/npm'));
    await symlink('../lib/node_modules/npm/bin/npx-cli.js', join(root, 'usr/local/bin/npx'));

    progress('  user node (1000:1000), the CA bundle, cleaning apt…');
    await run('chroot', [root, 'groupadd', '--gid', '1000', 'node']);
    await run('chroot', [
      root,
      'useradd',
      '--uid',
      '1000',
      '--gid',
      'node',
      '--shell',
      '/bin/bash',
      '--create-home',
      'node',
    ]);
    await mkdir(join(root, 'etc/ssl/certs'), { recursive: true });
    await copyFile(CA_BUNDLE, join(root, CA_BUNDLE));
    for (const folder of ['var/cache/apt/archives', 'var/lib/apt/lists', 'tmp']) {
      await rm(join(root, folder), { recursive: true, force: true });
      await mkdir(join(root, folder), { recursive: true, mode: folder === 'tmp' ? 0o1777 : 0o755 });
    }

    progress(`  podman import as ${name}…`);
    const archive = join(work, 'rootfs.tar');
    await run('tar', ['-C', root, '-cf', archive, '.']);
    await podmanOk([
      'import',
      '--change',
      `ENV NODE_VERSION=${node.version}`,
      '--change',
      `ENV NODE_EXTRA_CA_CERTS=${CA_BUNDLE}`,
      '--change',
      `ENV NPM_CONFIG_CAFILE=${CA_BUNDLE}`,
      '--change',
      'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      '--change',
      'LABEL knative-tracing-counter.stand-in=assembled locally: debootstrap minbase, Node, npm, user node',
      '--change',
      'CMD ["node"]',
      '--message',
      `local stand-in for ${name}`,
      archive,
      name,
    ]);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Makes sure the Dockerfiles' base image is in podman's store: the real one if present, else the stand-in. */
export async function ensureBaseImage(progress: (line: string) => void): Promise<string> {
  const name = await baseImageName();
  // A short name finds a pulled official image and a local stand-in (podman calls it localhost/…) alike.
  if (await imageExists(name)) return name;
  progress(`${name} is not in podman's store and cannot be pulled here: assembling a local stand-in`);
  const started = Date.now();
  await assembleBaseImage(name, progress);
  progress(`  done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return name;
}
