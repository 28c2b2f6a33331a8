// When a Knative Service read back from the cluster is Ready, and what changed in its status since the
// last read: pure functions of the object, so that they are tested without a cluster.
import type { IService } from '@kubernetes-models/knative/serving.knative.dev/v1/Service';

/** What deploy reads of a Knative Service: its metadata and status, as the API server answers them. */
export type ServiceState = Pick<IService, 'metadata' | 'status'>;

export type Readiness = { ready: true; url: string } | { ready: false; reason: string };

type Condition = NonNullable<NonNullable<ServiceState['status']>['conditions']>[number];

function describeCondition({ status, reason, message }: Condition): string {
  const why = [reason, message].filter(Boolean).join(': ');
  return why ? `${status} (${why})` : status;
}

/**
 * Ready only when the status is about the spec just applied, and about its newest revision: a status
 * of an earlier generation, or a Ready condition left by the previous revision, says nothing of it.
 */
export function readinessOf({ metadata, status }: ServiceState): Readiness {
  const generation = metadata?.generation;
  const observed = status?.observedGeneration;
  if (generation === undefined || observed === undefined || observed < generation) {
    return {
      ready: false,
      reason:
        observed === undefined
          ? `generation ${generation ?? '?'} not yet observed (no status yet)`
          : `generation ${generation ?? '?'} not yet observed (the status is of generation ${observed})`,
    };
  }
  const ready = status?.conditions?.find((condition) => condition.type === 'Ready');
  if (ready?.status !== 'True') {
    return { ready: false, reason: ready ? `Ready ${describeCondition(ready)}` : 'no Ready condition yet' };
  }
  const created = status?.latestCreatedRevisionName;
  const latestReady = status?.latestReadyRevisionName;
  if (created === undefined || created !== latestReady) {
    return {
      ready: false,
      reason: `revision ${created ?? '?'} not yet ready (the latest ready one is ${latestReady ?? 'none'})`,
    };
  }
  return { ready: true, url: status?.url ?? '' };
}

/**
 * One line for each thing that changed between two reads of the same Service: each condition (Ready,
 * ConfigurationsReady, RoutesReady, whatever the status holds) with its reason and message, the
 * generation observed, and the revisions created and ready. Nothing when nothing changed.
 */
export function statusChanges(previous: ServiceState | undefined, current: ServiceState): string[] {
  const lines: string[] = [];
  const generation = current.metadata?.generation;
  const observed = current.status?.observedGeneration;
  if (
    previous === undefined ||
    generation !== previous.metadata?.generation ||
    observed !== previous.status?.observedGeneration
  ) {
    lines.push(
      observed !== undefined && generation !== undefined && observed >= generation
        ? `generation ${generation} observed`
        : `generation ${generation ?? '?'} not yet observed (status of ${observed ?? 'none'})`,
    );
  }
  const created = current.status?.latestCreatedRevisionName;
  const latestReady = current.status?.latestReadyRevisionName;
  if (
    created !== previous?.status?.latestCreatedRevisionName ||
    latestReady !== previous?.status?.latestReadyRevisionName
  ) {
    lines.push(`revision ${created ?? 'none'} created, ${latestReady ?? 'none'} ready`);
  }
  const before = new Map((previous?.status?.conditions ?? []).map((condition) => [condition.type, condition]));
  for (const condition of current.status?.conditions ?? []) {
    const old = before.get(condition.type);
    before.delete(condition.type);
    if (old && describeCondition(old) === describeCondition(condition)) continue;
    lines.push(`${condition.type} ${describeCondition(condition)}`);
  }
  for (const type of before.keys()) lines.push(`${type} no longer reported`);
  return lines;
}

/** Why deploy gave up at its --timeout: each Service still not Ready, with the reason readinessOf gave. */
export function notReadyMessage(
  timeoutSeconds: number,
  total: number,
  waiting: readonly { service: string; reason: string }[],
): string {
  return [
    `Not Ready after ${timeoutSeconds} s (--timeout): ${waiting.length} of ${total} Knative Services`,
    ...waiting.map(({ service, reason }) => `  ${service}: ${reason}`),
  ].join('\n');
}
