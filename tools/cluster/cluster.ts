// A Kubernetes control plane with Knative Serving, and on request a node that runs pods (node/),
// started on this machine inside a network namespace of its own, and stopped again leaving nothing
// behind. `npm run cluster -- up [--node]` and the tests use it:
//   const cluster = await startCluster({ name: 'my-test', env: process.env, node: true });
//   ... KUBECONFIG=cluster.kubeconfig ...
//   await cluster.stop();
import { join } from 'node:path';
import { type Child, waitFor } from '../processes/process.ts';
import { type ApiConnection, apiConnection, apiRequest, createUnlessPresent } from './api.ts';
import {
  ensureClusterBinaries,
  ensureNodeBinaries,
  type NodeBinaries,
  requireClusterBinaries,
  requireNodeBinaries,
} from './binaries.ts';
import { forwardPortInside, type HostPort, startInsideBridge, type Target } from './bridge.ts';
import { type ClusterCertificates, createClusterCertificates, KUBELET_API_CLIENT } from './certificates.ts';
import {
  API_SERVER_PORT,
  KUBERNETES_SERVICE_IP,
  type Launch,
  startApiServer,
  startControllerManager,
  startEtcd,
  waitForControllerManager,
} from './control-plane.ts';
import { processEndpoints } from './endpoints.ts';
import {
  applyKnativeInstall,
  kubectlApply,
  loadInstall,
  startKnativeController,
  startKnativeWebhook,
} from './knative.ts';
import { configureKnative, startKnativeOnNode, TRAEFIK_NAMESPACE } from './knative-on-node.ts';
import { writeKubeconfig } from './kubeconfig.ts';
import { ClusterRunningError, cleanUpCluster } from './leftovers.ts';
import { createNamespace, INSIDE_ADDRESS, namespacePids } from './netns.ts';
import { killCgroupProcessesSync } from './node/cgroups.ts';
import { cgroupRootOf, cleanUpNode } from './node/clean-up.ts';
import { NODE_IMAGES, PAUSE_IMAGE } from './node/images.ts';
import { type PushedImage, startNode } from './node/node.ts';
import { checkClusterName } from './options.ts';
import { type ClusterPaths, clusterPaths, isRunning, prepareStateFolders, readRecord, writeRecord } from './state.ts';
import { Teardown } from './teardown.ts';

export interface ClusterStartOptions {
  name: string;
  env: NodeJS.ProcessEnv;
  /** Each step as it ends, with its time. */
  progress?: (line: string) => void;
  /** Build the programs that are missing (with progress) instead of failing. */
  build?: boolean;
  /** Whether the caller is `npm run cluster -- up` (then `down` may stop it with SIGTERM). */
  ownerIsCommand?: boolean;
  /**
   * Whether stop() removes the state folder (certificates, kubeconfig, logs); by default only when the
   * owner is not the command: tests name a cluster per run, and their folders would pile up.
   */
  removeStateOnStop?: boolean;
  /** false: Kubernetes alone, without Knative Serving (for what a tool does on such a cluster). */
  knative?: boolean;
  /**
   * false: Knative starts with config-observability as released (no tracing), as on a cluster that
   * knative/config-observability.yaml has not reached yet. Default true: its tracing keys are set
   * before Knative's pods start, which read them then.
   */
  tracing?: boolean;
  /**
   * true: a real node too (containerd, kubelet, kube-scheduler, kube-proxy, CoreDNS) and the cluster's
   * registry; pods run. With Knative, all of Knative Serving and Traefik run there, and both functions'
   * images are pushed to the registry as <registry>/<function>:<version> (without Knative, the
   * backend's only). Default false: pods stay Pending, and it starts faster.
   */
  node?: boolean;
}

export interface RunningCluster {
  name: string;
  namespace: string;
  /** The admin kubeconfig for this machine. */
  kubeconfig: string;
  /** https://127.0.0.1:<port> */
  server: string;
  /** The kubectl built with the cluster (v1.34.4). */
  kubectl: string;
  paths: ClusterPaths;
  /** The node's name, when started with `node: true`. */
  node?: string;
  /**
   * With a node: the cluster's registry (host:port, reached inside the namespace, over TLS with the
   * cluster's CA) and the functions' images pushed to it.
   */
  registry?: { name: string; images: readonly PushedImage[]; certDir: string };
  /** Traefik's public entrypoint (Knative's ingress) inside, when started with a node and Knative. */
  ingress?: Target;
  /** The processes, in start order. */
  processes: readonly Child[];
  /** Settles with the first process that exits, on its own or because stop() stopped it. */
  unexpectedExit: Promise<Child>;
  /** A port on this machine's loopback (chosen free) that leads to `target` inside; closed by stop(). */
  expose(target: Target): Promise<HostPort>;
  /** Stops every process in reverse start order, removes the namespace; safe to call twice. */
  stop(): Promise<void>;
}

const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

export async function startCluster(options: ClusterStartOptions): Promise<RunningCluster> {
  const { env, progress = () => {} } = options;
  const name = checkClusterName(options.name);
  const paths = clusterPaths(name, env);
  const record = await readRecord(paths);
  if (record && (await isRunning(record.ownerPid))) {
    throw new ClusterRunningError(
      `The cluster "${name}" runs already (process ${record.ownerPid}, ${record.server}): stop it with \`npm run cluster -- down --name ${name}\`, or choose another --name.`,
    );
  }
  await cleanUpCluster(paths, progress);

  const step = async <T>(what: string, run: () => Promise<T>): Promise<T> => {
    const started = Date.now();
    const result = await run();
    progress(`  ${what} (${seconds(started)})`);
    return result;
  };
  const binaries = options.build ? await ensureClusterBinaries(env, progress) : await requireClusterBinaries(env);
  let nodeBinaries: NodeBinaries | undefined;
  if (options.node) {
    nodeBinaries = options.build ? await ensureNodeBinaries(env, progress) : await requireNodeBinaries(env);
  }
  const withKnative = options.knative !== false;
  // With a node, Knative runs as released: every part in its pod. Without, its controller and webhook
  // run as processes, so that Services are admitted and reconciled.
  const knativeOnNode = withKnative && options.node === true;
  const install = await step("read Knative Serving's install from the Go module cache", () =>
    loadInstall(env, knativeOnNode ? undefined : INSIDE_ADDRESS),
  );
  await configureKnative(install, { tracing: knativeOnNode && options.tracing !== false });

  const teardown = new Teardown(paths, progress, {
    removeState: options.removeStateOnStop ?? !options.ownerIsCommand,
  });
  if (options.node) {
    teardown.onExitKill(() => killCgroupProcessesSync(cgroupRootOf(paths)));
    teardown.onCleanUp(async () => {
      const killed = await cleanUpNode(paths);
      progress(`  removed the node's cgroups and state${killed > 0 ? ` (killed ${killed} processes of pods)` : ''}`);
    });
  }
  const expose = async (target: Target) => {
    const hostPort = await forwardPortInside(paths.bridgeSocket, target);
    teardown.onStop(hostPort.close);
    return hostPort;
  };
  try {
    await prepareStateFolders(paths);
    await step(`network namespace ${paths.namespace} (loopback, ${INSIDE_ADDRESS})`, () =>
      createNamespace(paths.namespace),
    );
    const certificates = await step('certificates', () =>
      createClusterCertificates(paths.pki, {
        clusterName: name,
        apiServerIps: ['127.0.0.1', INSIDE_ADDRESS, KUBERNETES_SERVICE_IP],
      }),
    );
    const launchEnv = { PATH: env.PATH, HOME: env.HOME };
    const launch: Launch = { paths, binaries, certificates, env: launchEnv, processes: teardown.processes };
    const server = await step('bridge to the API server', async () => {
      const bridge = startInsideBridge(paths.namespace, paths.bridgeSocket, {
        env: launchEnv,
        logFile: join(paths.logs, 'bridge.log'),
      });
      teardown.processes.push(bridge);
      await waitFor('the bridge to listen', async () => bridge.output().includes('listening') || undefined, {
        timeoutMs: 10_000,
        child: bridge,
      });
      return `https://127.0.0.1:${(await expose({ host: '127.0.0.1', port: API_SERVER_PORT })).port}`;
    });
    await writeKubeconfigs(paths, server, certificates);
    await writeRecord(paths, {
      ownerPid: process.pid,
      ownerIsCommand: options.ownerIsCommand ?? false,
      namespace: paths.namespace,
      server,
      startedAt: new Date().toISOString(),
    });
    const api = await apiConnection(server, { ca: certificates.ca.cert, ...certificates.admin });

    await step('etcd', () => startEtcd(launch));
    await step('kube-apiserver', () => startApiServer(launch, api));
    await step("the API server's kubelet client bound to the kubelet API's role", () => bindKubeletApiClient(api));
    // Nothing of Knative's start-up needs it: it gets ready meanwhile.
    const controllerManager = startControllerManager(launch);
    if (knativeOnNode) {
      await step("Knative Serving's CRDs, RBAC and config", () =>
        applyKnativeInstall(launch, install, { webhookConfigurations: false }),
      );
    } else if (withKnative) {
      await step("Knative Serving's CRDs, RBAC, config and webhook configurations", () =>
        applyKnativeInstall(launch, install, { webhookConfigurations: true }),
      );
      await step("Knative's webhook", () => startKnativeWebhook(launch, install, api));
      await step("Knative's controller", () => startKnativeController(launch, install));
    }
    await step('kube-controller-manager, its ServiceAccounts made', () =>
      waitForControllerManager(api, controllerManager),
    );
    const node = nodeBinaries
      ? await startNode(launch, api, {
          binaries: nodeBinaries,
          functions: withKnative ? ['backend', 'frontend'] : ['backend'],
          images: withKnative ? NODE_IMAGES.filter((image) => image !== PAUSE_IMAGE) : [],
          env,
          step,
          progress,
        })
      : undefined;
    if (node) {
      await step('the `kubernetes` Service led to the API server, for pods', () =>
        kubectlApply(
          launch,
          processEndpoints({
            service: 'kubernetes',
            namespace: 'default',
            address: INSIDE_ADDRESS,
            port: API_SERVER_PORT,
            portName: 'https',
          }),
        ),
      );
    }
    let ingress: Target | undefined;
    if (knativeOnNode) {
      await step("Knative's controller, webhook, activator and autoscaler, and Traefik, in their pods", () =>
        startKnativeOnNode(launch, install, api),
      );
      ingress = await traefikAddress(api);
    }
    const pushed = await node?.functionImages;

    const processes = teardown.processes;
    return {
      name,
      namespace: paths.namespace,
      kubeconfig: paths.kubeconfig,
      server,
      kubectl: binaries.kubectl,
      paths,
      ...(node
        ? { node: node.name, registry: { name: node.registry, images: pushed ?? [], certDir: node.registryCertDir } }
        : {}),
      ...(ingress ? { ingress } : {}),
      processes,
      unexpectedExit: Promise.race(processes.map((child) => child.exited.then(() => child))),
      expose,
      stop: () => teardown.stop(),
    };
  } catch (error) {
    await teardown.stop();
    throw error;
  }
}

/** The admin's kubeconfig for this machine, and those of the processes inside the namespace. */
async function writeKubeconfigs(paths: ClusterPaths, server: string, certificates: ClusterCertificates): Promise<void> {
  const inside = `https://127.0.0.1:${API_SERVER_PORT}`;
  const common = { name: paths.name, caFile: certificates.ca.cert };
  await writeKubeconfig(paths.kubeconfig, { ...common, server, client: certificates.admin });
  await writeKubeconfig(paths.inside.controllerManager, {
    ...common,
    server: inside,
    client: certificates.controllerManager,
  });
  await writeKubeconfig(paths.inside.knative, { ...common, server: inside, client: certificates.knative });
  await writeKubeconfig(paths.inside.admin, { ...common, server: inside, client: certificates.admin });
}

/**
 * The API server reaches kubelets (logs, exec, port-forward) as KUBELET_API_CLIENT, which kubelet
 * authorizes through the API server: Kubernetes' own system:kubelet-api-admin role, and nothing more,
 * as kubeadm binds it (its certificate once was system:masters, every right in the cluster).
 */
async function bindKubeletApiClient(api: ApiConnection): Promise<void> {
  const binding = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: KUBELET_API_CLIENT },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:kubelet-api-admin' },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: KUBELET_API_CLIENT }],
  };
  const refused = await createUnlessPresent(api, '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', binding);
  if (refused) throw new Error(`Could not bind the API server's kubelet client: ${refused}`);
}

/** The ClusterIP and port of Traefik's public Service. */
async function traefikAddress(api: ApiConnection): Promise<Target> {
  const { status, body } = await apiRequest(api, 'GET', `/api/v1/namespaces/${TRAEFIK_NAMESPACE}/services/traefik`);
  const spec = (body as { spec?: { clusterIP?: string; ports?: { port: number }[] } }).spec;
  if (status !== 200 || !spec?.clusterIP || !spec.ports?.[0]) {
    throw new Error(`Traefik's Service has no ClusterIP and port: HTTP ${status} ${JSON.stringify(body)}`);
  }
  return { host: spec.clusterIP, port: spec.ports[0].port };
}

/** The ids of the processes inside the cluster's namespace. */
export function clusterPids(cluster: RunningCluster): Promise<number[]> {
  return namespacePids(cluster.namespace);
}
