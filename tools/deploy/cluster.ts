// Talking to the cluster with @kubernetes/client-node: server-side apply, deleting (the waits that
// follow them are in waits.ts). Every way it can fail has an error of its own that says what to do.
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

export function reasonOf(error: unknown): string {
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

export function objectClient(config: KubeConfig): KubernetesObjectApi {
  return KubernetesObjectApi.makeApiClient(config);
}
