// When `npm run deploy` restarts Knative's activator (its tracing keys changed by the apply, and only
// then), and when the restart's rollout counts as done: the pure judgements, on data in the shape the
// API server returns. The real restart runs in test/cluster/deploy-knative.test.ts.
import test from 'ava';
import { type DeploymentState, drainingOf, RESTARTED_AT, restartPatch, rolloutOf } from '../../tools/deploy/rollout.ts';
import {
  activatorRestartFor,
  type ConfigData,
  dataOf,
  isKnativeObservability,
} from '../../tools/deploy/tracing-keys.ts';
import { loadProjectManifests } from '../../tools/knative/manifests.ts';

const ours = {
  'tracing-protocol': 'grpc',
  'tracing-endpoint': 'http://jaeger-collector.observability.svc.cluster.local:4317',
  'tracing-sampling-rate': '1',
};
const knativeOwn = { _example: '# the defaults, as comments' };

const decisionCases: [string, ConfigData, ConfigData, ReturnType<typeof activatorRestartFor>][] = [
  [
    'a fresh Knative: our keys were missing',
    knativeOwn,
    { ...knativeOwn, ...ours },
    {
      restart: true,
      changed: ['tracing-endpoint', 'tracing-protocol', 'tracing-sampling-rate'],
    },
  ],
  [
    'another endpoint before',
    { ...ours, 'tracing-endpoint': 'http://old:4317' },
    ours,
    { restart: true, changed: ['tracing-endpoint'] },
  ],
  [
    'tracing was off (protocol none, no endpoint)',
    { 'tracing-protocol': 'none' },
    ours,
    {
      restart: true,
      changed: ['tracing-endpoint', 'tracing-protocol', 'tracing-sampling-rate'],
    },
  ],
  ['a re-deploy: the same values', { ...knativeOwn, ...ours }, { ...knativeOwn, ...ours }, { restart: false }],
  [
    'only a key of Knative that is not ours changed',
    { ...ours, 'metrics-protocol': 'none' },
    { ...ours, 'metrics-protocol': 'prometheus' },
    { restart: false },
  ],
];

for (const [what, before, after, expected] of decisionCases) {
  test(`activator restart: ${what}`, (t) => {
    t.deepEqual(activatorRestartFor(Object.keys(ours), before, after), expected);
  });
}

test("deploy's own config-observability is the one it judges, and its keys are the tracing keys", async (t) => {
  const found = (await loadProjectManifests()).filter(({ object }) => isKnativeObservability(object));
  t.is(found.length, 1);
  t.deepEqual(Object.keys(dataOf(found[0]?.object)).sort(), Object.keys(ours).sort());
});

// The activator's Deployment as the API server answers it, one replica wanted.
function activator(generation: number, status: NonNullable<DeploymentState['status']>): DeploymentState {
  return {
    metadata: { name: 'activator', namespace: 'knative-serving', generation },
    spec: { replicas: 1, selector: {}, template: {} },
    status,
  };
}

const rolloutCases: [string, DeploymentState, ReturnType<typeof rolloutOf>][] = [
  [
    'just patched: the new generation not yet observed',
    activator(2, { observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: 1 }),
    { done: false, failed: false, reason: 'generation 2 not yet observed (status of 1)' },
  ],
  [
    'observed, the new pod not yet created',
    activator(2, { observedGeneration: 2, replicas: 1, updatedReplicas: 0, availableReplicas: 1 }),
    { done: false, failed: false, reason: '0 of 1 new replicas updated' },
  ],
  [
    'the new pod runs, the old one drains',
    activator(2, { observedGeneration: 2, replicas: 2, updatedReplicas: 1, availableReplicas: 1 }),
    { done: false, failed: false, reason: '1 old replicas pending termination' },
  ],
  [
    'the old one gone, the new one not yet available',
    activator(2, { observedGeneration: 2, replicas: 1, updatedReplicas: 1, availableReplicas: 0 }),
    { done: false, failed: false, reason: '0 of 1 updated replicas available' },
  ],
  [
    'stuck past its progress deadline',
    activator(2, {
      observedGeneration: 2,
      replicas: 2,
      updatedReplicas: 1,
      availableReplicas: 1,
      conditions: [
        {
          type: 'Progressing',
          status: 'False',
          reason: 'ProgressDeadlineExceeded',
          message: 'ReplicaSet "activator-7d9f" has timed out progressing.',
        },
      ],
    }),
    {
      done: false,
      failed: true,
      reason: 'ProgressDeadlineExceeded: ReplicaSet "activator-7d9f" has timed out progressing.',
    },
  ],
  [
    'done: observed, updated, no old replica, available',
    activator(2, {
      observedGeneration: 2,
      replicas: 1,
      updatedReplicas: 1,
      availableReplicas: 1,
      conditions: [{ type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' }],
    }),
    { done: true },
  ],
];

for (const [what, state, expected] of rolloutCases) {
  test(`activator rollout: ${what}`, (t) => {
    t.deepEqual(rolloutOf(state), expected);
  });
}

test("the restart patch is kubectl rollout restart's: the pod template's restartedAt, in RFC 3339", (t) => {
  t.deepEqual(restartPatch(new Date('2026-12-05T21:40:07.123Z')), {
    spec: { template: { metadata: { annotations: { [RESTARTED_AT]: '2026-12-05T21:40:07Z' } } } },
  });
  t.is(RESTARTED_AT, 'kubectl.kubernetes.io/restartedAt');
});

test("a restart is done only once the old activator pod has drained: the Deployment's status already counts it gone", (t) => {
  t.deepEqual(drainingOf([{ metadata: { name: 'activator-new' } }]), { done: true });
  t.deepEqual(
    drainingOf([
      { metadata: { name: 'activator-old', deletionTimestamp: '2026-12-05T22:00:00Z' } },
      { metadata: { name: 'activator-new' } },
    ]),
    { done: false, failed: false, reason: 'old pod activator-old still draining' },
  );
});
