// Debian's containerd (1.6) as the node's runtime, run by us with a configuration of our own: its root,
// state and socket under the cluster's state folder, runc with the cgroupfs driver, Debian's CNI
// plugins with our bridge configuration, and our own pause image. Two settings this machine needs:
// `restrict_oom_score_adj` (without CAP_SYS_RESOURCE runc cannot lower oom_score_adj, and every pod
// failed with "can't get final child's PID from pipe: EOF"), and no rlimits in a base runtime spec
// (the hard `nofile` limit here is 20000; asking for more fails, and containers inherit it as it is).
// Registries are configured per host in hosts.toml files under `registryHosts` (registry.ts).
import { mkdir, writeFile } from 'node:fs/promises';
import type { Child } from '../../processes/process.ts';
import { waitFor } from '../../processes/process.ts';
import { runCommand } from '../../processes/run-command.ts';
import type { Launch } from '../control-plane.ts';
import { inNode, startInNode } from './mount-namespace.ts';
import { cniConfig } from './network.ts';
import type { NodePaths } from './paths.ts';

/** Debian's CNI plugins (package containernetworking-plugins). */
export const CNI_BIN_DIR = '/usr/lib/cni';
/** The namespace of containerd's that the CRI (and so kubelet) uses. */
export const CRI_NAMESPACE = 'k8s.io';

export class ContainerdError extends Error {
  override name = 'ContainerdError';
}

export function containerdConfig(node: NodePaths, sandboxImage: string, registryHosts: string): string {
  const cri = 'plugins."io.containerd.grpc.v1.cri"';
  return `# Written by tools/cluster/node/containerd.ts for this cluster's node.
version = 2
root = ${JSON.stringify(node.containerdRoot)}
state = ${JSON.stringify(node.containerdState)}
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs", "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]

[grpc]
  address = ${JSON.stringify(node.containerdSocket)}

[${cri}]
  sandbox_image = ${JSON.stringify(sandboxImage)}
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  enable_selinux = false
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"

[${cri}.containerd]
  snapshotter = "overlayfs"
  default_runtime_name = "runc"

[${cri}.containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"

[${cri}.containerd.runtimes.runc.options]
  SystemdCgroup = false

[${cri}.registry]
  config_path = ${JSON.stringify(registryHosts)}

[${cri}.cni]
  bin_dir = ${JSON.stringify(CNI_BIN_DIR)}
  conf_dir = ${JSON.stringify(node.cniConfigDir)}
  max_conf_num = 1
`;
}

/** Writes the configurations and starts containerd in the node's namespaces; resolves once it answers. */
export async function startContainerd(
  launch: Launch,
  holder: Child,
  node: NodePaths,
  sandboxImage: string,
  registryHosts: string,
): Promise<Child> {
  for (const folder of [node.containerdRoot, node.containerdState, node.cniConfigDir, node.cniDataDir]) {
    await mkdir(folder, { recursive: true, mode: 0o700 });
  }
  await writeFile(node.containerdConfig, containerdConfig(node, sandboxImage, registryHosts));
  await writeFile(`${node.cniConfigDir}/10-ktc-pods.conflist`, cniConfig(node.cniDataDir));
  const containerd = startInNode(launch, holder, 'containerd', 'containerd', ['--config', node.containerdConfig]);
  await waitFor('containerd to answer', async () => (await ctr(holder, node, ['version'])).code === 0 || undefined, {
    timeoutMs: 20_000,
    intervalMs: 100,
    child: containerd,
  });
  return containerd;
}

/** Runs `ctr -n k8s.io ARGS` against the node's containerd; `input` goes to its stdin. */
export function ctr(holder: Child, node: NodePaths, args: readonly string[], input?: Buffer | string) {
  const [command, commandArgs] = inNode(holder, 'ctr', [
    '--address',
    node.containerdSocket,
    '--namespace',
    CRI_NAMESPACE,
    ...args,
  ]);
  return runCommand(command, commandArgs, { input: input as string | undefined });
}
