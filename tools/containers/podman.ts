// The one place that runs podman: short commands with their output, and a clear error when podman
// is missing. Containers need lower resource limits than runc asks for by default on this kind of
// machine (see ULIMITS), so every build and run passes them.
import { spawnChild } from '../processes/process.ts';

export class PodmanError extends Error {
  override name = 'PodmanError';
}

/**
 * runc sets the container's rlimits to its defaults (nofile 1048576), which a sandbox whose hard limit
 * is lower refuses ("error setting rlimit type 7: operation not permitted"). Asking for less works
 * everywhere; Knative's pods get the node's defaults, which are at least this.
 */
export const ULIMITS = ['--ulimit', 'nofile=4096:4096', '--ulimit', 'nproc=4096:4096'];

/**
 * runc, not Debian's default crun: crun refuses this machine's hybrid cgroup layout ("cgroups in
 * hybrid mode not supported"), and runc is what containerd runs on Kubernetes nodes.
 */
export const GLOBAL_FLAGS = ['--runtime', 'runc'];

export interface PodmanResult {
  code: number | null;
  output: string;
}

/** Runs `podman ARGS…` to its end; `onOutput` sees the output as it comes (for progress). */
export async function podman(args: readonly string[], onOutput?: (chunk: string) => void): Promise<PodmanResult> {
  const child = spawnChild(`podman ${args[0]}`, 'podman', [...GLOBAL_FLAGS, ...args]);
  if (onOutput) {
    child.process.stdout?.on('data', onOutput);
    child.process.stderr?.on('data', onOutput);
  }
  const exit = await child.exited;
  if (exit.code === null && exit.signal === null && /ENOENT/.test(child.output())) {
    throw new PodmanError(
      'podman is not installed: `npm run setup` installs it (Debian package podman) when run as root, or install it yourself.',
    );
  }
  return { code: exit.code, output: child.output() };
}

/** Runs podman and answers its standard output and error, or throws with them when it fails. */
export async function podmanOk(args: readonly string[], onOutput?: (chunk: string) => void): Promise<string> {
  const result = await podman(args, onOutput);
  if (result.code !== 0) {
    throw new PodmanError(`podman ${args.join(' ')} failed (exit status ${result.code}):\n${result.output.trim()}`);
  }
  return result.output;
}

export async function imageExists(name: string): Promise<boolean> {
  return (await podman(['image', 'exists', name])).code === 0;
}

/** A label of a local image, or undefined when the image or the label is missing. */
export async function imageLabel(name: string, label: string): Promise<string | undefined> {
  const result = await podman(['image', 'inspect', '--format', `{{index .Labels "${label}"}}`, name]);
  const value = result.output.trim();
  return result.code === 0 && value !== '' && value !== '<no value>' ? value : undefined;
}
