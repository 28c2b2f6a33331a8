// kube-scheduler (places pods on the node) and kube-proxy (iptables mode: Services' ClusterIPs inside
// the cluster's network namespace), each with a client certificate whose name the default RBAC
// bindings know: system:kube-scheduler, system:kube-proxy.
import { writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';
import type { Child } from '../../processes/process.ts';
import { createLeaf } from '../certificates.ts';
import { API_SERVER_PORT, type Launch, startInside } from '../control-plane.ts';
import { writeKubeconfig } from '../kubeconfig.ts';
import { startInNode } from './mount-namespace.ts';
import { NODE_IP, POD_CIDR } from './network.ts';
import type { NodePaths } from './paths.ts';

/** A kubeconfig for a process inside the namespace, with a client certificate of `commonName`. */
export async function clientKubeconfig(launch: Launch, file: string, name: string, commonName: string): Promise<void> {
  const { paths, certificates } = launch;
  const client = await createLeaf(paths.pki, name, certificates.ca, {
    subject: `/CN=${commonName}`,
    usage: 'clientAuth',
  });
  await writeKubeconfig(file, {
    name: paths.name,
    server: `https://127.0.0.1:${API_SERVER_PORT}`,
    caFile: certificates.ca.cert,
    client,
  });
}

export async function startScheduler(launch: Launch, node: NodePaths, binary: string): Promise<Child> {
  const kubeconfig = node.schedulerKubeconfig;
  await clientKubeconfig(launch, kubeconfig, 'kube-scheduler', 'system:kube-scheduler');
  return startInside(launch, 'kube-scheduler', binary, [
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    '--bind-address=127.0.0.1',
    '--leader-elect=false',
    '--profiling=false',
  ]);
}

/** kube-proxy shares the node's mount namespace, so kubelet's and its iptables take the same lock. */
export async function startProxy(launch: Launch, holder: Child, node: NodePaths, nodeName: string, binary: string) {
  await clientKubeconfig(launch, node.proxyKubeconfig, 'kube-proxy', 'system:kube-proxy');
  const config = {
    apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
    kind: 'KubeProxyConfiguration',
    clientConnection: { kubeconfig: node.proxyKubeconfig },
    mode: 'iptables',
    clusterCIDR: POD_CIDR,
    hostnameOverride: nodeName,
    bindAddress: NODE_IP,
    nodePortAddresses: ['primary'],
    healthzBindAddress: '127.0.0.1:10256',
    metricsBindAddress: '127.0.0.1:10249',
    // The conntrack table's size cannot be set from inside a network namespace.
    conntrack: { maxPerCore: 0 },
  };
  await writeFile(node.proxyConfig, stringify(config));
  return startInNode(launch, holder, 'kube-proxy', binary, [`--config=${node.proxyConfig}`]);
}
