// The cluster's one sampling rate, said in three places that must agree (docs/sampling.md): Jaeger's
// strategy (jaeger/05-config.yaml), Knative's tracing-sampling-rate (knative/config-observability.yaml)
// and the ingress's own rate (Traefik's --tracing.sampleRate on the cluster here); and every deploy
// path's functions asking the collector Service's sampling port for that strategy.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { parse, parseAllDocuments } from 'yaml';
import { functionDirectory, REPOSITORY_ROOT } from '../tools/functions/run.ts';
import { type KubernetesObject, loadProjectManifests } from '../tools/knative/manifests.ts';

const objects = (await loadProjectManifests()).map((manifest) => manifest.object);
const redisObjects = (await loadProjectManifests(undefined, { counterStore: 'redis' })).map(
  (manifest) => manifest.object,
);
const find = (kind: string, name: string, among = objects) => {
  const object = among.find((candidate) => candidate.kind === kind && candidate.metadata.name === name);
  if (!object) throw new Error(`No ${kind} ${name}`);
  return object;
};
const dataOf = (object: KubernetesObject) => (object as unknown as { data: Record<string, string> }).data;

interface Strategies {
  default_strategy: { type: string; param: number; operation_strategies?: { operation: string; param: number }[] };
  service_strategies?: unknown[];
}
const jaegerConfig = dataOf(find('ConfigMap', 'jaeger'));
const strategies = JSON.parse(jaegerConfig['sampling-strategies.json'] ?? '') as Strategies;

test("Jaeger's strategy, Knative's rate and Traefik's rate are one probability", async (t) => {
  const probability = strategies.default_strategy.param;
  t.is(strategies.default_strategy.type, 'probabilistic');
  t.is(strategies.service_strategies, undefined, 'one strategy for every service');
  t.true((strategies.default_strategy.operation_strategies ?? []).length > 0, 'a per-operation part, for the package');
  for (const operation of strategies.default_strategy.operation_strategies ?? []) {
    t.is(operation.param, probability, `operation ${operation.operation}`);
  }
  t.is(Number(dataOf(find('ConfigMap', 'config-observability'))['tracing-sampling-rate']), probability);
  const traefik = parseAllDocuments(
    await readFile(join(REPOSITORY_ROOT, 'tools/cluster/traefik/traefik.yaml'), 'utf8'),
  ).map((document) => document.toJS() as KubernetesObject);
  const args = (
    find('Deployment', 'traefik', traefik).spec as { template: { spec: { containers: { args: string[] }[] } } }
  ).template.spec.containers[0]?.args;
  t.true(args?.includes(`--tracing.sampleRate=${probability}`), JSON.stringify(args));
});

test("Jaeger serves the strategies on the port its Deployment and collector Service name, from the ConfigMap's file", (t) => {
  const config = parse(jaegerConfig['config.yaml'] ?? '') as {
    service: { extensions: string[] };
    extensions: { remote_sampling: { file: { path: string }; http: { endpoint: string } } };
  };
  t.true(config.service.extensions.includes('remote_sampling'));
  t.is(config.extensions.remote_sampling.file.path, '/etc/jaeger/sampling-strategies.json');
  t.regex(config.extensions.remote_sampling.http.endpoint, /:5778$/);
  const pod = (
    find('Deployment', 'jaeger').spec as {
      template: {
        spec: {
          containers: {
            args: string[];
            ports: { name: string; containerPort: number }[];
            volumeMounts: { name: string; mountPath: string }[];
          }[];
          volumes: { name: string; configMap?: { name: string } }[];
        };
      };
    }
  ).template.spec;
  const [container] = pod.containers;
  t.deepEqual(container?.args, ['--config', '/etc/jaeger/config.yaml']);
  t.deepEqual(container?.ports.find((port) => port.name === 'sampling')?.containerPort, 5778);
  const mount = container?.volumeMounts.find((volume) => volume.mountPath === '/etc/jaeger');
  t.is(pod.volumes.find((volume) => volume.name === mount?.name)?.configMap?.name, 'jaeger');
  const servicePorts = (find('Service', 'jaeger-collector').spec as { ports: { port: number; targetPort: string }[] })
    .ports;
  t.like(
    servicePorts.find((port) => port.targetPort === 'sampling'),
    { port: 5778 },
  );
});

const SAMPLER = {
  OTEL_TRACES_SAMPLER: 'parentbased_jaeger_remote',
  OTEL_TRACES_SAMPLER_ARG:
    'endpoint=http://jaeger-collector.observability.svc.cluster.local:5778,pollingIntervalMs=60000,initialSamplingRate=1',
};

const envOf = (object: KubernetesObject) =>
  Object.fromEntries(
    (
      (object.spec as { template: { spec: { containers: { env: { name: string; value?: string }[] }[] } } }).template
        .spec.containers[0]?.env ?? []
    ).map(({ name, value }) => [name, value]),
  );

test("every deploy path's functions follow Jaeger's strategy at the collector Service, starting at its probability", async (t) => {
  for (const [where, object] of [
    ['knative/backend.yaml', find('Service', 'backend')],
    ['knative/frontend.yaml', find('Service', 'frontend')],
    ['redis/backend.yaml', find('Service', 'backend', redisObjects)],
  ] as const) {
    t.like(envOf(object), SAMPLER, where);
  }
  for (const name of ['backend', 'frontend'] as const) {
    const func = parse(await readFile(join(functionDirectory(name), 'func.yaml'), 'utf8')) as {
      run: { envs: { name: string; value: string }[] };
    };
    t.like(Object.fromEntries(func.run.envs.map(({ name: variable, value }) => [variable, value])), SAMPLER, name);
  }
  t.regex(SAMPLER.OTEL_TRACES_SAMPLER_ARG, new RegExp(`initialSamplingRate=${strategies.default_strategy.param}$`));
});
