// Talking to the cluster with @kubernetes/client-node: server-side apply, waiting for Knative
// Services to be Ready, deleting. Every way it can fail has an error of its own that says what to do.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import {
  ApiException,
  ApisApi,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  VersionApi,
} from '@kubernetes/client-node';
import { describe, type KubernetesObject } from '../knative/manifests.ts';
import { notReadyMessage, type Readiness, readinessOf, type ServiceState, statusChanges } from './readiness.ts';
import {
  failureLine,
  knativeFailureOf,
  type PodState,
  podFailureOf,
  type RevisionFailure,
} from './revision-failure.ts';

export const FIELD_MANAGER = 'knative-tracing-counter';

export class DeployError extends Error {
  override name = 'DeployError';
}
export class NoKubeconfigError extends DeployError {
  override name = 'NoKubeconfigError';
}
export class ClusterUnreachableError extends DeployError {
  override name = 'ClusterUnreachableError';
}
export class UntrustedClusterError extends DeployError {
  override name = 'UntrustedClusterError';
}
/** Node's codes for a server certificate that the trusted authorities do not vouch for. */
const UNTRUSTED_CERTIFICATE = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_SIGNATURE_FAILURE',
]);
export class KnativeMissingError extends DeployError {
  override name = 'KnativeMissingError';
}
export class PermissionDeniedError extends DeployError {
  override name = 'PermissionDeniedError';
}
export class NotReadyError extends DeployError {
  override name = 'NotReadyError';
}
/** A Service's newest Revision cannot start: waiting longer would not help. */
export class RevisionFailedError extends DeployError {
  override name = 'RevisionFailedError';
}

/** The kubeconfig as kubectl finds it: KUBECONFIG, else ~/.kube/config, else in-cluster. */
export function loadKubeConfig(env: NodeJS.ProcessEnv): KubeConfig {
  const config = new KubeConfig();
  if (env.KUBECONFIG) {
    const files = env.KUBECONFIG.split(delimiter).filter(Boolean);
    const missing = files.find((file) => !existsSync(file));
    if (missing !== undefined) throw new NoKubeconfigError(`KUBECONFIG names ${missing}, which does not exist.`);
    config.loadFromFile(files[0] ?? '');
    for (const file of files.slice(1)) {
      const more = new KubeConfig();
      more.loadFromFile(file);
      config.mergeConfig(more);
    }
  } else if (existsSync(join(env.HOME || homedir(), '.kube', 'config'))) {
    config.loadFromFile(join(env.HOME || homedir(), '.kube', 'config'));
  } else if (env.KUBERNETES_SERVICE_HOST) {
    config.loadFromCluster();
  } else {
    throw new NoKubeconfigError(
      'No kubeconfig: KUBECONFIG is not set and ~/.kube/config does not exist. Point KUBECONFIG at the ' +
        'cluster to deploy to (kind, minikube and the cloud CLIs write one), or use --dry-run to see the plan.',
    );
  }
  if (!config.getCurrentCluster()) {
    throw new NoKubeconfigError('The kubeconfig has no current context: choose one with kubectl config use-context.');
  }
  return config;
}

export function serverOf(config: KubeConfig): string {
  return config.getCurrentCluster()?.server ?? '(no server)';
}

function reasonOf(error: unknown): string {
  if (error instanceof ApiException) {
    const body = typeof error.body === 'string' ? safeJson(error.body) : error.body;
    const message = (body as { message?: string } | undefined)?.message;
    return message ?? `HTTP ${error.code}`;
  }
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return `${error.message}${cause}`;
  }
  return String(error);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { message: text };
  }
}

/** Fails early and plainly: the cluster must answer, and Knative Serving must be installed. */
export async function checkCluster(config: KubeConfig): Promise<void> {
  const server = serverOf(config);
  try {
    await config.makeApiClient(VersionApi).getCode();
  } catch (error) {
    if (error instanceof ApiException && (error.code === 401 || error.code === 403)) {
      throw new PermissionDeniedError(`The cluster at ${server} refused our credentials: ${reasonOf(error)}`);
    }
    if (!(error instanceof ApiException)) {
      const code = (error as { cause?: { code?: string } }).cause?.code ?? '';
      if (UNTRUSTED_CERTIFICATE.has(code)) {
        throw new UntrustedClusterError(
          `The cluster at ${server} answered with a certificate that the kubeconfig's certificate-authority ` +
            `did not sign (${code}): is the kubeconfig of this cluster, and its certificate-authority-data current?`,
        );
      }
      throw new ClusterUnreachableError(`Cannot reach the cluster at ${server}: ${reasonOf(error)}`);
    }
  }
  const groups = await config.makeApiClient(ApisApi).getAPIVersions();
  if (!groups.groups.some((group) => group.name === 'serving.knative.dev')) {
    throw new KnativeMissingError(
      `Knative Serving is not installed in the cluster at ${server}: it serves no serving.knative.dev API ` +
        '(its CRDs are missing). Install Knative Serving first, then deploy again.',
    );
  }
}

/** Server-side apply; answers the object as the API server holds it after the apply. */
export async function applyObject(client: KubernetesObjectApi, object: KubernetesObject): Promise<KubernetesObject> {
  try {
    return await client.patch(object, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
  } catch (error) {
    if (error instanceof ApiException && error.code === 403) {
      throw new PermissionDeniedError(`Permission denied to apply ${describe(object)}: ${reasonOf(error)}`);
    }
    throw new DeployError(`Could not apply ${describe(object)}: ${reasonOf(error)}`);
  }
}

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

/**
 * Removes what deploy created. Objects of other owners are left alone: for Knative's own
 * config-observability, only the keys we applied are given up (an empty apply by our field manager).
 */
export async function removeObject(
  client: KubernetesObjectApi,
  object: KubernetesObject,
): Promise<'deleted' | 'absent' | 'released'> {
  try {
    if (object.metadata.namespace === 'knative-serving') {
      const { apiVersion, kind, metadata } = object;
      await client.patch(
        { apiVersion, kind, metadata: { name: metadata.name, namespace: metadata.namespace } },
        undefined,
        undefined,
        FIELD_MANAGER,
        true,
        PatchStrategy.ServerSideApply,
      );
      return 'released';
    }
    // Foreground: the object stays (marked for deletion) until what it owns is gone, so that its
    // absence means its Revisions, Routes and Deployments are gone too (see waitUntilGone).
    await client.delete(object, undefined, undefined, undefined, undefined, 'Foreground');
    return 'deleted';
  } catch (error) {
    if (error instanceof ApiException && error.code === 404) return 'absent';
    if (error instanceof ApiException && error.code === 403) {
      throw new PermissionDeniedError(`Permission denied to delete ${describe(object)}: ${reasonOf(error)}`);
    }
    throw new DeployError(`Could not delete ${describe(object)}: ${reasonOf(error)}`);
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

export function objectClient(config: KubeConfig): KubernetesObjectApi {
  return KubernetesObjectApi.makeApiClient(config);
}
