// `npm run deploy`: its plan, printed by --dry-run without a cluster, its refusal without a registry,
// when a Service read back counts as Ready and what it prints as its status changes, and every failure
// that can be real here (no kubeconfig, an unreachable cluster). The cluster paths themselves need a cluster.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { parseAllDocuments } from 'yaml';
import { PlanError, planDeploy } from '../../tools/deploy/plan.ts';
import { notReadyMessage, readinessOf, type ServiceState, statusChanges } from '../../tools/deploy/readiness.ts';
import { REPOSITORY_ROOT } from '../../tools/functions/run.ts';
import { loadProjectManifests } from '../../tools/knative/manifests.ts';
import { findFreePort } from '../../tools/processes/ports.ts';
import { spawnChild } from '../../tools/processes/process.ts';

async function deploy(t: ExecutionContext, args: string[], env: NodeJS.ProcessEnv = {}) {
  const home = await mkdtemp(join(tmpdir(), 'deploy-test-'));
  t.teardown(() => rm(home, { recursive: true, force: true }));
  const child = spawnChild('deploy', 'npm', ['run', 'deploy', '--silent', '--', ...args], {
    cwd: REPOSITORY_ROOT,
    // A home without ~/.kube/config, so that only what the test gives counts.
    env: { PATH: process.env.PATH, HOME: home, ...env },
  });
  const { code } = await child.exited;
  return { code, output: child.output(), home };
}

async function kubeconfig(t: ExecutionContext, server: string | undefined): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'kubeconfig-'));
  t.teardown(() => rm(directory, { recursive: true, force: true }));
  const file = join(directory, 'config');
  const context = server === undefined ? '' : 'current-context: test\n';
  await writeFile(
    file,
    `apiVersion: v1
kind: Config
clusters:
  - name: test
    cluster:
      server: ${server ?? 'https://127.0.0.1:6443'}
contexts:
  - name: test
    context:
      cluster: test
      user: test
${context}users:
  - name: test
    user:
      token: test-token
`,
  );
  return file;
}

test('--dry-run prints every object it would apply, in order, and needs no cluster', async (t) => {
  const { code, output } = await deploy(t, ['--dry-run']);
  t.is(code, 0, output);
  const printed = parseAllDocuments(output).map((document) => document.toJS());
  t.deepEqual(printed, planDeploy(await loadProjectManifests()));
  t.is(printed.length, 8);
});

test('--registry points the function images at your registry, and nothing else', async (t) => {
  const objects = planDeploy(await loadProjectManifests(), { registry: 'registry.example/alice' });
  const images = objects.flatMap(
    (object) =>
      (object.spec as { template?: { spec?: { containers?: { image: string }[] } } } | undefined)?.template?.spec
        ?.containers ?? [],
  );
  t.deepEqual(
    images.map((container) => container.image),
    ['jaegertracing/jaeger:2.13.0', 'registry.example/alice/backend:0.1.0', 'registry.example/alice/frontend:0.1.0'],
  );
  t.throws(() => planDeploy([], { registry: 'https://registry.example/alice' }), {
    instanceOf: PlanError,
    message: /--registry/,
  });
});

test("--jaeger-image replaces Jaeger's image, and only it; a URL is refused", async (t) => {
  const { code, output } = await deploy(t, [
    '--dry-run',
    '--registry',
    'dev.local',
    '--jaeger-image',
    'dev.local/jaeger:2.13.0',
  ]);
  t.is(code, 0, output);
  const images = [...output.matchAll(/image: (\S+)/g)].map((match) => match[1]);
  t.deepEqual(images, ['dev.local/jaeger:2.13.0', 'dev.local/backend:0.1.0', 'dev.local/frontend:0.1.0']);
  const refused = await deploy(t, ['--dry-run', '--jaeger-image', 'https://mirror.example/jaeger:2.13.0']);
  t.is(refused.code, 1);
  t.regex(refused.output, /^--jaeger-image is "https:\/\/mirror.example\/jaeger:2.13.0": expected an image/);
});

test('--counter-store redis: Redis and the backend for it take the place of the default backend; --redis-image replaces Redis alone', async (t) => {
  const { code, output } = await deploy(t, [
    '--dry-run',
    '--registry',
    'dev.local',
    '--counter-store',
    'redis',
    '--redis-image',
    'dev.local/redis:7.0.15',
  ]);
  t.is(code, 0, output);
  const printed = parseAllDocuments(output).map((document) => document.toJS());
  t.deepEqual(
    printed,
    planDeploy(await loadProjectManifests(undefined, { counterStore: 'redis' }), {
      registry: 'dev.local',
      redisImage: 'dev.local/redis:7.0.15',
    }),
  );
  t.deepEqual(
    printed.map((object: { kind: string; metadata: { name: string } }) => `${object.kind} ${object.metadata.name}`),
    [
      'Namespace observability',
      'ConfigMap jaeger',
      'Deployment jaeger',
      'Service jaeger-collector',
      'Service jaeger-query',
      'Deployment redis',
      'NetworkPolicy redis',
      'Service redis',
      'ConfigMap config-observability',
      'Service backend',
      'Service frontend',
    ],
  );
  t.regex(output, /^# first Secret default\/redis \(v1\): Redis's password, made at random unless it exists$/m);
  t.notRegex(output, /password: /, 'no password in the plan');
  const images = [...output.matchAll(/image: (\S+)/g)].map((match) => match[1]);
  t.deepEqual(images, [
    'jaegertracing/jaeger:2.13.0',
    'dev.local/redis:7.0.15',
    'dev.local/backend:0.1.0',
    'dev.local/frontend:0.1.0',
  ]);
  t.regex(output, /name: COUNTER_STORE\n\s+value: redis:\/\/redis\.default\.svc\.cluster\.local:6379/);
  const memory = await deploy(t, ['--dry-run', '--counter-store', 'memory']);
  t.is(memory.output, (await deploy(t, ['--dry-run'])).output, 'memory is the default');
  const unknown = await deploy(t, ['--dry-run', '--counter-store', 'valkey']);
  t.is(unknown.code, 2);
  t.regex(unknown.output, /^--counter-store is "valkey": expected memory or redis$/m);
  const refused = await deploy(t, [
    '--dry-run',
    '--counter-store',
    'redis',
    '--redis-image',
    'https://mirror.example/redis:8',
  ]);
  t.is(refused.code, 1);
  t.regex(refused.output, /^--redis-image is "https:\/\/mirror.example\/redis:8": expected an image/);
});

const registry = ['--registry', 'registry.example/alice'];

test('without --registry: refuses in one line, exit 2, before looking for a cluster', async (t) => {
  const { code, output } = await deploy(t, []);
  t.is(code, 2);
  t.is(
    output,
    '--registry is required: knative-tracing-counter/backend and knative-tracing-counter/frontend are placeholder ' +
      'images that no cluster can pull; push the images to your registry and name it, e.g. --registry ' +
      'registry.example/you (--dry-run shows the plan without it).\n',
  );
});

test('no kubeconfig: says so and how to fix it, exit 1', async (t) => {
  const { code, output } = await deploy(t, registry);
  t.is(code, 1);
  t.regex(output, /^No kubeconfig: KUBECONFIG is not set and ~\/\.kube\/config does not exist/m);
});

test('KUBECONFIG naming a missing file: says which, exit 1', async (t) => {
  const { code, output } = await deploy(t, registry, { KUBECONFIG: '/nonexistent/kubeconfig' });
  t.is(code, 1);
  t.regex(output, /^KUBECONFIG names \/nonexistent\/kubeconfig, which does not exist\.$/m);
});

test('a kubeconfig without a current context: says so, exit 1', async (t) => {
  const { code, output } = await deploy(t, registry, { KUBECONFIG: await kubeconfig(t, undefined) });
  t.is(code, 1);
  t.regex(output, /The kubeconfig has no current context/);
});

test('an unreachable cluster: names the server and the cause, exit 1', async (t) => {
  const server = `https://127.0.0.1:${await findFreePort()}`;
  // --delete needs no registry: it removes what is there, whatever its images.
  for (const args of [registry, ['--delete']]) {
    const { code, output } = await deploy(t, args, { KUBECONFIG: await kubeconfig(t, server) });
    t.is(code, 1);
    t.regex(output, new RegExp(`^Cannot reach the cluster at ${server}: .*ECONNREFUSED`, 'm'));
  }
});

test('a bad option: usage, exit 2', async (t) => {
  const { code, output } = await deploy(t, [...registry, '--timeout', 'soon']);
  t.is(code, 2);
  t.regex(output, /--timeout is "soon"/);
});

// A Knative Service as the API server answers it after `generation` applies, in the shape deploy reads.
function service(generation: number, status: NonNullable<ServiceState['status']> | undefined): ServiceState {
  return { metadata: { name: 'backend', namespace: 'default', generation }, ...(status ? { status } : {}) };
}
const readyTrue = { type: 'Ready', status: 'True' };
const url = 'http://backend.default.svc.cluster.local';

const readinessCases: [string, ServiceState, ReturnType<typeof readinessOf>][] = [
  [
    'just applied: no status yet',
    service(1, undefined),
    { ready: false, reason: 'generation 1 not yet observed (no status yet)' },
  ],
  [
    're-applied: Ready from the previous generation',
    service(2, {
      observedGeneration: 1,
      latestCreatedRevisionName: 'backend-00001',
      latestReadyRevisionName: 'backend-00001',
      conditions: [readyTrue],
      url,
    }),
    { ready: false, reason: 'generation 2 not yet observed (the status is of generation 1)' },
  ],
  [
    'new generation observed, its revision created but not ready, Ready still True',
    service(2, {
      observedGeneration: 2,
      latestCreatedRevisionName: 'backend-00002',
      latestReadyRevisionName: 'backend-00001',
      conditions: [readyTrue],
      url,
    }),
    { ready: false, reason: 'revision backend-00002 not yet ready (the latest ready one is backend-00001)' },
  ],
  [
    'new generation observed, no revision ready at all',
    service(1, { observedGeneration: 1, latestCreatedRevisionName: 'backend-00001', conditions: [readyTrue] }),
    { ready: false, reason: 'revision backend-00001 not yet ready (the latest ready one is none)' },
  ],
  [
    'Ready False, with its reason and message',
    service(2, {
      observedGeneration: 2,
      latestCreatedRevisionName: 'backend-00002',
      latestReadyRevisionName: 'backend-00001',
      conditions: [
        {
          type: 'Ready',
          status: 'False',
          reason: 'RevisionFailed',
          message: 'Revision "backend-00002" failed with message: Back-off pulling image.',
        },
      ],
    }),
    {
      ready: false,
      reason: 'Ready False (RevisionFailed: Revision "backend-00002" failed with message: Back-off pulling image.)',
    },
  ],
  [
    'Ready Unknown while the route is set up',
    service(1, {
      observedGeneration: 1,
      latestCreatedRevisionName: 'backend-00001',
      latestReadyRevisionName: 'backend-00001',
      conditions: [{ type: 'Ready', status: 'Unknown', reason: 'IngressNotConfigured' }],
    }),
    { ready: false, reason: 'Ready Unknown (IngressNotConfigured)' },
  ],
  [
    'observed, no conditions yet',
    service(1, { observedGeneration: 1 }),
    { ready: false, reason: 'no Ready condition yet' },
  ],
  [
    'Ready True, of this generation and its newest revision',
    service(2, {
      observedGeneration: 2,
      latestCreatedRevisionName: 'backend-00002',
      latestReadyRevisionName: 'backend-00002',
      conditions: [{ type: 'ConfigurationsReady', status: 'True' }, readyTrue],
      url,
    }),
    { ready: true, url },
  ],
];

for (const [what, state, expected] of readinessCases) {
  test(`readiness: ${what}`, (t) => {
    t.deepEqual(readinessOf(state), expected);
  });
}

const creating = service(2, {
  observedGeneration: 2,
  latestCreatedRevisionName: 'backend-00002',
  latestReadyRevisionName: 'backend-00001',
  conditions: [
    { type: 'ConfigurationsReady', status: 'Unknown', reason: 'RevisionMissing', message: 'waiting' },
    { type: 'Ready', status: 'Unknown', reason: 'RevisionMissing', message: 'waiting' },
    { type: 'RoutesReady', status: 'True' },
  ],
});

const changeCases: [string, ServiceState | undefined, ServiceState, string[]][] = [
  [
    'the first read: everything it holds',
    undefined,
    creating,
    [
      'generation 2 observed',
      'revision backend-00002 created, backend-00001 ready',
      'ConfigurationsReady Unknown (RevisionMissing: waiting)',
      'Ready Unknown (RevisionMissing: waiting)',
      'RoutesReady True',
    ],
  ],
  ['nothing changed: nothing', creating, structuredClone(creating), []],
  [
    'a re-apply not yet observed',
    service(1, { observedGeneration: 1, conditions: [readyTrue] }),
    service(2, { observedGeneration: 1, conditions: [readyTrue] }),
    ['generation 2 not yet observed (status of 1)'],
  ],
  [
    'one condition changes status, another its message',
    creating,
    service(2, {
      ...creating.status,
      conditions: [
        { type: 'ConfigurationsReady', status: 'Unknown', reason: 'RevisionMissing', message: 'still waiting' },
        { type: 'Ready', status: 'False', reason: 'RevisionFailed', message: 'image pull failed' },
        { type: 'RoutesReady', status: 'True' },
      ],
    }),
    ['ConfigurationsReady Unknown (RevisionMissing: still waiting)', 'Ready False (RevisionFailed: image pull failed)'],
  ],
  [
    'the revision becomes ready and a condition goes',
    creating,
    service(2, {
      observedGeneration: 2,
      latestCreatedRevisionName: 'backend-00002',
      latestReadyRevisionName: 'backend-00002',
      conditions: [
        { type: 'ConfigurationsReady', status: 'True' },
        { type: 'Ready', status: 'True' },
      ],
    }),
    [
      'revision backend-00002 created, backend-00002 ready',
      'ConfigurationsReady True',
      'Ready True',
      'RoutesReady no longer reported',
    ],
  ],
];

for (const [what, previous, current, expected] of changeCases) {
  test(`status changes: ${what}`, (t) => {
    t.deepEqual(statusChanges(previous, current), expected);
  });
}

test('at the timeout: names each Service still not Ready, with its reason', (t) => {
  const waiting = [creating, service(3, { observedGeneration: 2 })].map((state, index) => {
    const readiness = readinessOf(state);
    return { service: ['backend', 'frontend'][index] ?? '', reason: readiness.ready ? 'ready' : readiness.reason };
  });
  t.is(
    notReadyMessage(300, 2, waiting),
    [
      'Not Ready after 300 s (--timeout): 2 of 2 Knative Services',
      '  backend: Ready Unknown (RevisionMissing: waiting)',
      '  frontend: generation 3 not yet observed (the status is of generation 2)',
    ].join('\n'),
  );
});
