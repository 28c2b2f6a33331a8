// The cluster's DNS: CoreDNS (built from the Go module proxy) inside the cluster's network namespace,
// answering for cluster.local (and reverse lookups) from the API server through its `kubernetes`
// plugin, on the node's address, which kubelet writes into every pod's resolv.conf. It forwards
// nothing: a name outside its zones gets REFUSED, so no pod learns anything of this machine's network.
import { writeFile } from 'node:fs/promises';
import type { Child } from '../../processes/process.ts';
import { waitFor } from '../../processes/process.ts';
import { type ApiConnection, createUnlessPresent, getInside } from '../api.ts';
import { type Launch, startInside } from '../control-plane.ts';
import { clientKubeconfig } from './components.ts';
import { NODE_IP } from './network.ts';
import type { NodePaths } from './paths.ts';

export const CLUSTER_DOMAIN = 'cluster.local';
/** Where pods send their queries: the node's address, port 53. */
export const CLUSTER_DNS_IP = NODE_IP;
/** CoreDNS's `ready` plugin: 200 once the kubernetes plugin has read Services and EndpointSlices. */
const READY_PORT = 8181;
const USER = 'system:coredns';

export class ClusterDnsError extends Error {
  override name = 'ClusterDnsError';
}

/** The Corefile: only the cluster's zones, so anything else is REFUSED rather than forwarded. */
export function corefile(kubeconfig: string, context: string): string {
  return `${CLUSTER_DOMAIN}:53 in-addr.arpa:53 ip6.arpa:53 {
    bind ${CLUSTER_DNS_IP}
    errors
    ready 127.0.0.1:${READY_PORT}
    kubernetes ${CLUSTER_DOMAIN} in-addr.arpa ip6.arpa {
        kubeconfig ${kubeconfig} ${context}
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
    }
    cache 30
    loadbalance
}
`;
}

/** The rules of Kubernetes' own `system:coredns` ClusterRole, bound to CoreDNS's certificate's user. */
export function corednsRbac() {
  const clusterRole = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: USER, labels: { 'app.kubernetes.io/name': 'coredns' } },
    rules: [
      { apiGroups: [''], resources: ['endpoints', 'services', 'pods', 'namespaces'], verbs: ['list', 'watch'] },
      { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
    ],
  };
  const binding = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: USER, labels: { 'app.kubernetes.io/name': 'coredns' } },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: USER },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: USER }],
  };
  return { clusterRole, binding };
}

async function create(api: ApiConnection, path: string, object: { kind: string }): Promise<void> {
  const refused = await createUnlessPresent(api, path, object);
  if (refused) throw new ClusterDnsError(`Could not create CoreDNS's ${object.kind}: ${refused}`);
}

/** Applies CoreDNS's RBAC, writes its kubeconfig and Corefile, starts it and waits until it is ready. */
export async function startClusterDns(
  launch: Launch,
  api: ApiConnection,
  node: NodePaths,
  binary: string,
): Promise<Child> {
  const { clusterRole, binding } = corednsRbac();
  await create(api, '/apis/rbac.authorization.k8s.io/v1/clusterroles', clusterRole);
  await create(api, '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', binding);
  await clientKubeconfig(launch, node.corednsKubeconfig, 'coredns', USER);
  await writeFile(node.corefile, corefile(node.corednsKubeconfig, launch.paths.name));
  const coredns = startInside(launch, 'coredns', binary, ['-conf', node.corefile]);
  await waitFor(
    'CoreDNS to be ready',
    async () =>
      (await getInside(launch.paths.bridgeSocket, { host: '127.0.0.1', port: READY_PORT }, '/ready')) === 200 ||
      undefined,
    { timeoutMs: 30_000, intervalMs: 200, child: coredns },
  );
  return coredns;
}
