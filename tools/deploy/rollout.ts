// A Deployment's rollout, judged as `kubectl rollout status` judges it, and the patch of
// `kubectl rollout restart`: pure functions of the object, so that they are tested without a cluster.
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';

/** What deploy reads of a Deployment: its metadata, spec and status, as the API server answers them. */
export type DeploymentState = Pick<IDeployment, 'metadata' | 'spec' | 'status'>;

export type Rollout = { done: true } | { done: false; failed: boolean; reason: string };

/** The annotation `kubectl rollout restart` sets on the pod template: a new value makes new pods. */
export const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';

/** The strategic-merge patch `kubectl rollout restart` sends, at `now` (RFC 3339, seconds, as kubectl writes it). */
export function restartPatch(now: Date) {
  return {
    spec: { template: { metadata: { annotations: { [RESTARTED_AT]: now.toISOString().replace(/\.\d+Z$/, 'Z') } } } },
  };
}

/**
 * Done when the controller has seen the latest spec, every replica runs it, no old replica is left,
 * and every replica is available. A
 * Progressing condition with ProgressDeadlineExceeded means it will not get there by itself.
 */
export function rolloutOf({ metadata, spec, status }: DeploymentState): Rollout {
  const generation = metadata?.generation ?? 0;
  const observed = status?.observedGeneration ?? 0;
  if (observed < generation) {
    return { done: false, failed: false, reason: `generation ${generation} not yet observed (status of ${observed})` };
  }
  const progressing = status?.conditions?.find((condition) => condition.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') {
    return { done: false, failed: true, reason: `ProgressDeadlineExceeded: ${progressing.message ?? ''}`.trim() };
  }
  const wanted = spec?.replicas ?? 1;
  const updated = status?.updatedReplicas ?? 0;
  const replicas = status?.replicas ?? 0;
  const available = status?.availableReplicas ?? 0;
  if (updated < wanted) {
    return { done: false, failed: false, reason: `${updated} of ${wanted} new replicas updated` };
  }
  if (replicas > updated) {
    return { done: false, failed: false, reason: `${replicas - updated} old replicas pending termination` };
  }
  if (available < wanted) {
    return { done: false, failed: false, reason: `${available} of ${wanted} updated replicas available` };
  }
  return { done: true };
}

/** What a rollout's wait reads of a pod: its name and whether it is being deleted. */
export interface PodMetadata {
  metadata?: { name?: string; deletionTimestamp?: Date | string };
}

/**
 * Done when none of the Deployment's pods is terminating: the status counts a terminating pod as gone
 * while it still drains the requests it holds.
 */
export function drainingOf(pods: readonly PodMetadata[]): Rollout {
  const draining = pods.filter((pod) => pod.metadata?.deletionTimestamp).map((pod) => pod.metadata?.name ?? '?');
  return draining.length === 0
    ? { done: true }
    : { done: false, failed: false, reason: `old pod ${draining.join(', ')} still draining` };
}
