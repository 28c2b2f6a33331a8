// podman (with runc and slirp4netns) and debootstrap come from Debian's packages. When one is
// missing, the project installs them, as it builds Jaeger when Jaeger is missing: as root with
// apt-get, else it says which command to run.
import { spawnChild } from '../processes/process.ts';

/** Each package has a command of its own name. */
export const CONTAINER_PACKAGES = ['podman', 'runc', 'slirp4netns', 'debootstrap'] as const;

export class ContainerToolsError extends Error {
  override name = 'ContainerToolsError';
}

async function run(command: string, args: string[]): Promise<{ code: number | null; output: string }> {
  const child = spawnChild(command, command, args, {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  const exit = await child.exited;
  return { code: exit.code, output: child.output() };
}

/** The packages whose command is not on PATH. */
export async function missingContainerPackages(): Promise<string[]> {
  return missingPackages(Object.fromEntries(CONTAINER_PACKAGES.map((name) => [name, name])));
}

/** The packages (values) whose command (key) is not on PATH, each package once. */
async function missingPackages(commands: Readonly<Record<string, string>>): Promise<string[]> {
  const missing = new Set<string>();
  for (const [command, pkg] of Object.entries(commands)) {
    const found = await run('sh', ['-c', `command -v ${command}`]);
    if (found.code !== 0) missing.add(pkg);
  }
  return [...missing];
}

/** Installs what is missing; answers what it did. */
export function ensureContainerTools(progress: (line: string) => void): Promise<string> {
  return ensureDebianPackages(Object.fromEntries(CONTAINER_PACKAGES.map((name) => [name, name])), progress);
}

/**
 * Installs the Debian packages (values) whose command (key) is missing, as root with apt-get;
 * answers what it did. Not root: a ContainerToolsError says which command to run.
 */
export async function ensureDebianPackages(
  commands: Readonly<Record<string, string>>,
  progress: (line: string) => void,
  /** Who needs them, for the message: "Containers", "The cluster's node". */
  purpose = 'Containers',
): Promise<string> {
  const missing = await missingPackages(commands);
  if (missing.length === 0) return 'already installed';
  const command = `apt-get install -y ${missing.join(' ')}`;
  if (process.getuid?.() !== 0) {
    throw new ContainerToolsError(
      `${purpose} need ${missing.join(', ')}: install them as root (${command}), then run this again.`,
    );
  }
  progress(`Installing ${missing.join(', ')} from Debian's packages…`);
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', ...missing],
  ]) {
    const result = await run('apt-get', args);
    if (result.code !== 0) throw new ContainerToolsError(`apt-get ${args.join(' ')} failed:\n${result.output.trim()}`);
  }
  return `installed ${missing.join(', ')}`;
}
