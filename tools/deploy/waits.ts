// The waits of `npm run deploy`: until every Knative Service is Ready (or one's newest Revision cannot
// start), and after --delete until what it deleted is gone. Each polls within one deadline and says
// what changes as it changes.
import { ApiException, type KubernetesObjectApi } from '@kubernetes/client-node';
import { describe, type KubernetesObject } from '../knative/manifests.ts';
import { DeployError, NotReadyError, RevisionFailedError, reasonOf } from './cluster.ts';
import { notReadyMessage, type Readiness, readinessOf, type ServiceState, statusChanges } from './readiness.ts';
import {
  failureLine,
  knativeFailureOf,
  type PodState,
  podFailureOf,
  type RevisionFailure,
} from './revision-failure.ts';

/** `promise`, unless `deadline` (ms since the epoch) comes first: a read that hangs must not outlast --timeout. */
/** How long one read of a Service may take, even when the deadline is closer. */
const READ_GRACE_MS = 5000;

async function beforeDeadline<T>(promise: Promise<T>, deadline: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('no answer before the deadline')), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** What a Service was last seen as, and why it is not Ready yet. */
interface Watched {
  service: KubernetesObject;
  state: ServiceState | undefined;
  readiness: Readiness;
  /** Why its newest Revision cannot start, once Knative or the node says so. */
  failure?: RevisionFailure | undefined;
}

/**
 * What the node says of the pods of the Service's newest Revision (an image it cannot pull), which
 * Knative reports only after its progress deadline. A failed read says nothing: the wait goes on.
 */
async function failureOnNode(client: KubernetesObjectApi, state: ServiceState): Promise<RevisionFailure | undefined> {
  const revision = state.status?.latestCreatedRevisionName;
  const namespace = state.metadata?.namespace;
  if (!revision || !namespace || (state.status?.observedGeneration ?? 0) < (state.metadata?.generation ?? 0)) {
    return undefined;
  }
  try {
    const pods = await beforeDeadline(
      client.list(
        'v1',
        'Pod',
        namespace,
        undefined,
        undefined,
        undefined,
        undefined,
        `serving.knative.dev/revision=${revision}`,
      ),
      Date.now() + READ_GRACE_MS,
    );
    return podFailureOf(revision, pods.items as PodState[]);
  } catch {
    return undefined;
  }
}

/**
 * Polls every Knative Service in `services` until each is Ready (see readinessOf), printing what
 * changes in their status as it changes. One deadline for all of them: at `timeoutMs` it fails, naming
 * each Service still not Ready and why. It fails at once when a Service's newest Revision cannot start
 * (see revision-failure.ts), one line per such Service. Answers each Service's URL, in the order given.
 */
export async function waitUntilReady(
  client: KubernetesObjectApi,
  services: readonly KubernetesObject[],
  {
    timeoutMs,
    intervalMs = 2000,
    progress,
  }: { timeoutMs: number; intervalMs?: number; progress: (line: string) => void },
): Promise<string[]> {
  const started = Date.now();
  const deadline = started + timeoutMs;
  const watched: Watched[] = services.map((service) => ({
    service,
    state: undefined,
    readiness: { ready: false, reason: 'not read yet' },
  }));
  const width = Math.max(...services.map((service) => service.metadata.name.length));
  const say = (service: KubernetesObject, line: string) => {
    const seconds = String(Math.round((Date.now() - started) / 1000)).padStart(4);
    progress(`  ${seconds} s  ${service.metadata.name.padEnd(width)}  ${line}`);
  };
  for (;;) {
    for (const entry of watched) {
      if (entry.readiness.ready) continue;
      let state: ServiceState;
      try {
        // A read may run a little past the deadline: the last round starts at it, and its answer is
        // what the timeout's message reports.
        const readDeadline = Math.max(deadline, Date.now() + READ_GRACE_MS);
        state = (await beforeDeadline(client.read(entry.service as never), readDeadline)) as unknown as ServiceState;
      } catch (error) {
        // Perhaps a moment's trouble: say so, and try again until the deadline.
        const reason = `could not read it: ${reasonOf(error)}`;
        if (entry.readiness.reason !== reason) say(entry.service, reason);
        entry.readiness = { ready: false, reason };
        continue;
      }
      for (const line of statusChanges(entry.state, state)) say(entry.service, line);
      entry.state = state;
      entry.readiness = readinessOf(state);
      if (!entry.readiness.ready) entry.failure = knativeFailureOf(state) ?? (await failureOnNode(client, state));
    }
    const failed = watched.flatMap(({ service, failure }) =>
      failure ? [failureLine(service.metadata.name, failure)] : [],
    );
    if (failed.length > 0) throw new RevisionFailedError(failed.join('\n'));
    const waiting = watched.flatMap(({ service, readiness }) => (readiness.ready ? [] : [{ service, readiness }]));
    if (waiting.length === 0) {
      return watched.map(({ readiness }) => (readiness.ready ? readiness.url : ''));
    }
    const left = deadline - Date.now();
    if (left <= 0) {
      throw new NotReadyError(
        notReadyMessage(
          Math.round(timeoutMs / 1000),
          watched.length,
          waiting.map(({ service, readiness }) => ({ service: describe(service), reason: readiness.reason })),
        ),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, left)));
  }
}

export class NotGoneError extends DeployError {
  override name = 'NotGoneError';
}

/**
 * Polls until every object in `objects` is gone (404), saying which ones are left as that changes.
 * Without it, a `kn service create` right after `--delete` would meet the old Service's Route and
 * Configuration, still being removed.
 */
export async function waitUntilGone(
  client: KubernetesObjectApi,
  objects: readonly KubernetesObject[],
  {
    timeoutMs,
    intervalMs = 1000,
    progress,
  }: { timeoutMs: number; intervalMs?: number; progress: (line: string) => void },
): Promise<void> {
  const started = Date.now();
  let left = [...objects];
  let said = '';
  for (;;) {
    const still: KubernetesObject[] = [];
    for (const object of left) {
      try {
        await beforeDeadline(client.read(object as never), Date.now() + READ_GRACE_MS);
        still.push(object);
      } catch (error) {
        if (!(error instanceof ApiException && error.code === 404)) still.push(object);
      }
    }
    left = still;
    if (left.length === 0) return;
    const names = left.map(describe).join(', ');
    const seconds = Math.round((Date.now() - started) / 1000);
    if (names !== said) progress(`  ${String(seconds).padStart(4)} s  still going: ${names}`);
    said = names;
    if (Date.now() - started >= timeoutMs) {
      throw new NotGoneError(
        `After ${Math.round(timeoutMs / 1000)} s (--timeout) these are still there: ${names}. ` +
          'kubectl describe shows what holds them (a finalizer, or a controller that is not running).',
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
