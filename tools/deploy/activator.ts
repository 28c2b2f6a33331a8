// Knative's tracing keys on a running Knative: deploy applies them, and when that changed them it
// restarts Knative's activator (as `kubectl -n knative-serving rollout restart deploy/activator`
// does), since the activator reads them only when it starts; queue-proxies follow within seconds.
import { ApiException, type KubernetesObjectApi, PatchStrategy } from '@kubernetes/client-node';
import { describe, type KubernetesObject } from '../knative/manifests.ts';
import { applyObject, DeployError, FIELD_MANAGER, PermissionDeniedError } from './cluster.ts';
import { type DeploymentState, drainingOf, type PodMetadata, restartPatch, rolloutOf } from './rollout.ts';
import { activatorRestartFor, dataOf, KNATIVE_NAMESPACE } from './tracing-keys.ts';

export class RolloutNotDoneError extends DeployError {
  override name = 'RolloutNotDoneError';
}

const ACTIVATOR = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'activator', namespace: KNATIVE_NAMESPACE },
};

const isNotFound = (error: unknown) => error instanceof ApiException && error.code === 404;

/** The activator's pods, terminating ones too (as its Deployment's pod template labels them). */
async function activatorPods(client: KubernetesObjectApi): Promise<PodMetadata[]> {
  try {
    const pods = await client.list(
      'v1',
      'Pod',
      KNATIVE_NAMESPACE,
      undefined,
      undefined,
      undefined,
      undefined,
      'app=activator',
    );
    return pods.items as PodMetadata[];
  } catch (error) {
    throw new DeployError(`Could not list Knative's activator pods: ${error instanceof Error ? error.message : error}`);
  }
}

async function readOrUndefined<T>(client: KubernetesObjectApi, object: KubernetesObject): Promise<T | undefined> {
  try {
    return (await client.read(object as never)) as T;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw new DeployError(`Could not read ${describe(object)}: ${error instanceof Error ? error.message : error}`);
  }
}

/**
 * Applies config-observability (`object`) and restarts the activator when that changed our keys.
 * Answers whether it restarted it, so that deploy waits for the rollout.
 */
export async function applyTracingKeys(
  client: KubernetesObjectApi,
  object: KubernetesObject,
  { now = () => new Date(), say }: { now?: () => Date; say: (line: string) => void },
): Promise<boolean> {
  const before = dataOf(await readOrUndefined<KubernetesObject>(client, object));
  const applied = await applyObject(client, object);
  say(`applied: ${describe(object)}`);
  const decision = activatorRestartFor(Object.keys(dataOf(object)), before, dataOf(applied));
  if (!decision.restart) return false;
  const why = `Knative's tracing keys changed (${decision.changed.join(', ')})`;
  if ((await readOrUndefined(client, ACTIVATOR as KubernetesObject)) === undefined) {
    say(`${why}; there is no activator Deployment in ${KNATIVE_NAMESPACE} to restart.`);
    return false;
  }
  try {
    await client.patch(
      { ...ACTIVATOR, ...restartPatch(now()) },
      undefined,
      undefined,
      FIELD_MANAGER,
      undefined,
      PatchStrategy.StrategicMergePatch,
    );
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (error instanceof ApiException && error.code === 403) {
      throw new PermissionDeniedError(
        `${why}, but restarting Knative's activator was refused (${reason}): ` +
          `run kubectl -n ${KNATIVE_NAMESPACE} rollout restart deploy/activator with rights that allow it.`,
      );
    }
    throw new DeployError(`${why}, but Knative's activator could not be restarted: ${reason}`);
  }
  say(
    `${why}: restarted Knative's activator (rollout restart), since it reads them only when it starts; queue-proxies follow within seconds.`,
  );
  return true;
}

/** Polls the activator's Deployment until its rollout is done (see rolloutOf), or `timeoutMs` passes. */
export async function waitForActivatorRollout(
  client: KubernetesObjectApi,
  {
    timeoutMs,
    intervalMs = 1000,
    progress,
  }: { timeoutMs: number; intervalMs?: number; progress: (line: string) => void },
): Promise<void> {
  const started = Date.now();
  let said = '';
  for (;;) {
    const state = await readOrUndefined<DeploymentState>(client, ACTIVATOR as KubernetesObject);
    let rollout = state ? rolloutOf(state) : { done: false, failed: true, reason: 'its Deployment is gone' };
    // The Deployment counts a terminating pod as gone, but the old activator still takes visits while
    // it drains (about a minute), untraced: the restart is done only when no old pod is left.
    if (rollout.done) rollout = drainingOf(await activatorPods(client));
    if (rollout.done) return;
    if (rollout.reason !== said) {
      progress(`  ${String(Math.round((Date.now() - started) / 1000)).padStart(4)} s  activator  ${rollout.reason}`);
    }
    said = rollout.reason;
    const left = started + timeoutMs - Date.now();
    if (rollout.failed || left <= 0) {
      throw new RolloutNotDoneError(
        `Knative's activator did not finish its restart${rollout.failed ? '' : ` within the --timeout`}: ${rollout.reason}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, left)));
  }
}
