// The node's processes (containerd with its shims and runc, kubelet, kube-proxy) share a private mount
// namespace, kept by a small holder process, inside the cluster's network namespace. Entered with
// `nsenter --net` (`ip netns exec` remounts /sys and would hide /sys/fs/cgroup from kubelet and runc).
// Its own empty /run, /var/lib and /var/log keep what containerd, runc and kubelet write at fixed paths
// (shim sockets, /var/lib/kubelet/device-plugins, /var/log/containers) off this machine, and so every
// mount containerd and kubelet make (root filesystems, volumes, pod network namespaces) goes with it.

import { join } from 'node:path';
import type { Child } from '../../processes/process.ts';
import { waitFor } from '../../processes/process.ts';
import type { Launch } from '../control-plane.ts';
import { startDaemon } from '../daemon.ts';
import { namespacePath } from '../netns.ts';

/** Folders that get an empty tmpfs of their own inside the node's mount namespace. */
const PRIVATE_FOLDERS = ['/run', '/var/lib', '/var/log'];

export class NodeMountNamespaceError extends Error {
  override name = 'NodeMountNamespaceError';
}

/** Starts the holder; its pid names the mount namespace for `startInNode`. */
export async function startMountNamespaceHolder(launch: Launch): Promise<Child> {
  const mounts = PRIVATE_FOLDERS.map((folder) => `mount -t tmpfs -o mode=0755 ktc-node ${folder}`).join(' && ');
  const holder = startDaemon(
    'node-namespace',
    'unshare',
    [
      '--mount',
      '--propagation',
      'private',
      '--',
      'nsenter',
      `--net=${namespacePath(launch.paths.namespace)}`,
      '--',
      'sh',
      '-c',
      `${mounts} && echo ready && exec sleep infinity`,
    ],
    { env: launch.env, logFile: join(launch.paths.logs, 'node-namespace.log') },
  );
  launch.processes.push(holder);
  try {
    await waitFor('the node mount namespace', async () => holder.output().includes('ready') || undefined, {
      timeoutMs: 10_000,
      child: holder,
    });
  } catch (error) {
    throw new NodeMountNamespaceError(
      `Could not make the node's private mount namespace (unshare --mount, then tmpfs on ${PRIVATE_FOLDERS.join(', ')}): ${(error as Error).message}`,
    );
  }
  return holder;
}

/** The command line that runs `command` in the holder's mount and network namespaces. */
export function inNode(holder: Child, command: string, args: readonly string[]): [string, string[]] {
  return ['nsenter', [`--target=${holder.process.pid}`, '--mount', '--net', '--', command, ...args]];
}

/** Starts a daemon of the node's, its output in logs/<name>.log. */
export function startInNode(launch: Launch, holder: Child, name: string, command: string, args: string[]): Child {
  const [nsenter, nsenterArgs] = inNode(holder, command, args);
  const child = startDaemon(name, nsenter, nsenterArgs, {
    env: launch.env,
    logFile: join(launch.paths.logs, `${name}.log`),
  });
  launch.processes.push(child);
  return child;
}
