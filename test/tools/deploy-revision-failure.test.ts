// When `npm run deploy` stops before its --timeout because a Service's newest Revision cannot start:
// Knative's verdict on the Service, and the node's on the Revision's pods, on objects in the shape the
// API server returns (conditions and messages as Knative Serving 1.23 writes them). The real failure
// runs in test/cluster/deploy-knative.test.ts.
import test from 'ava';
import type { ServiceState } from '../../tools/deploy/readiness.ts';
import {
  failureLine,
  knativeFailureOf,
  type PodState,
  podFailureOf,
  type RevisionFailure,
} from '../../tools/deploy/revision-failure.ts';

function service(generation: number, status: NonNullable<ServiceState['status']> | undefined): ServiceState {
  return { metadata: { name: 'backend', namespace: 'default', generation }, ...(status ? { status } : {}) };
}

// configuration_lifecycle.go MarkLatestCreatedFailed, with revision_lifecycle.go's ContainerMissing
// message (a tag Knative's controller could not resolve), as the Service propagates it.
const unableToFetch =
  'Revision "backend-00001" failed with message: Unable to fetch image "registry.example/alice/backend:0.1.0": ' +
  'failed to resolve image to digest: GET https://registry.example/v2/alice/backend/manifests/0.1.0: MANIFEST_UNKNOWN.';
const revisionFailed = {
  type: 'ConfigurationsReady',
  status: 'False',
  reason: 'RevisionFailed',
  message: unableToFetch,
};
const waiting = {
  type: 'ConfigurationsReady',
  status: 'Unknown',
  reason: 'RevisionMissing',
  message: 'Configuration "backend" is waiting for a Revision to become ready.',
};

const knativeCases: [string, ServiceState, RevisionFailure | undefined][] = [
  ['no status yet', service(1, undefined), undefined],
  [
    'still deploying: Ready Unknown',
    service(1, {
      observedGeneration: 1,
      latestCreatedRevisionName: 'backend-00001',
      conditions: [waiting, { ...waiting, type: 'Ready' }],
    }),
    undefined,
  ],
  [
    'the Revision failed: ConfigurationsReady and Ready False, RevisionFailed',
    service(1, {
      observedGeneration: 1,
      latestCreatedRevisionName: 'backend-00001',
      conditions: [revisionFailed, { ...revisionFailed, type: 'Ready' }, { type: 'RoutesReady', status: 'Unknown' }],
    }),
    { reason: 'RevisionFailed', message: unableToFetch },
  ],
  [
    'the container exits: ExitCode1 in the message',
    service(3, {
      observedGeneration: 3,
      latestCreatedRevisionName: 'backend-00003',
      latestReadyRevisionName: 'backend-00002',
      conditions: [
        {
          type: 'Ready',
          status: 'False',
          reason: 'RevisionFailed',
          message: 'Revision "backend-00003" failed with message: Container failed with: Error: boom\n    at main.',
        },
      ],
    }),
    {
      reason: 'RevisionFailed',
      message: 'Revision "backend-00003" failed with message: Container failed with: Error: boom at main.',
    },
  ],
  [
    'a failure of the previous generation, before the new one is observed: not yet a verdict',
    service(2, {
      observedGeneration: 1,
      latestCreatedRevisionName: 'backend-00001',
      conditions: [revisionFailed, { ...revisionFailed, type: 'Ready' }],
    }),
    undefined,
  ],
  [
    'Ready False from the route, ConfigurationsReady True: Ready names it',
    service(1, {
      observedGeneration: 1,
      conditions: [
        { type: 'ConfigurationsReady', status: 'True' },
        {
          type: 'Ready',
          status: 'False',
          reason: 'NotOwned',
          message: 'There is an existing Route "backend" that we do not own.',
        },
      ],
    }),
    { reason: 'NotOwned', message: 'There is an existing Route "backend" that we do not own.' },
  ],
];

for (const [what, state, expected] of knativeCases) {
  test(`Knative's verdict: ${what}`, (t) => {
    t.deepEqual(knativeFailureOf(state), expected);
  });
}

// A Revision's pod as the API server answers it: the function's container, then queue-proxy.
function pod(functionState: object, queueState: object = { running: {} }): PodState {
  return {
    metadata: { name: 'backend-00001-deployment-5d8f7c9b4-x2x7q', namespace: 'default' },
    status: {
      phase: 'Pending',
      containerStatuses: [
        {
          name: 'backend',
          image: 'dev.local/missing/backend:0.1.0',
          imageID: '',
          ready: false,
          restartCount: 0,
          state: functionState,
        },
        {
          name: 'queue-proxy',
          image: 'dev.local/queue:v0.50.0',
          imageID: '',
          ready: false,
          restartCount: 0,
          state: queueState,
        },
      ],
    },
  };
}
const backOff = 'Back-off pulling image "dev.local/missing/backend:0.1.0": ErrImagePull: failed to resolve reference';

const podCases: [string, PodState[], RevisionFailure | undefined][] = [
  ['no pod yet', [], undefined],
  ['being created', [pod({ waiting: { reason: 'ContainerCreating' } })], undefined],
  ['running', [pod({ running: { startedAt: '2026-12-05T21:40:07Z' } })], undefined],
  [
    'the image cannot be pulled: ImagePullBackOff',
    [pod({ waiting: { reason: 'ImagePullBackOff', message: backOff } })],
    {
      reason: 'ImagePullBackOff',
      message: `Revision "backend-00001" cannot start: pod backend-00001-deployment-5d8f7c9b4-x2x7q, container backend: ${backOff}`,
    },
  ],
  [
    'the first pull failed: ErrImagePull',
    [pod({ waiting: { reason: 'ErrImagePull' } })],
    {
      reason: 'ErrImagePull',
      message:
        'Revision "backend-00001" cannot start: pod backend-00001-deployment-5d8f7c9b4-x2x7q, container backend: image dev.local/missing/backend:0.1.0',
    },
  ],
  [
    "queue-proxy's image is Knative's business, not the function's",
    [pod({ running: {} }, { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image' } })],
    undefined,
  ],
  [
    'a crash is left to Knative (ExitCode in its verdict)',
    [pod({ waiting: { reason: 'CrashLoopBackOff' } })],
    undefined,
  ],
];

for (const [what, pods, expected] of podCases) {
  test(`the node's verdict: ${what}`, (t) => {
    t.deepEqual(podFailureOf('backend-00001', pods), expected);
  });
}

test("one line, naming the Service, then Knative's reason and message", (t) => {
  t.is(
    failureLine('backend', { reason: 'RevisionFailed', message: unableToFetch }),
    `backend: RevisionFailed: ${unableToFetch}`,
  );
  t.is(failureLine('frontend', { reason: 'RevisionFailed', message: '' }), 'frontend: RevisionFailed');
});
