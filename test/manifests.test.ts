// The manifests in jaeger/ and knative/, the func.yaml files and the Dockerfiles: validated against
// the Kubernetes and Knative schemas, and checked for what the deploy paths promise.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { parse } from 'yaml';
import { REDIS_PASSWORD_SECRET } from '../tools/deploy/redis-secret.ts';
import { functionDirectory, REPOSITORY_ROOT } from '../tools/functions/run.ts';
import { JAEGER_VERSION } from '../tools/jaeger/binary.ts';
import {
  type KubernetesObject,
  loadProjectManifests,
  ManifestError,
  validateManifest,
} from '../tools/knative/manifests.ts';

const manifests = await loadProjectManifests();
const objects = manifests.map((manifest) => manifest.object);
const redisManifests = await loadProjectManifests(undefined, { counterStore: 'redis' });
const redisObjects = redisManifests.map((manifest) => manifest.object);

function find(kind: string, name: string): KubernetesObject {
  const object = objects.find((candidate) => candidate.kind === kind && candidate.metadata.name === name);
  if (!object) throw new Error(`No ${kind} ${name} in jaeger/ or knative/`);
  return object;
}

interface Container {
  image: string;
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  ports?: { containerPort: number; name?: string }[];
  readinessProbe?: { httpGet?: { path: string; port: number | string } };
  livenessProbe?: { httpGet?: { path: string; port: number | string } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: Record<string, unknown>;
}

interface PodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: {
    containers: Container[];
    timeoutSeconds?: number;
    containerConcurrency?: number;
    securityContext?: Record<string, unknown>;
  };
}

const templateOf = (object: KubernetesObject) => (object.spec as { template: PodTemplate }).template;
const containerOf = (object: KubernetesObject) => {
  const [container] = templateOf(object).spec.containers;
  if (!container) throw new Error(`${object.metadata.name} has no container`);
  return container;
};
const envOf = (container: Container) =>
  Object.fromEntries((container.env ?? []).map(({ name, value }) => [name, value]));
/** The variables a container takes from a Secret, and from which Secret and key. */
const secretEnvOf = (container: Container) =>
  Object.fromEntries(
    (container.env ?? []).flatMap(({ name, valueFrom }) =>
      valueFrom?.secretKeyRef ? [[name, valueFrom.secretKeyRef]] : [],
    ),
  );

const rootPackage = JSON.parse(await readFile(join(REPOSITORY_ROOT, 'package.json'), 'utf8')) as {
  devDependencies: Record<string, string>;
};
const functionVersion = async (name: string) =>
  (
    JSON.parse(await readFile(join(functionDirectory(name as 'backend'), 'package.json'), 'utf8')) as {
      version: string;
    }
  ).version;

test("every manifest validates against its schema, Namespaces first, Knative's tracing keys before any Knative Service", (t) => {
  t.deepEqual(
    manifests.map(({ file, object }) => `${file} ${object.kind} ${object.metadata.name}`),
    [
      'jaeger/00-namespace.yaml Namespace observability',
      'jaeger/05-config.yaml ConfigMap jaeger',
      'jaeger/10-deployment.yaml Deployment jaeger',
      'jaeger/20-collector-service.yaml Service jaeger-collector',
      'jaeger/30-query-service.yaml Service jaeger-query',
      'knative/config-observability.yaml ConfigMap config-observability',
      'knative/backend.yaml Service backend',
      'knative/frontend.yaml Service frontend',
    ],
  );
});

test('a manifest the schema refuses is reported with its file and object', (t) => {
  const broken = structuredClone(find('Service', 'backend'));
  (templateOf(broken).spec as { timeoutSeconds: unknown }).timeoutSeconds = 'thirty';
  t.throws(() => validateManifest({ file: 'knative/backend.yaml', object: broken }), {
    instanceOf: ManifestError,
    message:
      /^knative\/backend\.yaml: Service default\/backend \(serving\.knative\.dev\/v1\) is invalid: .*timeoutSeconds must be integer/,
  });
  t.throws(
    () => validateManifest({ file: 'x.yaml', object: { apiVersion: 'v9', kind: 'Thing', metadata: { name: 'x' } } }),
    {
      message: 'x.yaml: no schema known for v9 Thing',
    },
  );
});

test('images are pinned: the functions at their package version, Jaeger at the version we build', async (t) => {
  t.is(
    containerOf(find('Service', 'backend')).image,
    `knative-tracing-counter/backend:${await functionVersion('backend')}`,
  );
  t.is(
    containerOf(find('Service', 'frontend')).image,
    `knative-tracing-counter/frontend:${await functionVersion('frontend')}`,
  );
  t.is(containerOf(find('Deployment', 'jaeger')).image, `jaegertracing/jaeger:${JAEGER_VERSION}`);
});

test('the backend: cluster-local, exactly one replica, a timeout above its longest lag', (t) => {
  const backend = find('Service', 'backend');
  t.is(backend.metadata.labels?.['networking.knative.dev/visibility'], 'cluster-local');
  t.like(templateOf(backend).metadata?.annotations, {
    'autoscaling.knative.dev/min-scale': '1',
    'autoscaling.knative.dev/max-scale': '1',
  });
  t.is(backend.metadata.annotations, undefined, "Knative's webhook rejects autoscaling keys on the Service itself");
  const lagMaxMs = Number(envOf(containerOf(backend)).LAG_MAX_MS);
  t.true((templateOf(backend).spec.timeoutSeconds ?? 300) * 1000 > lagMaxMs);
});

test('the frontend: public, its COUNTER_ENDPOINT the backend cluster-local URL, its timeout above BACKEND_TIMEOUT_MS', (t) => {
  const frontend = find('Service', 'frontend');
  const backend = find('Service', 'backend');
  t.is(frontend.metadata.labels?.['networking.knative.dev/visibility'], undefined);
  const env = envOf(containerOf(frontend));
  t.is(env.COUNTER_ENDPOINT, `http://${backend.metadata.name}.${backend.metadata.namespace}.svc.cluster.local`);
  t.true((templateOf(frontend).spec.timeoutSeconds ?? 300) * 1000 > Number(env.BACKEND_TIMEOUT_MS));
});

test('both functions export OTLP gRPC over plain HTTP to the Jaeger collector Service', (t) => {
  const collector = find('Service', 'jaeger-collector');
  const grpcPort = (collector.spec as { ports: { name: string; port: number }[] }).ports.find(
    (port) => port.name === 'otlp-grpc',
  )?.port;
  const endpoint = `http://${collector.metadata.name}.${collector.metadata.namespace}.svc.cluster.local:${grpcPort}`;
  for (const name of ['backend', 'frontend']) {
    t.like(envOf(containerOf(find('Service', name))), {
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      OTEL_SERVICE_NAME: name,
    });
  }
  t.like(find('ConfigMap', 'config-observability').data as object, {
    'tracing-protocol': 'grpc',
    'tracing-endpoint': endpoint,
  });
});

test('the functions: probes on their health endpoints, requests and limits, locked-down containers', (t) => {
  for (const name of ['backend', 'frontend']) {
    const container = containerOf(find('Service', name));
    t.is(container.readinessProbe?.httpGet?.path, '/health/readiness');
    t.is(container.livenessProbe?.httpGet?.path, '/health/liveness');
    t.truthy(container.resources?.requests?.cpu && container.resources.requests.memory);
    t.truthy(container.resources?.limits?.memory);
    t.like(container.securityContext, {
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
  }
});

test('Jaeger: probes on /status at 13133, limits, non-root, and only ClusterIP Services', (t) => {
  const jaeger = find('Deployment', 'jaeger');
  const container = containerOf(jaeger);
  const health = container.ports?.find((port) => port.name === 'health');
  t.is(health?.containerPort, 13133);
  for (const probe of [container.readinessProbe, container.livenessProbe]) {
    t.deepEqual(probe?.httpGet, { path: '/status', port: 'health' });
  }
  t.truthy(container.resources?.limits?.memory);
  t.is(templateOf(jaeger).spec.securityContext?.runAsNonRoot, true);
  t.like(container.securityContext, { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
  const ports = (name: string) =>
    (find('Service', name).spec as { type: string; ports: { port: number }[] }).ports.map((port) => port.port);
  t.deepEqual(ports('jaeger-collector'), [4317, 4318, 5778]);
  t.deepEqual(ports('jaeger-query'), [16686]);
  for (const name of ['jaeger-collector', 'jaeger-query']) {
    t.is((find('Service', name).spec as { type: string }).type, 'ClusterIP', `${name} is not exposed`);
  }
});

test('what this project owns carries the app.kubernetes.io labels', (t) => {
  for (const object of objects) {
    if (object.metadata.namespace === 'knative-serving') continue; // Knative's own ConfigMap: only keys are ours
    t.is(object.metadata.labels?.['app.kubernetes.io/part-of'], 'knative-tracing-counter', object.metadata.name);
    if (object.kind !== 'Namespace') t.truthy(object.metadata.labels?.['app.kubernetes.io/name'], object.metadata.name);
  }
});

interface FuncYaml {
  name: string;
  runtime: string;
  build: { builder: string; buildEnvs: { name: string; value: string }[] };
  run: { envs: { name: string; value: string }[] };
  deploy: {
    annotations?: Record<string, string>;
    options: { scale: { min: number; max: number } };
    labels: { key: string; value: string }[];
    healthEndpoints: { liveness: string; readiness: string };
  };
}

for (const name of ['backend', 'frontend'] as const) {
  test(`${name}/func.yaml agrees with knative/${name}.yaml and pins Node 24`, async (t) => {
    const folder = functionDirectory(name);
    const func = parse(await readFile(join(folder, 'func.yaml'), 'utf8')) as FuncYaml;
    const service = find('Service', name);
    t.is(func.name, name);
    t.is(func.build.builder, 'pack');
    t.deepEqual(func.build.buildEnvs, [
      { name: 'BP_NODE_VERSION', value: '24' },
      { name: 'BP_NODE_RUN_SCRIPTS', value: 'build' },
    ]);
    const packageJson = JSON.parse(await readFile(join(folder, 'package.json'), 'utf8')) as {
      engines: { node: string };
      scripts: { start: string };
    };
    t.is(packageJson.engines.node, '^24.12');
    t.is(
      packageJson.scripts.start,
      'node --import ./src/lib/telemetry.ts ./src/faas-main.ts',
      'the builder runs the preload',
    );

    t.deepEqual(
      Object.fromEntries(func.run.envs.map(({ name: variable, value }) => [variable, value])),
      envOf(containerOf(service)),
      'the same environment on both deploy paths',
    );
    t.is(func.deploy.annotations, undefined, 'autoscaling belongs in deploy.options.scale');
    const annotations = templateOf(service).metadata?.annotations ?? {};
    t.is(String(func.deploy.options.scale.max), annotations['autoscaling.knative.dev/max-scale'] ?? 'unset');
    t.is(String(func.deploy.options.scale.min), annotations['autoscaling.knative.dev/min-scale'] ?? '0');
    const labels = Object.fromEntries(func.deploy.labels.map(({ key, value }) => [key, value]));
    t.deepEqual(labels, service.metadata.labels, 'the same labels, visibility and app.kubernetes.io/* alike');
    t.deepEqual(func.deploy.healthEndpoints, { liveness: '/health/liveness', readiness: '/health/readiness' });
  });

  test(`${name}/Dockerfile: pinned Node 24, the bundle, production dependencies, non-root, node started directly`, async (t) => {
    const dockerfile = await readFile(join(functionDirectory(name), 'Dockerfile'), 'utf8');
    const nodeVersion = rootPackage.devDependencies.node ?? 'missing';
    t.regex(dockerfile, new RegExp(`^FROM node:${nodeVersion.replaceAll('.', '\\.')}-bookworm-slim$`, 'm'));
    t.regex(dockerfile, /^RUN npm ci /m);
    t.regex(
      dockerfile,
      /^RUN npm run build && npm prune --omit=dev /m,
      'the telemetry bundle, then production dependencies only',
    );
    const user = /^USER (\d+)(?::\d+)?$/m.exec(dockerfile)?.[1];
    t.true(Number(user) > 0, `USER ${user} is a non-root number`);
    t.is(Number(user), containerOf(find('Service', name)).securityContext?.runAsUser as number);
    t.regex(dockerfile, /^CMD \["node", "--import", "\.\/src\/lib\/telemetry\.ts", "\.\/src\/express-main\.ts"\]$/m);
    t.regex(await readFile(join(functionDirectory(name), '.dockerignore'), 'utf8'), /^node_modules$/m);
  });
}

// The counter's Redis mode (npm run deploy -- --counter-store redis): redis/ beside the default path.
const findRedisMode = (kind: string, name: string): KubernetesObject => {
  const object = redisObjects.find((candidate) => candidate.kind === kind && candidate.metadata.name === name);
  if (!object) throw new Error(`No ${kind} ${name} in Redis mode`);
  return object;
};

test("Redis mode: redis/ after Jaeger, its backend in place of knative/backend.yaml's, every object valid", (t) => {
  t.deepEqual(
    redisManifests.map(({ file, object }) => `${file} ${object.kind} ${object.metadata.name}`),
    [
      'jaeger/00-namespace.yaml Namespace observability',
      'jaeger/05-config.yaml ConfigMap jaeger',
      'jaeger/10-deployment.yaml Deployment jaeger',
      'jaeger/20-collector-service.yaml Service jaeger-collector',
      'jaeger/30-query-service.yaml Service jaeger-query',
      'redis/deployment.yaml Deployment redis',
      'redis/network-policy.yaml NetworkPolicy redis',
      'redis/service.yaml Service redis',
      'knative/config-observability.yaml ConfigMap config-observability',
      'redis/backend.yaml Service backend',
      'knative/frontend.yaml Service frontend',
    ],
  );
});

test('Redis mode: the backend is the default one but for the counter store and its scale', (t) => {
  const variant = structuredClone(findRedisMode('Service', 'backend'));
  const redis = findRedisMode('Service', 'redis');
  const port = (redis.spec as { ports: { name: string; port: number }[] }).ports.find(
    (it) => it.name === 'redis',
  )?.port;
  const container = containerOf(variant);
  t.is(
    envOf(container).COUNTER_STORE,
    `redis://${redis.metadata.name}.${redis.metadata.namespace}.svc.cluster.local:${port}`,
  );
  const annotations = templateOf(variant).metadata?.annotations ?? {};
  t.is(annotations['autoscaling.knative.dev/min-scale'], '1');
  const maxScale = Number(annotations['autoscaling.knative.dev/max-scale']);
  t.true(maxScale > 1 && maxScale <= 10, `max-scale ${maxScale}: more than one replica, a bounded number`);
  t.is(variant.metadata.annotations, undefined, "Knative's webhook rejects autoscaling keys on the Service itself");
  const { name, key } = REDIS_PASSWORD_SECRET;
  t.deepEqual(secretEnvOf(container), { COUNTER_STORE_PASSWORD: { name, key } }, 'the password from the Secret');
  t.notRegex(JSON.stringify(variant), /redis:\/\/[^"]*@/, 'no password in a URL');
  // Everything else as the default Service: cluster-local, image, probes, limits, securityContext.
  container.env = (container.env ?? []).filter((variable) => !variable.name.startsWith('COUNTER_STORE'));
  t.is(envOf(containerOf(variant)).COUNTER_HANDOFF_URL, undefined, 'nothing to hand over: the count is in Redis');
  delete templateOf(variant).metadata?.annotations;
  const standard = structuredClone(find('Service', 'backend'));
  delete templateOf(standard).metadata?.annotations;
  const standardContainer = containerOf(standard);
  standardContainer.env = (standardContainer.env ?? []).filter((variable) => variable.name !== 'COUNTER_HANDOFF_URL');
  t.deepEqual(variant, standard);
});

test('Redis mode: the official image pinned, non-root, probes of its own, a memory limit, no persistence, ClusterIP', (t) => {
  const deployment = findRedisMode('Deployment', 'redis');
  const container = containerOf(deployment) as Container & {
    command?: string[];
    args?: string[];
    readinessProbe?: { exec?: { command: string[] } };
    livenessProbe?: { tcpSocket?: { port: string } };
  };
  const tag = /^redis:(\d+\.\d+\.\d+)-[a-z]+$/.exec(container.image)?.[1];
  t.truthy(tag, `${container.image}: the official image, pinned to a release`);
  t.is(deployment.metadata.labels?.['app.kubernetes.io/version'], tag);
  t.is((deployment.spec as { replicas: number }).replicas, 1, 'one Redis: two would count apart');
  t.like(templateOf(deployment).spec.securityContext, { runAsNonRoot: true, runAsUser: 999, runAsGroup: 999 });
  t.like(container.securityContext, {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'] },
  });
  t.deepEqual(container.readinessProbe?.exec?.command, ['redis-cli', '-p', '6379', 'ping']);
  t.deepEqual(container.livenessProbe?.tcpSocket, { port: 'redis' });
  t.is(container.resources?.limits?.memory, '128Mi');
  t.deepEqual(container.command, ['redis-server']);
  const args = container.args ?? [];
  const flag = (name: string) => args[args.indexOf(name) + 1];
  t.is(flag('--save'), '', 'no snapshots');
  t.is(flag('--appendonly'), 'no', 'no append-only file');
  t.is(flag('--requirepass'), '$(REDIS_PASSWORD)', 'every command needs the password');
  t.false(args.includes('--protected-mode'), 'protected mode as Redis sets it (off with a password, which it has)');
  const { name, key } = REDIS_PASSWORD_SECRET;
  t.deepEqual(
    secretEnvOf(container),
    { REDIS_PASSWORD: { name, key }, REDISCLI_AUTH: { name, key } },
    "redis-server's password and the probe's redis-cli's, from the Secret the backend reads",
  );
  t.is(flag('--maxmemory'), '64mb', 'below the container limit: refuses writes before it is killed');
  t.true(
    args.every((arg) => typeof arg === 'string'),
    'every argument a string, as Kubernetes wants',
  );
  const service = findRedisMode('Service', 'redis');
  t.like(service.spec, { type: 'ClusterIP', ports: [{ name: 'redis', port: 6379, targetPort: 'redis' }] });
  t.like(service.metadata.labels, { 'app.kubernetes.io/part-of': 'knative-tracing-counter' });
});

test("Redis mode: only the backend's pods may connect to Redis, on its port alone", (t) => {
  const policy = findRedisMode('NetworkPolicy', 'redis');
  const deployment = findRedisMode('Deployment', 'redis');
  const spec = policy.spec as {
    podSelector: { matchLabels: Record<string, string> };
    policyTypes: string[];
    ingress: { from: { podSelector?: { matchLabels: Record<string, string> } }[]; ports: unknown[] }[];
  };
  t.like(templateOf(deployment).metadata?.labels, spec.podSelector.matchLabels, "the policy selects Redis's pod");
  t.deepEqual(spec.policyTypes, ['Ingress']);
  // Knative's own label on every pod of the Service's Revisions (a cluster test checks it on real pods).
  t.deepEqual(spec.ingress, [
    {
      from: [{ podSelector: { matchLabels: { 'serving.knative.dev/service': 'backend' } } }],
      ports: [{ protocol: 'TCP', port: 6379 }],
    },
  ]);
});

test('the default path is unchanged by redis/: none of its objects without --counter-store redis', (t) => {
  t.false(objects.some((object) => object.metadata.name === 'redis'));
  t.is(envOf(containerOf(find('Service', 'backend'))).COUNTER_STORE, undefined);
});
