// Where the node keeps its state, under the cluster's state folder: containerd's root, state and
// socket, the CNI configuration and address store, kubelet's root, certificates and pod logs, and the
// configuration files of kubelet and kube-proxy. All of it goes when the cluster stops.
import { join } from 'node:path';
import type { ClusterPaths } from '../state.ts';

export interface NodePaths {
  dir: string;
  containerdConfig: string;
  containerdRoot: string;
  containerdState: string;
  containerdSocket: string;
  cniConfigDir: string;
  cniDataDir: string;
  kubeletRoot: string;
  kubeletCertDir: string;
  kubeletConfig: string;
  kubeletKubeconfig: string;
  podLogs: string;
  schedulerKubeconfig: string;
  proxyConfig: string;
  proxyKubeconfig: string;
  corefile: string;
  corednsKubeconfig: string;
}

export class NodePathError extends Error {
  override name = 'NodePathError';
}

const MAX_SOCKET_PATH = 100;
/** sockaddr_un's sun_path, the terminating NUL included. */
const SUN_PATH_BYTES = 108;

export function nodePaths(paths: ClusterPaths): NodePaths {
  const dir = join(paths.dir, 'node');
  const node: NodePaths = {
    dir,
    containerdConfig: join(dir, 'containerd.toml'),
    containerdRoot: join(dir, 'containerd', 'root'),
    containerdState: join(dir, 'containerd', 'state'),
    containerdSocket: join(dir, 'containerd.sock'),
    cniConfigDir: join(dir, 'cni', 'net.d'),
    cniDataDir: join(dir, 'cni', 'networks'),
    kubeletRoot: join(dir, 'kubelet'),
    kubeletCertDir: join(dir, 'kubelet-pki'),
    kubeletConfig: join(dir, 'kubelet.yaml'),
    kubeletKubeconfig: join(dir, 'kubelet.kubeconfig'),
    podLogs: join(dir, 'pod-logs'),
    schedulerKubeconfig: join(dir, 'kube-scheduler.kubeconfig'),
    proxyConfig: join(dir, 'kube-proxy.yaml'),
    proxyKubeconfig: join(dir, 'kube-proxy.kubeconfig'),
    corefile: join(dir, 'Corefile'),
    corednsKubeconfig: join(dir, 'coredns.kubeconfig'),
  };
  // kubelet's pod-resources socket is the longest: its folder, then a name of up to ten digits, which
  // kubelet chooses; it may use all of sun_path but its final NUL.
  const sockets: [string, number][] = [
    [node.containerdSocket, MAX_SOCKET_PATH],
    [join(node.kubeletRoot, 'pod-resources', '0123456789'), SUN_PATH_BYTES - 1],
  ];
  for (const [socket, limit] of sockets) {
    if (socket.length > limit) {
      throw new NodePathError(
        `The node's socket ${socket} is too long for a Unix socket (at most ${limit} bytes): ` +
          'set XDG_CACHE_HOME to a shorter folder, or choose a shorter --name.',
      );
    }
  }
  return node;
}
