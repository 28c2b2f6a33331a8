// kubelet, in the node's mount and network namespaces, registered as node <cluster name> at NODE_IP:
// containerd through its socket, cgroupfs under a cgroup root of the cluster's own, everything it
// writes under the cluster's state folder (--root-dir, --cert-dir, podLogsDir), a client certificate
// of group system:nodes signed by the cluster's CA, and a serving certificate from the same CA.
import { mkdir, writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';
import type { Child } from '../../processes/process.ts';
import { waitFor } from '../../processes/process.ts';
import { type ApiConnection, apiRequest } from '../api.ts';
import { createLeaf } from '../certificates.ts';
import type { Launch } from '../control-plane.ts';
import { API_SERVER_PORT } from '../control-plane.ts';
import { writeKubeconfig } from '../kubeconfig.ts';
import { CLUSTER_DNS_IP, CLUSTER_DOMAIN } from './dns.ts';
import { startInNode } from './mount-namespace.ts';
import { NODE_IP } from './network.ts';
import type { NodePaths } from './paths.ts';

export const KUBELET_PORT = 10250;

/** The kubelet configuration (kubelet.config.k8s.io/v1beta1). */
export function kubeletConfig(
  launch: Launch,
  node: NodePaths,
  cgroupRoot: string,
  serving: { cert: string; key: string },
) {
  return {
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    address: NODE_IP,
    port: KUBELET_PORT,
    readOnlyPort: 0,
    healthzBindAddress: '127.0.0.1',
    healthzPort: 10248,
    authentication: {
      anonymous: { enabled: false },
      webhook: { enabled: true },
      x509: { clientCAFile: launch.certificates.ca.cert },
    },
    authorization: { mode: 'Webhook' },
    tlsCertFile: serving.cert,
    tlsPrivateKeyFile: serving.key,
    cgroupDriver: 'cgroupfs',
    cgroupRoot: `/${cgroupRoot}`,
    containerRuntimeEndpoint: `unix://${node.containerdSocket}`,
    podLogsDir: node.podLogs,
    // Pods ask the cluster's DNS (dns.ts) only: this machine's resolver must not reach them.
    resolvConf: '',
    clusterDNS: [CLUSTER_DNS_IP],
    clusterDomain: CLUSTER_DOMAIN,
    failSwapOn: false,
    // A development node on a shared machine: never evict pods or collect images for lack of room.
    evictionHard: { 'memory.available': '0%', 'nodefs.available': '0%', 'imagefs.available': '0%' },
    imageGCHighThresholdPercent: 100,
    serializeImagePulls: false,
    // kube-proxy keeps the namespace's iptables rules.
    makeIPTablesUtilChains: false,
  };
}

/** Writes kubelet's certificates, kubeconfig and configuration, and starts it. */
export async function startKubelet(
  launch: Launch,
  holder: Child,
  node: NodePaths,
  { nodeName, cgroupRoot, binary }: { nodeName: string; cgroupRoot: string; binary: string },
): Promise<Child> {
  const { paths, certificates } = launch;
  const client = await createLeaf(paths.pki, 'kubelet-client', certificates.ca, {
    subject: `/O=system:nodes/CN=system:node:${nodeName}`,
    usage: 'clientAuth',
  });
  const serving = await createLeaf(paths.pki, 'kubelet-serving', certificates.ca, {
    subject: `/CN=${nodeName}`,
    usage: 'serverAuth',
    altNames: [`IP:${NODE_IP}`, `DNS:${nodeName}`],
  });
  await writeKubeconfig(node.kubeletKubeconfig, {
    name: paths.name,
    server: `https://127.0.0.1:${API_SERVER_PORT}`,
    caFile: certificates.ca.cert,
    client,
  });
  for (const folder of [node.kubeletRoot, node.kubeletCertDir, node.podLogs]) {
    await mkdir(folder, { recursive: true, mode: 0o700 });
  }
  await writeFile(node.kubeletConfig, stringify(kubeletConfig(launch, node, cgroupRoot, serving)));
  return startInNode(launch, holder, 'kubelet', binary, [
    `--config=${node.kubeletConfig}`,
    `--kubeconfig=${node.kubeletKubeconfig}`,
    `--root-dir=${node.kubeletRoot}`,
    `--cert-dir=${node.kubeletCertDir}`,
    `--hostname-override=${nodeName}`,
    `--node-ip=${NODE_IP}`,
  ]);
}

interface NodeObject {
  status?: { conditions?: { type: string; status: string }[] };
}

/** Waits until the node has registered and reports Ready. */
export async function waitForNodeReady(api: ApiConnection, nodeName: string, kubelet: Child): Promise<void> {
  await waitFor(
    `node ${nodeName} to register and be Ready`,
    async () => {
      const { status, body } = await apiRequest(api, 'GET', `/api/v1/nodes/${nodeName}`);
      if (status !== 200) return undefined;
      const ready = (body as NodeObject).status?.conditions?.find((condition) => condition.type === 'Ready');
      return ready?.status === 'True' || undefined;
    },
    { timeoutMs: 60_000, intervalMs: 200, child: kubelet },
  );
}
