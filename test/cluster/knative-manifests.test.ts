// What the cluster applies of Knative Serving's own install, read from the Go module zips: every CRD
// (serving's, and the ones its repository links in from knative.dev/networking and knative.dev/caching),
// no Deployment, a selector-less `webhook` Service whose Endpoints lead to the webhook process, and the
// environment each process gets from its Deployment; with a node, the webhook's Service as released.
import test from 'ava';
import { loadInstall, WEBHOOK_PORT } from '../../tools/cluster/knative.ts';
import { environmentOf } from '../../tools/cluster/knative-manifests.ts';
import { INSIDE_ADDRESS } from '../../tools/cluster/netns.ts';

const install = await loadInstall(process.env, INSIDE_ADDRESS);
const named = (kind: string, name: string) =>
  install.resources.find((object) => object.kind === kind && object.metadata.name === name);

test('every CRD Knative Serving needs, with those module zips drop as symlinks', (t) => {
  t.deepEqual(install.crds.map((crd) => crd.metadata.name).sort(), [
    'certificates.networking.internal.knative.dev',
    'clusterdomainclaims.networking.internal.knative.dev',
    'configurations.serving.knative.dev',
    'domainmappings.serving.knative.dev',
    'images.caching.internal.knative.dev',
    'ingresses.networking.internal.knative.dev',
    'metrics.autoscaling.internal.knative.dev',
    'podautoscalers.autoscaling.internal.knative.dev',
    'revisions.serving.knative.dev',
    'routes.serving.knative.dev',
    'serverlessservices.networking.internal.knative.dev',
    'services.serving.knative.dev',
  ]);
  t.deepEqual(install.customResources.map((object) => object.kind).sort(), ['Certificate', 'Image']);
  t.truthy(named('ConfigMap', 'config-network'), "config-network, from knative.dev/networking's zip");
});

test('no Deployment, HPA or PDB: the controller and webhook run as processes', (t) => {
  const kinds = new Set(install.resources.map((object) => object.kind));
  for (const kind of ['Deployment', 'HorizontalPodAutoscaler', 'PodDisruptionBudget']) t.false(kinds.has(kind), kind);
  t.is(install.webhookConfigurations.length, 3);
});

test("the webhook Service has no selector, and its Endpoints and EndpointSlice lead to the webhook's address", (t) => {
  const spec = named('Service', 'webhook')?.spec as { selector?: unknown; ports: { name: string }[] } | undefined;
  t.deepEqual(
    spec?.ports.map((port) => port.name),
    ['http-metrics', 'http-profiling', 'https-webhook'],
  );
  t.false(spec === undefined || 'selector' in spec);
  t.deepEqual(named('EndpointSlice', 'webhook-process')?.endpoints, [
    { addresses: [INSIDE_ADDRESS], conditions: { ready: true } },
  ]);
  t.deepEqual(named('Endpoints', 'webhook')?.subsets, [
    { addresses: [{ ip: INSIDE_ADDRESS }], ports: [{ name: 'https-webhook', port: WEBHOOK_PORT, protocol: 'TCP' }] },
  ]);
});

test('each process gets the environment its Deployment gives its container', (t) => {
  const common = {
    SYSTEM_NAMESPACE: 'knative-serving',
    CONFIG_LOGGING_NAME: 'config-logging',
    CONFIG_OBSERVABILITY_NAME: 'config-observability',
  };
  t.deepEqual(environmentOf(install.deployments.controller, 'c'), { POD_NAME: 'c', ...common });
  t.deepEqual(environmentOf(install.deployments.webhook, 'w'), {
    POD_NAME: 'w',
    ...common,
    WEBHOOK_NAME: 'webhook',
    WEBHOOK_PORT: String(WEBHOOK_PORT),
  });
});

test('with a node, Knative runs as released: the webhook Service keeps its selector, and no Endpoints of ours', async (t) => {
  const onNode = await loadInstall(process.env, undefined);
  const webhook = onNode.resources.find((object) => object.kind === 'Service' && object.metadata.name === 'webhook');
  t.deepEqual((webhook?.spec as { selector?: unknown } | undefined)?.selector, { app: 'webhook', role: 'webhook' });
  t.false(onNode.resources.some((object) => /^Endpoint/.test(object.kind)));
  t.deepEqual(Object.keys(onNode.deployments).sort(), ['activator', 'autoscaler', 'controller', 'webhook']);
});
