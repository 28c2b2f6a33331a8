// Kubernetes' control plane as processes inside the cluster's network namespace: etcd on loopback,
// kube-apiserver (RBAC, client certificates) and kube-controller-manager (service account tokens,
// Deployments to ReplicaSets to Pods). The scheduler and kubelet come with the node (node/), when asked for.
import { join } from 'node:path';
import type { Child } from '../processes/process.ts';
import { waitFor } from '../processes/process.ts';
import { type ApiConnection, apiRequest, getInside } from './api.ts';
import type { ClusterBinaries } from './binaries.ts';
import type { ClusterCertificates } from './certificates.ts';
import { startDaemon } from './daemon.ts';
import { INSIDE_ADDRESS, insideNamespace } from './netns.ts';
import type { ClusterPaths } from './state.ts';

export const API_SERVER_PORT = 6443;
export const ETCD_PORT = 2379;
export const SERVICE_CIDR = '10.96.0.0/16';
/** The first address of SERVICE_CIDR: the `kubernetes` Service's. */
export const KUBERNETES_SERVICE_IP = '10.96.0.1';

export interface Launch {
  paths: ClusterPaths;
  binaries: ClusterBinaries;
  certificates: ClusterCertificates;
  /** PATH and HOME only: nothing of the caller's (KUBECONFIG, proxies) reaches the daemons. */
  env: NodeJS.ProcessEnv;
  /** Every process started, in start order: startInside adds each at once, for the teardown. */
  processes: Child[];
}

/** Starts `binary` inside the namespace, its output in logs/<name>.log. */
export function startInside(launch: Launch, name: string, binary: string, args: string[], env = {}): Child {
  const [command, commandArgs] = insideNamespace(launch.paths.namespace, binary, args);
  const child = startDaemon(name, command, commandArgs, {
    env: { ...launch.env, ...env },
    logFile: join(launch.paths.logs, `${name}.log`),
  });
  launch.processes.push(child);
  return child;
}

export async function startEtcd(launch: Launch): Promise<Child> {
  const client = `http://127.0.0.1:${ETCD_PORT}`;
  const peer = 'http://127.0.0.1:2380';
  const etcd = startInside(launch, 'etcd', launch.binaries.etcd, [
    '--name=default',
    `--data-dir=${launch.paths.etcdData}`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=default=${peer}`,
    // A throw-away cluster for development and tests: its data is made anew on every start.
    '--unsafe-no-fsync=true',
    '--log-level=warn',
  ]);
  await waitFor(
    'etcd to be healthy',
    async () =>
      (await getInside(launch.paths.bridgeSocket, { host: '127.0.0.1', port: ETCD_PORT }, '/health')) === 200 ||
      undefined,
    {
      timeoutMs: 30_000,
      child: etcd,
    },
  );
  return etcd;
}

export async function startApiServer(launch: Launch, api: ApiConnection): Promise<Child> {
  const { certificates: certs } = launch;
  const apiServer = startInside(launch, 'kube-apiserver', launch.binaries['kube-apiserver'], [
    `--etcd-servers=http://127.0.0.1:${ETCD_PORT}`,
    '--bind-address=0.0.0.0',
    `--advertise-address=${INSIDE_ADDRESS}`,
    `--secure-port=${API_SERVER_PORT}`,
    `--tls-cert-file=${certs.apiServer.cert}`,
    `--tls-private-key-file=${certs.apiServer.key}`,
    `--client-ca-file=${certs.ca.cert}`,
    '--authorization-mode=Node,RBAC',
    `--service-cluster-ip-range=${SERVICE_CIDR}`,
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${certs.serviceAccount.publicKey}`,
    `--service-account-signing-key-file=${certs.serviceAccount.key}`,
    // The `kubernetes` Service's Endpoints are not kept by the API server (whose lease reconciler
    // would hold its stop for seconds): the node, whose pods call it, makes them (endpoints.ts).
    '--endpoint-reconciler-type=none',
    // Webhooks are called at their Service's endpoints (Knative's: INSIDE_ADDRESS), not at a ClusterIP.
    '--enable-aggregator-routing=true',
    // For the node (later): kubelets are dialled by address, with this client certificate.
    '--kubelet-preferred-address-types=InternalIP',
    `--kubelet-client-certificate=${certs.apiServerKubeletClient.cert}`,
    `--kubelet-client-key=${certs.apiServerKubeletClient.key}`,
    // What aggregated API servers and kube-controller-manager's delegated authentication read.
    `--requestheader-client-ca-file=${certs.frontProxyCa.cert}`,
    '--requestheader-allowed-names=front-proxy-client',
    '--requestheader-username-headers=X-Remote-User',
    '--requestheader-group-headers=X-Remote-Group',
    '--requestheader-extra-headers-prefix=X-Remote-Extra-',
    `--proxy-client-cert-file=${certs.frontProxyClient.cert}`,
    `--proxy-client-key-file=${certs.frontProxyClient.key}`,
    '--allow-privileged=true',
    '--profiling=false',
  ]);
  await waitFor(
    'kube-apiserver to be ready (/readyz)',
    async () => {
      const { status } = await apiRequest(api, 'GET', '/readyz');
      return status === 200 || undefined;
    },
    { timeoutMs: 60_000, intervalMs: 200, child: apiServer },
  );
  return apiServer;
}

/** Starts kube-controller-manager; nothing of Knative's start-up needs it, so see waitForControllerManager. */
export function startControllerManager(launch: Launch): Child {
  const { certificates: certs, paths } = launch;
  const kubeconfig = paths.inside.controllerManager;
  const controllerManager = startInside(launch, 'kube-controller-manager', launch.binaries['kube-controller-manager'], [
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    '--bind-address=127.0.0.1',
    `--cert-dir=${join(paths.pki, 'kube-controller-manager')}`,
    `--cluster-name=${paths.name}`,
    `--cluster-signing-cert-file=${certs.ca.cert}`,
    `--cluster-signing-key-file=${certs.ca.key}`,
    `--root-ca-file=${certs.ca.cert}`,
    `--service-account-private-key-file=${certs.serviceAccount.key}`,
    '--use-service-account-credentials=true',
    `--service-cluster-ip-range=${SERVICE_CIDR}`,
    '--leader-elect=false',
    '--profiling=false',
  ]);
  return controllerManager;
}

/** Its service account controller gives every namespace a `default` ServiceAccount: then it works. */
export async function waitForControllerManager(api: ApiConnection, controllerManager: Child): Promise<void> {
  await waitFor(
    'kube-controller-manager to create the default ServiceAccount',
    async () => {
      const { status } = await apiRequest(api, 'GET', '/api/v1/namespaces/default/serviceaccounts/default');
      return status === 200 || undefined;
    },
    { timeoutMs: 60_000, intervalMs: 200, child: controllerManager },
  );
}
