// Knative Serving on the control plane: its install applied with kubectl (server-side); on a cluster
// without a node, its controller and webhook started as processes inside the namespace, each with the
// environment its Deployment gives it and a kubeconfig of its ServiceAccount's identity (with a node,
// they run in their pods: knative-on-node.ts).
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { KubernetesObject } from '../knative/manifests.ts';
import type { Child } from '../processes/process.ts';
import { waitFor } from '../processes/process.ts';
import { mustRun } from '../processes/run-command.ts';
import { type ApiConnection, apiRequest, getInside } from './api.ts';
import { KNATIVE_SERVING_MODULE_DIR } from './binaries.ts';
import { type Launch, startInside } from './control-plane.ts';
import { environmentOf, type KnativeInstall, loadKnativeInstall } from './knative-manifests.ts';

/** The field manager of what the cluster's start-up applies; `npm run deploy` has its own. */
export const INSTALL_FIELD_MANAGER = 'knative-tracing-counter-cluster';
export const WEBHOOK_PORT = 8443;
/** Where Knative's controller answers /readiness (its Deployment's `probes` port). */
export const CONTROLLER_PROBES_PORT = 8080;

export class KnativeStartError extends Error {
  override name = 'KnativeStartError';
}

/** Knative's install, its webhook run as a process at `webhookAddress` or (undefined) in its pod. */
export async function loadInstall(env: NodeJS.ProcessEnv, webhookAddress: string | undefined): Promise<KnativeInstall> {
  return loadKnativeInstall(KNATIVE_SERVING_MODULE_DIR, env, {
    webhookProcess: webhookAddress === undefined ? undefined : { address: webhookAddress, port: WEBHOOK_PORT },
  });
}

/** kubectl caches discovery per server address, and ours changes on every start: not under ~/.kube. */
export const kubectlEnv = (launch: Launch) => ({
  ...launch.env,
  KUBECACHEDIR: join(launch.paths.dir, 'kubectl-cache'),
});

export async function kubectlApply(launch: Launch, objects: readonly KubernetesObject[]): Promise<void> {
  await mustRun(
    launch.binaries.kubectl,
    [
      '--kubeconfig',
      launch.paths.kubeconfig,
      'apply',
      '--server-side',
      `--field-manager=${INSTALL_FIELD_MANAGER}`,
      '-f',
      '-',
    ],
    { input: objects.map((object) => stringify(object)).join('---\n'), env: kubectlEnv(launch) },
  );
}

/**
 * The CRDs and Kubernetes' own kinds first (the CRDs get established meanwhile), then, the CRDs
 * established, the objects of their kinds and, with `webhookConfigurations`, the webhook
 * configurations (last: from then on, the API server asks the webhook). Without, they wait for
 * applyWebhookConfigurations, once the webhook's pod runs.
 */
export async function applyKnativeInstall(
  launch: Launch,
  install: KnativeInstall,
  { webhookConfigurations }: { webhookConfigurations: boolean },
): Promise<void> {
  try {
    await kubectlApply(launch, [...install.crds, ...install.resources]);
    await mustRun(
      launch.binaries.kubectl,
      [
        '--kubeconfig',
        launch.paths.kubeconfig,
        'wait',
        '--for=condition=Established',
        '--timeout=60s',
        ...install.crds.map((crd) => `customresourcedefinition/${crd.metadata.name}`),
      ],
      { env: kubectlEnv(launch) },
    );
    await kubectlApply(launch, [
      ...install.customResources,
      ...(webhookConfigurations ? install.webhookConfigurations : []),
    ]);
  } catch (error) {
    throw new KnativeStartError(`Could not apply Knative Serving's install: ${(error as Error).message}`);
  }
}

/** Applies the webhook configurations, and waits until the webhook judges Services. */
export async function applyWebhookConfigurations(launch: Launch, install: KnativeInstall, api: ApiConnection) {
  await kubectlApply(launch, install.webhookConfigurations);
  await waitFor("Knative's webhook to refuse a bad Service", () => webhookRefuses(api), {
    timeoutMs: 90_000,
    intervalMs: 250,
  });
}

/** A Service Knative's webhook must refuse: an autoscaling annotation on the Service's own metadata. */
function refusedService(): KubernetesObject {
  return {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: {
      name: 'webhook-probe',
      namespace: 'default',
      annotations: { 'autoscaling.knative.dev/min-scale': '1' },
    },
    spec: { template: { spec: { containers: [{ image: 'dev.local/webhook-probe:1' }] } } },
  };
}

/** Whether the webhook judges Services: a dry-run create of a bad one is refused by Knative's webhook. */
async function webhookRefuses(api: ApiConnection): Promise<true | undefined> {
  const { status, body } = await apiRequest(
    api,
    'POST',
    '/apis/serving.knative.dev/v1/namespaces/default/services?dryRun=All',
    refusedService(),
  );
  const message = (body as { message?: string }).message ?? '';
  if (status >= 400 && status < 500 && /admission webhook ".*knative.dev" denied/.test(message)) return true;
  if (status < 300) throw new Error('the webhook does not judge Services yet (a bad Service was admitted)');
  throw new Error(`HTTP ${status}: ${message}`);
}

export async function startKnativeWebhook(launch: Launch, install: KnativeInstall, api: ApiConnection): Promise<Child> {
  const webhook = startInside(launch, 'knative-webhook', launch.binaries['knative-webhook'], [], {
    ...environmentOf(install.deployments.webhook, 'webhook-process'),
    KUBECONFIG: launch.paths.inside.knative,
    // In a pod each has its own network; here they share one, so the profiling ports must differ.
    PROFILING_PORT: '8009',
  });
  await waitFor("Knative's webhook to refuse a bad Service", () => webhookRefuses(api), {
    timeoutMs: 90_000,
    intervalMs: 250,
    child: webhook,
  });
  return webhook;
}

export async function startKnativeController(launch: Launch, install: KnativeInstall): Promise<Child> {
  const controller = startInside(launch, 'knative-controller', launch.binaries['knative-controller'], [], {
    ...environmentOf(install.deployments.controller, 'controller-process'),
    KUBECONFIG: launch.paths.inside.knative,
    PROFILING_PORT: '8008',
  });
  await waitFor(
    "Knative's controller to be ready (/readiness)",
    async () =>
      (await getInside(
        launch.paths.bridgeSocket,
        { host: '127.0.0.1', port: CONTROLLER_PROBES_PORT },
        '/readiness',
      )) === 200 || undefined,
    { timeoutMs: 90_000, intervalMs: 250, child: controller },
  );
  return controller;
}
