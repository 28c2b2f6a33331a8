// Knative Serving's own admission code (tools/knative/check, built by `npm run setup`) judges the
// manifests, what `npm run deploy -- --dry-run` prints and what kn writes for the
// `kn service create` commands of docs/deploy.md: admitted. Services and ConfigMaps broken
// in one way each, from the good ones, are refused with Knative's own message.
import test from 'ava';
import { parseAllDocuments } from 'yaml';
import { REPOSITORY_ROOT } from '../../tools/functions/run.ts';
import { servicesFromDocumentedCommands } from '../../tools/kn/documented-commands.ts';
import { checkObjects, type KnativeVerdict, requireChecker } from '../../tools/knative/checker.ts';
import { type KubernetesObject, loadProjectManifests } from '../../tools/knative/manifests.ts';
import { spawnChild } from '../../tools/processes/process.ts';
import { copyOf, type KnativeService, refusedServices } from '../helpers/knative-cases.ts';

const env = process.env;
const manifests = await loadProjectManifests();
const redisManifests = await loadProjectManifests(undefined, { counterStore: 'redis' });

const summary = ({ kind, namespace, name, allowed, message, warnings }: KnativeVerdict) =>
  `${kind} ${namespace}/${name}: ${allowed ? 'admitted' : 'refused'} ${JSON.stringify(message)}${warnings ? ` warnings ${JSON.stringify(warnings)}` : ''}`;

// An empty message means Knative validated the object; the other two say it did not look.
const expectedForProject = [
  'Namespace /observability: admitted "not a Knative object"',
  'ConfigMap observability/jaeger: admitted "not a Knative object"',
  'Deployment observability/jaeger: admitted "not a Knative object"',
  'Service observability/jaeger-collector: admitted "not a Knative object"',
  'Service observability/jaeger-query: admitted "not a Knative object"',
  'ConfigMap knative-serving/config-observability: admitted ""',
  'Service default/backend: admitted ""',
  'Service default/frontend: admitted ""',
];

// The counter's Redis mode: Redis (not Knative's to judge) and the backend's Service for it.
const expectedForRedisMode = [
  'Namespace /observability: admitted "not a Knative object"',
  'ConfigMap observability/jaeger: admitted "not a Knative object"',
  'Deployment observability/jaeger: admitted "not a Knative object"',
  'Service observability/jaeger-collector: admitted "not a Knative object"',
  'Service observability/jaeger-query: admitted "not a Knative object"',
  'Deployment default/redis: admitted "not a Knative object"',
  'NetworkPolicy default/redis: admitted "not a Knative object"',
  'Service default/redis: admitted "not a Knative object"',
  'ConfigMap knative-serving/config-observability: admitted ""',
  'Service default/backend: admitted ""',
  'Service default/frontend: admitted ""',
];

test('the checker is built (npm run setup builds it)', async (t) => {
  await t.notThrowsAsync(requireChecker(env));
});

test('the Services kn writes for the documented commands are admitted, without warnings', async (t) => {
  const verdicts = await checkObjects(await servicesFromDocumentedCommands(env), env);
  t.deepEqual(verdicts.map(summary), ['Service default/backend: admitted ""', 'Service default/frontend: admitted ""']);
});

test('every manifest is admitted; those in knative/ are validated by Knative, without warnings', async (t) => {
  const verdicts = await checkObjects(
    manifests.map(({ object }) => object),
    env,
  );
  t.deepEqual(verdicts.map(summary), expectedForProject);
});

test('in Redis mode too, every manifest is admitted; the backend variant validated by Knative, without warnings', async (t) => {
  const verdicts = await checkObjects(
    redisManifests.map(({ object }) => object),
    env,
  );
  t.deepEqual(verdicts.map(summary), expectedForRedisMode);
});

for (const [registry, counterStore] of [
  [undefined, 'memory'],
  ['registry.example/alice', 'memory'],
  ['registry.example/alice', 'redis'],
] as const) {
  const args = [
    '--dry-run',
    ...(registry ? ['--registry', registry] : []),
    ...(counterStore === 'redis' ? ['--counter-store', 'redis'] : []),
  ];
  const planned = counterStore === 'redis' ? redisManifests : manifests;
  const expected = counterStore === 'redis' ? expectedForRedisMode : expectedForProject;
  test(`what \`npm run deploy -- ${args.join(' ')}\` prints is admitted`, async (t) => {
    const deploy = spawnChild('deploy', process.execPath, ['tools/commands/deploy.ts', ...args], {
      cwd: REPOSITORY_ROOT,
      env: { PATH: env.PATH },
    });
    t.teardown(() => deploy.stop('SIGKILL'));
    t.is((await deploy.exited).code, 0, deploy.output());
    const printed = parseAllDocuments(deploy.output()).map((document) => document.toJS() as KubernetesObject);
    const imageOf = (object: KubernetesObject) => (object as KnativeService).spec.template.spec.containers[0].image;
    const knativeServices = (objects: KubernetesObject[]) =>
      objects.filter((object) => object.apiVersion === 'serving.knative.dev/v1');
    t.deepEqual(
      knativeServices(printed).map(imageOf),
      knativeServices(planned.map(({ object }) => object))
        .map(imageOf)
        .map((image) => (registry ? String(image).replace(/^knative-tracing-counter\//, `${registry}/`) : image)),
      'the dry run printed the images it would deploy',
    );
    t.deepEqual((await checkObjects(printed, env)).map(summary), expected);
  });
}

for (const { title, name, change, message } of refusedServices) {
  test(`Knative refuses a Service with ${title}`, async (t) => {
    const service = copyOf<KnativeService>(manifests, 'Service', name);
    change(service);
    t.like((await checkObjects([service], env))[0], { name, allowed: false, message });
  });
}

test('Knative admits a container without our securityContext, with its warning', async (t) => {
  const service = copyOf<KnativeService>(manifests, 'Service', 'backend');
  delete service.spec.template.spec.containers[0].securityContext;
  t.like((await checkObjects([service], env))[0], {
    allowed: true,
    warnings: [
      'Kubernetes default value is insecure, Knative may default this to secure in a future release: spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation, spec.template.spec.containers[0].securityContext.capabilities, spec.template.spec.containers[0].securityContext.runAsNonRoot, spec.template.spec.containers[0].securityContext.seccompProfile',
    ],
  });
});

const observabilityCases: { data: Record<string, string>; allowed: boolean; message: string }[] = [
  { data: {}, allowed: true, message: '' },
  {
    data: { 'tracing-sampling-rate': '1.5' },
    allowed: false,
    message: 'validation failed: sampling rate 1.500000 should be less than or equal to one',
  },
  {
    data: { 'tracing-sampling-rate': 'all' },
    allowed: false,
    message:
      'validation failed: failed to parse "tracing-sampling-rate": strconv.ParseFloat: parsing "all": invalid syntax',
  },
  {
    data: { 'tracing-protocol': 'zipkin' },
    allowed: false,
    message: 'validation failed: unsupported protocol "zipkin"',
  },
  {
    data: { 'tracing-endpoint': '' },
    allowed: false,
    message: 'validation failed: endpoint should be set for protocol "grpc"',
  },
];

for (const { data, allowed, message } of observabilityCases) {
  test(`config-observability with ${JSON.stringify(data)} is ${allowed ? 'admitted' : 'refused'}`, async (t) => {
    const configMap = copyOf<KubernetesObject & { data: Record<string, string> }>(
      manifests,
      'ConfigMap',
      'config-observability',
    );
    Object.assign(configMap.data, data);
    t.like((await checkObjects([configMap], env))[0], { allowed, message });
  });
}

test('a ConfigMap in knative-serving that Knative has no validation for passes unvalidated', async (t) => {
  const configMap = copyOf(manifests, 'ConfigMap', 'config-observability');
  configMap.metadata.name = 'config-tracing-counter';
  t.like((await checkObjects([configMap], env))[0], {
    allowed: true,
    message: 'not validated by Knative: no config validation for this name',
  });
});

test('a ConfigMap with a misspelt key is refused before Knative sees it', async (t) => {
  const configMap = copyOf(manifests, 'ConfigMap', 'config-observability');
  configMap.date = configMap.data;
  delete configMap.data;
  t.like((await checkObjects([configMap], env))[0], {
    allowed: false,
    message: 'strict decoding error: unknown field "date"',
  });
});
