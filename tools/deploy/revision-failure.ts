// When a Knative Service's newest Revision cannot start, from what Knative and the node report: pure
// functions of the objects as the API server answers them, so that they are tested without a cluster.
import type { IPod } from 'kubernetes-models/v1/Pod';
import type { ServiceState } from './readiness.ts';

/** What deploy reads of a Revision's pod. */
export type PodState = Pick<IPod, 'metadata' | 'status'>;

export interface RevisionFailure {
  reason: string;
  message: string;
}

type Condition = NonNullable<NonNullable<ServiceState['status']>['conditions']>[number];

/**
 * Knative's own verdict. A Service has failed, as Knative's IsFailed says, when its status is of the
 * generation just applied and Ready is False: Knative sets Ready False only for what will not mend by
 * waiting (the Revision failed: RevisionFailed, with the Revision's reason in the message, e.g.
 * "Unable to fetch image" when a tag cannot be resolved, ExitCode1 when the container exits,
 * Unschedulable; or an object it does not own). While a Revision is still deploying, Ready is Unknown.
 * ConfigurationsReady holds the Revision's failure word for word; Ready repeats it, or names the route's.
 */
export function knativeFailureOf({ metadata, status }: ServiceState): RevisionFailure | undefined {
  const generation = metadata?.generation;
  const observed = status?.observedGeneration;
  if (generation === undefined || observed === undefined || observed < generation) return undefined;
  const find = (type: string) => status?.conditions?.find((condition: Condition) => condition.type === type);
  const ready = find('Ready');
  if (ready?.status !== 'False') return undefined;
  const configurations = find('ConfigurationsReady');
  const why = configurations?.status === 'False' ? configurations : ready;
  return { reason: why.reason ?? 'Failed', message: oneLine(why.message ?? '') };
}

/**
 * Waiting reasons of a container whose image the node cannot have. Knative itself reports a waiting
 * container only after the Deployment's progress deadline (config-deployment's progress-deadline,
 * 600 s by default), far beyond any sensible --timeout, so deploy reads them from the pods itself.
 */
export const IMAGE_FAILURES: ReadonlySet<string> = new Set([
  'ErrImagePull',
  'ImagePullBackOff',
  'InvalidImageName',
  'ErrImageNeverPull',
]);

/** Knative's sidecar in every Revision's pod; its image is Knative's, not the function's. */
const QUEUE_PROXY = 'queue-proxy';

/** The first of `pods` (the Revision `revision`'s) whose function container cannot get its image. */
export function podFailureOf(revision: string, pods: readonly PodState[]): RevisionFailure | undefined {
  for (const pod of pods) {
    for (const container of pod.status?.containerStatuses ?? []) {
      const waiting = container.state?.waiting;
      if (container.name === QUEUE_PROXY || !waiting?.reason || !IMAGE_FAILURES.has(waiting.reason)) continue;
      return {
        reason: waiting.reason,
        message: oneLine(
          `Revision "${revision}" cannot start: pod ${pod.metadata?.name ?? '?'}, container ${container.name}: ` +
            (waiting.message ?? `image ${container.image}`),
        ),
      };
    }
  }
  return undefined;
}

/** `backend: RevisionFailed: Revision "backend-00001" failed with message: ...`: one line per Service. */
export function failureLine(service: string, { reason, message }: RevisionFailure): string {
  return message ? `${service}: ${reason}: ${message}` : `${service}: ${reason}`;
}

const oneLine = (text: string) => text.replace(/\s*\n\s*/g, ' ').trim();
