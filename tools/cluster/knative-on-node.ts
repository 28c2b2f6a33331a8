// Knative Serving on the node: the controller's, webhook's, activator's and autoscaler's own
// Deployments from serving's config/core with our images in place of ko://, queue-proxy (the sidecar
// of every revision's pod) from our image through config-deployment, and Traefik
// (traefik/traefik.yaml) as the networking layer, chosen in config-network; config-domain gives public Services a domain
// (example.com) that Traefik serves, since Knative's default domain is cluster-local; and
// knative/config-observability.yaml's tracing keys are set before the activator starts, since
// Knative's pods read them when they start. The controller trusts the cluster's CA for the cluster's
// registry as Knative documents it for a registry with a private CA: the CA in an object of
// knative-serving, mounted into the controller, SSL_CERT_DIR pointing at it.
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { REPOSITORY_ROOT } from '../functions/run.ts';
import { type KubernetesObject, readManifests } from '../knative/manifests.ts';
import { mustRun } from '../processes/run-command.ts';
import type { ApiConnection } from './api.ts';
import type { Launch } from './control-plane.ts';
import { applyWebhookConfigurations, kubectlApply, kubectlEnv } from './knative.ts';
import { KNATIVE_NAMESPACE, type KnativeInstall, objectsOf } from './knative-manifests.ts';
import { KNATIVE_IMAGES, TRAEFIK_IMAGE } from './node/images.ts';
import { KIND_REGISTRY } from './node/registry.ts';

export const INGRESS_CLASS = 'traefik.ingress.networking.knative.dev';
/** Public Knative Services get http://<name>.<namespace>.example.com. */
export const DOMAIN = 'example.com';
export const TRAEFIK_NAMESPACE = 'traefik';

/**
 * Knative's shortest autoscaling windows, as YAML to apply: an idle Service goes to zero in seconds
 * rather than a minute, for the tests and the benchmark that wait for it.
 */
export const QUICK_SCALE_TO_ZERO = stringify({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'config-autoscaler', namespace: 'knative-serving' },
  data: { 'stable-window': '6s', 'scale-to-zero-grace-period': '6s', 'scale-to-zero-pod-retention-period': '0s' },
});
const TRAEFIK_MANIFEST = join(dirname(fileURLToPath(import.meta.url)), 'traefik', 'traefik.yaml');

export class KnativeOnNodeError extends Error {
  override name = 'KnativeOnNodeError';
}

function configMap(install: KnativeInstall, name: string): { data?: Record<string, string> } {
  const found = install.resources.find((object) => object.kind === 'ConfigMap' && object.metadata.name === name);
  if (!found) throw new KnativeOnNodeError(`Knative Serving's install has no ConfigMap ${name}.`);
  return found as { data?: Record<string, string> };
}

/**
 * Sets the queue-proxy image, the ingress class and the domain in the install's ConfigMaps, and with
 * `tracing` (when pods run) the tracing keys.
 */
export async function configureKnative(install: KnativeInstall, { tracing }: { tracing: boolean }): Promise<void> {
  const set = (name: string, values: Record<string, string>) => {
    const map = configMap(install, name);
    map.data = { ...map.data, ...values };
  };
  const deployment = configMap(install, 'config-deployment').data ?? {};
  set('config-deployment', {
    'queue-sidecar-image': KNATIVE_IMAGES.queue.name,
    // As kn quickstart's kind cluster: its local registry's tags are used as they are.
    'registries-skipping-tag-resolving': [
      deployment['registries-skipping-tag-resolving'] ?? 'kind.local,ko.local,dev.local',
      KIND_REGISTRY,
    ].join(','),
  });
  set('config-network', { 'ingress-class': INGRESS_CLASS });
  set('config-domain', { [DOMAIN]: '' });
  if (tracing) {
    // The same keys `npm run deploy` applies, read as it reads them.
    const observability = (await readManifests(join(REPOSITORY_ROOT, 'knative'))).find(
      ({ object }) => object.kind === 'ConfigMap' && object.metadata.name === 'config-observability',
    );
    if (!observability) throw new KnativeOnNodeError('knative/ has no ConfigMap config-observability.');
    set('config-observability', (observability.object as { data?: Record<string, string> }).data ?? {});
  }
}

function withImage(deployment: KubernetesObject, image: string): KubernetesObject {
  const copy = structuredClone(deployment);
  const containers = (copy.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec
    .containers;
  const [container] = containers;
  if (!container) throw new KnativeOnNodeError(`${deployment.metadata.name}'s Deployment has no container.`);
  container.image = image;
  return copy;
}

async function traefikObjects(): Promise<KubernetesObject[]> {
  return (await objectsOf(TRAEFIK_MANIFEST)).map((object) =>
    object.kind === 'Deployment' ? withImage(object, TRAEFIK_IMAGE.name) : object,
  );
}

const KNATIVE_DEPLOYMENTS = ['controller', 'webhook', 'activator', 'autoscaler'] as const;

/** The ConfigMap of CA certificates Knative's controller trusts when it resolves tags to digests. */
export const CUSTOM_CERTS = 'custom-certs';
const CUSTOM_CERTS_DIR = '/etc/custom-certs';

/**
 * The CA as a ConfigMap, and the controller's Deployment with it mounted and SSL_CERT_DIR set (Go's
 * crypto/x509 then reads its roots from there; the controller's FROM scratch image has no others).
 */
export function trustingCa(controller: KubernetesObject, caPem: string): KubernetesObject[] {
  const certs = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: CUSTOM_CERTS, namespace: KNATIVE_NAMESPACE },
    data: { 'ca.crt': caPem },
  };
  const copy = structuredClone(controller);
  const pod = (copy.spec as { template: { spec: PodSpec } }).template.spec;
  const [container] = pod.containers;
  if (!container) throw new KnativeOnNodeError("Knative's controller Deployment has no container.");
  pod.volumes = [...(pod.volumes ?? []), { name: CUSTOM_CERTS, configMap: { name: CUSTOM_CERTS } }];
  container.volumeMounts = [
    ...(container.volumeMounts ?? []),
    { name: CUSTOM_CERTS, mountPath: CUSTOM_CERTS_DIR, readOnly: true },
  ];
  container.env = [...(container.env ?? []), { name: 'SSL_CERT_DIR', value: CUSTOM_CERTS_DIR }];
  return [certs as KubernetesObject, copy];
}

interface PodSpec {
  volumes?: unknown[];
  containers: { env?: unknown[]; volumeMounts?: unknown[] }[];
}

/** Knative's Deployments with our images (the controller trusting the cluster's CA), and Traefik's objects. */
async function nodeObjects(install: KnativeInstall, caFile: string): Promise<KubernetesObject[]> {
  const [certs, controller] = trustingCa(
    withImage(install.deployments.controller, KNATIVE_IMAGES.controller.name),
    await readFile(caFile, 'utf8'),
  ) as [KubernetesObject, KubernetesObject];
  return [
    certs,
    controller,
    ...KNATIVE_DEPLOYMENTS.filter((name) => name !== 'controller').map((name) =>
      withImage(install.deployments[name], KNATIVE_IMAGES[name].name),
    ),
    ...(await traefikObjects()),
  ];
}

/**
 * Applies Knative's Deployments and Traefik, waits until they are available, then applies the
 * webhook configurations and waits until the webhook judges Services.
 */
export async function startKnativeOnNode(launch: Launch, install: KnativeInstall, api: ApiConnection): Promise<void> {
  try {
    await kubectlApply(launch, await nodeObjects(install, launch.certificates.ca.cert));
    const wait = (namespace: string, names: string[]) =>
      mustRun(
        launch.binaries.kubectl,
        [
          '--kubeconfig',
          launch.paths.kubeconfig,
          'wait',
          '--for=condition=Available',
          '--timeout=120s',
          '-n',
          namespace,
          ...names.map((name) => `deployment/${name}`),
        ],
        { env: kubectlEnv(launch) },
      );
    await wait(KNATIVE_NAMESPACE, [...KNATIVE_DEPLOYMENTS]);
    await wait(TRAEFIK_NAMESPACE, ['traefik']);
    await applyWebhookConfigurations(launch, install, api);
  } catch (error) {
    throw new KnativeOnNodeError(`Knative or Traefik did not start on the node: ${(error as Error).message}`);
  }
}
