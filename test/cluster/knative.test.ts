// Real Knative on this machine, end to end: the cluster with its node (Knative's activator,
// autoscaler and queue-proxy from our images, Traefik as the ingress), `npm run deploy` of the
// manifests with the functions' images from the cluster's registry (Knative resolves their tags to
// digests, the node pulls them), visits through Traefik, one visit's trace read
// from the in-cluster Jaeger through diagnose's port-forward path (Knative's own spans in it), the
// sampling (Traefik's, Knative's and Jaeger's rates one, the frontend following Jaeger's strategy), the
// frontend scaling to zero and back through the activator, its spans flushed on the way down,
// `--delete`, the counter in Redis (`--counter-store redis`, Redis from our image of Debian's), then
// the `kn service create` commands of docs/deploy.md run by the real kn against the cluster.
// The tests run in order, on one cluster.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { clusterPids, type RunningCluster } from '../../tools/cluster/cluster.ts';
import { QUICK_SCALE_TO_ZERO } from '../../tools/cluster/knative-on-node.ts';
import { JAEGER_IMAGE, REDIS_IMAGE } from '../../tools/cluster/node/images.ts';
import { isRunning } from '../../tools/cluster/state.ts';
import { REPOSITORY_ROOT } from '../../tools/functions/run.ts';
import { fetchTrace, type JaegerTrace, parentOf, serviceOf, tagOf } from '../../tools/jaeger/query.ts';
import { findJaeger, type JaegerSource } from '../../tools/jaeger/source.ts';
import { requireKn } from '../../tools/kn/binary.ts';
import {
  documentedKnCommands,
  readKnCommandsDocument,
  runKnCommandOnCluster,
} from '../../tools/kn/documented-commands.ts';
import { spawnChild, waitFor } from '../../tools/processes/process.ts';
import { runCommand } from '../../tools/processes/run-command.ts';
import {
  changeFrontendStrategy,
  directVisit,
  frontendPod,
  runningRates,
  strategyForFrontend,
} from '../helpers/cluster-sampling.ts';
import { runOurCommand } from '../helpers/commands.ts';
import {
  EVERY_HOP,
  FRONTEND_HOST,
  isWhole,
  kubectlOn,
  ours,
  rootsOf,
  servicesOf,
  startClusterWithIngress,
  traceIn,
  VISIT,
  type Visit,
  visitThrough,
} from '../helpers/knative-cluster.ts';

/** `npm run deploy`'s arguments here: the cluster's registry for the functions, Jaeger from the node. */
const deployArgs = () => ['--registry', registry().name, '--jaeger-image', JAEGER_IMAGE.name, '--timeout', '240'];

/** Pods start, drain and stop in their own time: on a busy machine, longer than ava's 2 minutes. */
const SLOW_TEST_MS = 300_000;

let cluster: RunningCluster | undefined;
let ingressPort = 0;
let startSeconds = 0;

test.before(async () => {
  const started = Date.now();
  ({ cluster, ingressPort } = await startClusterWithIngress(`knative-test-${process.pid}`));
  startSeconds = (Date.now() - started) / 1000;
});

test.after.always(async () => {
  await cluster?.stop();
});

function running(): RunningCluster {
  if (!cluster) throw new Error('The cluster did not start');
  return cluster;
}

function registry(): NonNullable<RunningCluster['registry']> {
  const found = running().registry;
  if (!found) throw new Error('The cluster has no registry');
  return found;
}

const kubectl = (args: string[], input?: string) => kubectlOn(running(), args, input);

/** A command of ours as a user runs it, with only KUBECONFIG pointing anywhere. */
function runTool(t: ExecutionContext, command: string, args: string[]) {
  return runOurCommand(t, command, args, { KUBECONFIG: running().kubeconfig });
}

/** GET / with the frontend's host, through Traefik's public entrypoint. */
const visit = (host = FRONTEND_HOST) => visitThrough(ingressPort, host);

let jaeger: JaegerSource | undefined;
/** The in-cluster Jaeger, found as diagnose finds it: its query Service, port-forwarded. */
async function clusterJaeger(): Promise<JaegerSource> {
  // Nothing listens on port 9 here: the local Jaeger is skipped, the cluster's is found.
  jaeger ??= await findJaeger(undefined, { KUBECONFIG: running().kubeconfig }, 'http://127.0.0.1:9');
  return jaeger;
}
test.after.always(async () => {
  await jaeger?.close();
});

/** The trace once `ready` says it is whole, from the in-cluster Jaeger (see traceIn). */
const traceWhen = async (
  traceIds: string | readonly string[],
  ready: (trace: JaegerTrace) => boolean,
  timeoutMs?: number,
) => traceIn((await clusterJaeger()).url, traceIds, ready, timeoutMs);

/** The frontend's pods (terminating ones too), each with its revision. */
async function frontendPods(): Promise<{ name: string; revision: string }[]> {
  const pods = JSON.parse(
    await kubectl(['get', 'pods', '-n', 'default', '-l', 'serving.knative.dev/service=frontend', '-o', 'json']),
  ) as { items: { metadata: { name: string; labels: Record<string, string> } }[] };
  return pods.items.map(({ metadata }) => ({
    name: metadata.name,
    revision: metadata.labels['serving.knative.dev/revision'] ?? '',
  }));
}

/** What kubelet recorded of the function's own container (not the queue-proxy beside it) in its pods. */
async function containerEvents(name: string): Promise<{ reason: string; message: string }[]> {
  const events = JSON.parse(await kubectl(['get', 'events', '-n', 'default', '-o', 'json'])) as {
    items: { reason: string; message: string; involvedObject: { kind: string; name: string; fieldPath?: string } }[];
  };
  return events.items.filter(
    ({ involvedObject }) =>
      involvedObject.kind === 'Pod' &&
      involvedObject.name.startsWith(`${name}-`) &&
      involvedObject.fieldPath === `spec.containers{${name}}`,
  );
}

/** Waits until no pod of the frontend is left, terminating ones included. */
const frontendAtZero = () =>
  waitFor('the frontend to scale to zero', async () => (await frontendPods()).length === 0 || undefined, {
    timeoutMs: 180_000,
    intervalMs: 1000,
  });

test.serial('the cluster starts with all of Knative in pods on its node, and Traefik as its ingress', async (t) => {
  t.log(`cluster up in ${startSeconds.toFixed(1)} s`);
  const deployments = JSON.parse(await kubectl(['get', 'deployments', '-A', '-o', 'json'])) as {
    items: { metadata: { name: string; namespace: string }; status: { availableReplicas?: number } }[];
  };
  const available = deployments.items
    .filter((deployment) => (deployment.status.availableReplicas ?? 0) > 0)
    .map(({ metadata }) => `${metadata.namespace}/${metadata.name}`)
    .sort();
  t.deepEqual(available, [
    'knative-serving/activator',
    'knative-serving/autoscaler',
    'knative-serving/controller',
    'knative-serving/webhook',
    'traefik/traefik',
  ]);
  // Every part of Knative runs in its pod, from our images: none is a process beside the API server.
  const images = JSON.parse(await kubectl(['get', 'pods', '-n', 'knative-serving', '-o', 'json'])) as {
    items: { spec: { containers: { image: string }[] } }[];
  };
  t.deepEqual(
    images.items.flatMap((pod) => pod.spec.containers.map((container) => container.image)).sort(),
    ['activator', 'autoscaler', 'controller', 'webhook'].map((name) => `dev.local/knative-serving/${name}:v0.50.0`),
  );
  t.false(
    running().processes.some((child) => child.name.startsWith('knative-')),
    running()
      .processes.map((child) => child.name)
      .join(', '),
  );
  const network = JSON.parse(
    await kubectl(['get', 'configmap', 'config-network', '-n', 'knative-serving', '-o', 'json']),
  );
  t.is(network.data['ingress-class'], 'traefik.ingress.networking.knative.dev');
});

test.serial('npm run deploy gives two Ready Services and says where they are', async (t) => {
  const { code, output } = await runTool(t, 'deploy', deployArgs());
  t.is(code, 0, output);
  t.regex(output, new RegExp(`^frontend +http://${FRONTEND_HOST.replaceAll('.', '\\.')}$`, 'm'));
  t.regex(output, /^backend +http:\/\/backend\.default\.svc\.cluster\.local$/m);
});

test.serial("the Revisions run the images' digests from the registry, pulled by the node", async (t) => {
  for (const name of ['backend', 'frontend']) {
    const pushed = registry().images.find(({ reference }) => reference === `${registry().name}/${name}:0.1.0`);
    t.truthy(pushed, `${name}'s image was not pushed`);
    const revisions = JSON.parse(
      await kubectl(['get', 'revisions', '-n', 'default', '-l', `serving.knative.dev/service=${name}`, '-o', 'json']),
    ) as { items: { status: { containerStatuses?: { imageDigest?: string }[] } }[] };
    t.deepEqual(
      revisions.items.map(({ status }) => status.containerStatuses?.[0]?.imageDigest),
      [`${registry().name}/${name}@${pushed?.digest}`],
    );
    // kubelet pulled that digest: the node had no copy of it before ("already present" otherwise).
    const pulled = (await containerEvents(name))
      .filter(({ reason }) => reason === 'Pulled')
      .map(({ message }) => message);
    t.true(pulled.length > 0, `no Pulled event for ${name}'s pods`);
    for (const message of pulled)
      t.true(message.startsWith(`Successfully pulled image "${registry().name}/${name}@sha256:`), message);
    t.log(`${name}: pushed in ${pushed?.seconds.toFixed(1)} s; ${pulled.join('; ')}`);
  }
});

test.serial("curl through Traefik with the frontend's route answers with a visitor number", async (t) => {
  const { code, stdout, stderr } = await runCommand('curl', [
    '--silent',
    '--show-error',
    '--max-time',
    '60',
    '--header',
    `Host: ${FRONTEND_HOST}`,
    `http://127.0.0.1:${ingressPort}/`,
  ]);
  t.is(code, 0, stderr);
  t.regex(stdout, VISIT);
});

test.serial('20 visits at concurrency 4 give 20 distinct visitor numbers', async (t) => {
  t.timeout(SLOW_TEST_MS);
  const queue = Array.from({ length: 20 }, (_, index) => index);
  const visits: Visit[] = [];
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (queue.shift() !== undefined) visits.push(await visit());
    }),
  );
  t.deepEqual(
    visits.filter((one) => one.status !== 200),
    [],
  );
  const numbers = visits.map((one) => one.number);
  t.is(new Set(numbers).size, 20, `numbers: ${numbers.join(' ')}`);
  t.true(numbers.every((number) => Number.isInteger(number)));
});

test.serial("one visit's trace: our 8 spans, Knative's and Traefik's, connected under one root", async (t) => {
  const answer = await visit();
  t.is(answer.status, 200, answer.body);
  t.truthy(answer.traceId, 'no traceresponse header');
  const trace = await traceWhen(answer.traceId ?? '', isWhole);
  t.is(ours(trace).length, 8);
  t.deepEqual([...servicesOf(trace)].sort(), EVERY_HOP);
  const roots = rootsOf(trace);
  t.deepEqual(
    roots.map((span) => serviceOf(trace, span)),
    ['traefik'],
  );
  // npm run trace draws it, finding the cluster's Jaeger as diagnose does.
  const drawn = await runTool(t, 'trace', [answer.traceId ?? '']);
  t.is(drawn.code, 0, drawn.output);
  for (const service of EVERY_HOP) t.regex(drawn.output, new RegExp(`^\\S* *${service.replace('/', '\\/')} `, 'm'));
  t.log(
    [...trace.spans]
      .sort((a, b) => a.startTime - b.startTime)
      .map((span) => `${serviceOf(trace, span)}: ${span.operationName} ${(span.duration / 1000).toFixed(1)} ms`)
      .join('\n'),
  );
});

test.serial('npm run diagnose, through its port-forward path, names simulate lag', async (t) => {
  const { code, output } = await runTool(t, 'diagnose', []);
  t.is(code, 0, output);
  t.regex(output, /port-forwarded/);
  // The verdict itself, not the table's row that any diagnosis has.
  t.regex(output, /^Bottleneck: backend "simulate lag", [\d.]+ % of the critical path across \d+ traces\.$/m);
});

test.serial("npm run page serves the cluster's visits and diagnosis, through the same port-forward", async (t) => {
  const page = spawnChild('page', process.execPath, ['tools/commands/page.ts', '--port', '0'], {
    cwd: REPOSITORY_ROOT,
    env: { PATH: process.env.PATH, HOME: tmpdir(), KUBECONFIG: running().kubeconfig },
  });
  t.teardown(() => page.stop('SIGKILL'));
  const url = await waitFor(
    'the page to say where it is',
    async () => /^page +(http:\/\/localhost:\d+) /m.exec(page.output())?.[1],
    { timeoutMs: 30_000, child: page },
  );
  t.regex(page.output(), /^jaeger +.*port-forwarded/m);
  const visits = (await (await fetch(`${url}/api/visits`)).json()) as { visits: unknown[] };
  t.true(visits.visits.length >= 20, `${visits.visits.length} visits on the page`);
  const diagnosis = (await (await fetch(`${url}/api/diagnosis`)).json()) as { verdict: string[] };
  t.regex(diagnosis.verdict[0] ?? '', /^Bottleneck: backend "simulate lag", /);
  t.is((await page.stop('SIGTERM')).code, 0);
});

test.serial(
  "sampling: Traefik, Knative and Jaeger agree on one rate, and the frontend follows Jaeger's strategy",
  async (t) => {
    t.timeout(SLOW_TEST_MS);
    // The three rates as the cluster runs them: Traefik opens each visit's trace, Knative's activator
    // and queue-proxies follow it (or, at 1 or 0, override it), Jaeger's strategy is the functions'.
    const rates = await runningRates(kubectl);
    t.deepEqual(rates, { knative: 1, traefik: 1 });
    // A frontend pod that stays: a visit brings one (a pod scaling down still answers, then goes).
    const pod = await waitFor(
      'a frontend pod that is not going',
      async () => {
        t.is((await visit()).status, 200);
        return frontendPod(kubectl).catch(() => undefined);
      },
      { timeoutMs: 120_000, intervalMs: 2000 },
    );
    // Jaeger's answer to the pod, through the collector Service (Jaeger's pod may be restarting: its
    // liveness probe is slow on a busy machine).
    const errors: string[] = [];
    const strategy = await waitFor(
      "Jaeger's strategy, asked from the frontend's pod",
      async () =>
        strategyForFrontend(kubectl, pod).catch((error: Error) => {
          errors.push(error.message);
          return undefined;
        }),
      { timeoutMs: 60_000, intervalMs: 2000 },
    ).catch((error: Error) => {
      throw new Error(`${error.message}; last: ${errors.at(-1)}`);
    });
    t.like(strategy, { probabilisticSampling: { samplingRate: rates.knative } });
    t.is(strategy.operationSampling?.perOperationStrategies.length, 1, 'a per-operation part, which the package needs');

    // A visit that reaches the frontend's container with no traceparent: the function decides, by
    // Jaeger's strategy, and its root span says with what probability.
    const direct = await directVisit(kubectl, pod);
    t.regex(direct, /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    const decided = await traceWhen(
      direct.split('-')[1] ?? '',
      (trace) => rootsOf(trace).length === 1 && servicesOf(trace).has('backend') && ours(trace).length >= 8,
    );
    const [root] = rootsOf(decided);
    t.is(root && `${serviceOf(decided, root)} ${root.operationName}`, 'frontend GET /');
    t.deepEqual(root && [tagOf(root, 'sampler.type'), tagOf(root, 'sampler.param')], ['probabilistic', 1]);
    t.deepEqual(
      decided.spans
        .filter((span) => span !== root && tagOf(span, 'sampler.param') !== undefined)
        .map((span) => span.operationName),
      [],
      'no span that followed a parent records a probability',
    );

    // Jaeger's strategy for the frontend changed to 0: within its polling interval (a minute) the same
    // pod samples no visit that it decides, while every visit through Traefik, decided there, is still
    // traced end to end (and keeps the pod up: Knative does not see the direct visits).
    await jaeger?.close();
    jaeger = undefined;
    await changeFrontendStrategy(kubectl, 0);
    const changed = Date.now();
    let through: Visit | undefined;
    await waitFor(
      'the frontend to follow the strategy of 0',
      async () => {
        through = await visit();
        return (await directVisit(kubectl, pod)).endsWith('-00') || undefined;
      },
      { timeoutMs: 120_000, intervalMs: 2000 },
    );
    t.log(
      `the frontend followed Jaeger's new strategy ${((Date.now() - changed) / 1000).toFixed(0)} s after Jaeger restarted with it`,
    );
    t.is(await frontendPod(kubectl), pod, 'the same pod: it followed by polling, not by starting anew');
    t.is(through?.status, 200);
    await traceWhen(through?.traceId ?? '', isWhole);
  },
);

test.serial('the frontend scales to zero, and the next visit comes through the activator, traced', async (t) => {
  t.timeout(SLOW_TEST_MS);
  await kubectl(
    ['apply', '--server-side', '--force-conflicts', '--field-manager=knative-test', '-f', '-'],
    QUICK_SCALE_TO_ZERO,
  );
  const backendBefore = await visit();
  t.is(backendBefore.status, 200);
  const idleSince = Date.now();
  await frontendAtZero();
  t.log(`the frontend scaled to zero ${((Date.now() - idleSince) / 1000).toFixed(0)} s after its last visit`);
  const cold = await visit();
  t.is(cold.status, 200, cold.body);
  t.log(`a visit with the frontend at zero: answered in ${cold.ms.toFixed(0)} ms`);
  // The backend (min-scale 1) kept its count meanwhile.
  t.is(cold.number, (backendBefore.number ?? 0) + 1);
  const trace = await traceWhen(cold.traceId ?? '', isWhole);
  t.is(rootsOf(trace).length, 1);
  // The activator held the request until a frontend pod was ready: its throttler span shows the wait.
  const waits = trace.spans.filter(
    (span) => serviceOf(trace, span) === 'activator' && span.operationName === 'throttler_try',
  );
  const longest = Math.max(...waits.map((span) => span.duration / 1000));
  t.log(`the activator waited ${longest.toFixed(0)} ms for a frontend pod`);
  t.true(longest > 100, `the activator's longest wait was ${longest} ms: the visit did not wait for a pod`);
});

test.serial("scale-down: the frontend's SIGTERM flushes the spans of its last visit", async (t) => {
  t.timeout(SLOW_TEST_MS);
  // A new revision that exports only when its batch fills or it stops: the spans of one visit can then
  // reach Jaeger only through the flush on SIGTERM.
  await kubectl([
    'patch',
    'ksvc',
    'frontend',
    '-n',
    'default',
    '--type=json',
    '-p',
    JSON.stringify([
      {
        op: 'add',
        path: '/spec/template/spec/containers/0/env/-',
        value: { name: 'OTEL_BSP_SCHEDULE_DELAY', value: '600000' },
      },
    ]),
  ]);
  await kubectl(['wait', '--for=condition=Ready', '--timeout=120s', 'ksvc/frontend', '-n', 'default']);
  const latest = (
    JSON.parse(await kubectl(['get', 'ksvc', 'frontend', '-n', 'default', '-o', 'json'])) as {
      status: { latestReadyRevisionName: string };
    }
  ).status.latestReadyRevisionName;
  // Until the old revision's pod is gone, a visit could still reach it.
  await waitFor(
    `only ${latest}'s pods`,
    async () => (await frontendPods()).every((pod) => pod.revision === latest) || undefined,
    { timeoutMs: 180_000, intervalMs: 1000 },
  );
  const last = await visit();
  t.is(last.status, 200, last.body);
  const frontendSpans = async () => {
    const trace = await fetchTrace((await clusterJaeger()).url, last.traceId ?? '');
    return trace ? trace.spans.filter((span) => serviceOf(trace, span) === 'frontend').length : 0;
  };
  // The backend's spans arrive within its 5 s batch delay; the frontend's must not, while it runs.
  await traceWhen(last.traceId ?? '', (trace) => servicesOf(trace).has('backend'));
  await new Promise((resolve) => setTimeout(resolve, 7000));
  t.is(await frontendSpans(), 0, 'the frontend exported before it stopped: the test proves nothing');
  await frontendAtZero();
  const trace = await traceWhen(last.traceId ?? '', isWhole, 30_000);
  t.is(ours(trace).length, 8);
});

test.serial('npm run deploy -- --delete removes the Services and Jaeger', async (t) => {
  t.timeout(SLOW_TEST_MS);
  await jaeger?.close();
  jaeger = undefined;
  const { code, output } = await runTool(t, 'deploy', ['--delete']);
  t.is(code, 0, output);
  t.regex(output, /^Gone\.$/m);
  // It waited: what the Services made is gone too, and Jaeger's namespace.
  const left = await kubectl([
    'get',
    'ksvc,routes,configurations,revisions,deployments,pods',
    '-n',
    'default',
    '-o',
    'name',
  ]);
  t.is(left.trim(), '');
  t.false((await kubectl(['get', 'namespaces', '-o', 'name'])).includes('namespace/observability'));
});

test.serial(
  'the counter in Redis: deployed beside Jaeger, visits counted in Redis, its commands in the trace, all deleted',
  async (t) => {
    t.timeout(SLOW_TEST_MS);
    const redisArgs = ['--counter-store', 'redis', '--redis-image', REDIS_IMAGE.name];
    const deployed = await runTool(t, 'deploy', [...deployArgs(), ...redisArgs]);
    t.is(deployed.code, 0, deployed.output);
    const backend = JSON.parse(await kubectl(['get', 'ksvc', 'backend', '-n', 'default', '-o', 'json'])) as {
      spec: { template: { metadata: { annotations: Record<string, string> } } };
    };
    t.is(backend.spec.template.metadata.annotations['autoscaling.knative.dev/max-scale'], '5');
    const visits: Visit[] = [];
    for (let round = 0; round < 5; round += 1)
      visits.push(...(await Promise.all([visit(), visit(), visit(), visit()])));
    t.deepEqual(
      visits.map((answer) => answer.status),
      visits.map(() => 200),
    );
    // A new Redis: the count starts again at 1, and every visit has its own number.
    t.deepEqual(
      visits.map((answer) => answer.number).sort((a = 0, b = 0) => a - b),
      Array.from({ length: 20 }, (_, index) => index + 1),
    );
    t.regex(deployed.output, /^created: Secret default\/redis \(v1\) \(Redis's password, not shown\)$/m);
    // A stranger inside the cluster: Redis refuses it every command, and the count goes on.
    const refusals = await strangerCommands([
      ['SET', 'knative-tracing-counter:visits', '0'],
      ['FLUSHALL'],
      ['CONFIG', 'SET', 'requirepass', ''],
    ]);
    t.deepEqual(refusals, [
      'NOAUTH Authentication required.',
      'NOAUTH Authentication required.',
      'NOAUTH Authentication required.',
    ]);
    const after = await visit();
    t.is(after.number, 21, 'the count went on where it was');
    // The NetworkPolicy names pods by labels: Knative's on the backend's pods, ours on Redis's.
    t.is(
      (await kubectl(['get', 'networkpolicy', 'redis', '-n', 'default', '-o', 'name'])).trim(),
      'networkpolicy.networking.k8s.io/redis',
    );
    t.not(
      (
        await kubectl(['get', 'pods', '-n', 'default', '-l', 'serving.knative.dev/service=backend', '-o', 'name'])
      ).trim(),
      '',
    );
    t.regex(
      await kubectl(['get', 'pods', '-n', 'default', '-l', 'app.kubernetes.io/name=redis', '-o', 'name']),
      /^pod\/redis-/,
    );
    const redisSpansOf = (trace: JaegerTrace) =>
      trace.spans.filter((span) => tagOf(span, 'db.system.name') === 'redis' || tagOf(span, 'db.system') === 'redis');
    // Any of the twenty: Traefik now and then never exports one request's spans (its GET and
    // ReverseProxy), which leaves that visit's trace with two roots for good, ours all there.
    const trace = await traceWhen(
      visits.map((one) => one.traceId ?? ''),
      (candidate) => isWhole(candidate) && redisSpansOf(candidate).length >= 2,
    );
    for (const span of redisSpansOf(trace)) {
      const parent = parentOf(trace, span);
      t.is(parent && serviceOf(trace, parent), 'backend', `${span.operationName} sits under a span of the backend`);
    }
    await jaeger?.close();
    jaeger = undefined;
    const deleted = await runTool(t, 'deploy', ['--delete', ...redisArgs]);
    t.is(deleted.code, 0, deleted.output);
    const left = await kubectl(['get', 'ksvc,deployments,pods', '-n', 'default', '-o', 'name']);
    t.is(left.trim(), '');
    t.false((await kubectl(['get', 'services', '-n', 'default', '-o', 'name'])).includes('service/redis'));
    t.is((await kubectl(['get', 'secrets,networkpolicies', '-n', 'default', '-o', 'name'])).trim(), '');
  },
);

/**
 * Each command sent to Redis by redis-cli from a pod of its own that is not the backend's (a container a
 * command, all at once), with no password: what Redis answered each.
 */
async function strangerCommands(commands: string[][]): Promise<string[]> {
  const address = (
    await kubectl(['get', 'service', 'redis', '-n', 'default', '-o', 'jsonpath={.spec.clusterIP}'])
  ).trim();
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'stranger', namespace: 'default' },
    spec: {
      restartPolicy: 'Never',
      containers: commands.map((command, index) => ({
        name: `command-${index}`,
        image: REDIS_IMAGE.name,
        command: ['redis-cli', '-h', address, '-p', '6379', ...command],
      })),
    },
  };
  await kubectl(['apply', '-f', '-'], JSON.stringify(pod));
  try {
    await waitFor(
      'the stranger pod to finish',
      async () =>
        (await kubectl(['get', 'pod', 'stranger', '-n', 'default', '-o', 'jsonpath={.status.phase}'])) ===
          'Succeeded' || undefined,
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    return await Promise.all(
      commands.map(async (_, index) =>
        (await kubectl(['logs', 'stranger', '-n', 'default', '-c', `command-${index}`])).trim(),
      ),
    );
  } finally {
    await kubectl(['delete', 'pod', 'stranger', '-n', 'default', '--wait=true']);
  }
}

test.serial("kn service create with an image the registry lacks fails with Knative's reason", async (t) => {
  t.timeout(SLOW_TEST_MS);
  const kn = await requireKn(process.env);
  const [backend] = documentedKnCommands(await readKnCommandsDocument());
  if (!backend) throw new Error('docs/deploy.md has no kn command');
  const directory = await mkdtemp(join(tmpdir(), 'kn-cluster-'));
  t.teardown(() => rm(directory, { recursive: true, force: true }));
  const missing = `${registry().name}/missing`;
  // Removed even when an assertion fails, so that the next test's kn meets no Service of this one.
  t.teardown(() => kubectl(['delete', 'ksvc', 'backend', '-n', 'default', '--wait=true', '--timeout=120s']));
  const error = await t.throwsAsync(
    runKnCommandOnCluster(kn, backend, { registry: missing, directory, kubeconfig: running().kubeconfig }),
  );
  // kn stops at the first failed condition it sees: the Revision's (RevisionFailed, with the reason)
  // or, a moment earlier, the Configuration's (RevisionMissing). Knative's reason is the Revision's.
  t.regex(error?.message ?? '', /Error: Revision(Failed|Missing): /);
  const revision = JSON.parse(await kubectl(['get', 'revision', 'backend-00001', '-n', 'default', '-o', 'json'])) as {
    status: { conditions?: { type: string; reason?: string; message?: string }[] };
  };
  const ready = revision.status.conditions?.find((condition) => condition.type === 'Ready');
  t.regex(
    ready?.message ?? '',
    new RegExp(
      `^Unable to fetch image "${missing.replaceAll('.', '\\.')}/backend:0\\.1\\.0": failed to resolve image to digest`,
    ),
  );
  t.log(
    error?.message.split('\n').find((line) => line.startsWith('Error: ')),
    ready?.message,
  );
});

test.serial('the documented kn service create commands give Ready Services that answer', async (t) => {
  t.timeout(SLOW_TEST_MS);
  const kn = await requireKn(process.env);
  const commands = documentedKnCommands(await readKnCommandsDocument());
  t.deepEqual(
    commands.map((command) => command.name),
    ['backend', 'frontend'],
  );
  const directory = await mkdtemp(join(tmpdir(), 'kn-cluster-'));
  t.teardown(() => rm(directory, { recursive: true, force: true }));
  for (const command of commands) {
    const output = await runKnCommandOnCluster(kn, command, {
      registry: registry().name,
      directory,
      kubeconfig: running().kubeconfig,
    });
    t.regex(output, new RegExp(`Service '${command.name}' created`), output);
  }
  const answer = await visit();
  t.is(answer.status, 200, answer.body);
  t.is(answer.number, 1, answer.body);
});

test.serial('the cluster comes down clean', async (t) => {
  await jaeger?.close();
  const { namespace, processes } = running();
  const pids = [...processes.map((child) => child.process.pid ?? 0), ...(await clusterPids(running()))];
  await running().stop();
  for (const pid of pids) t.false(await isRunning(pid), `process ${pid} still runs`);
  const { stdout } = await runCommand('ip', ['netns', 'list']);
  t.false(stdout.split('\n').some((line) => line.split(' ')[0] === namespace));
});
