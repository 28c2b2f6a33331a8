// Redis's password in the counter's Redis mode: a Secret that no manifest carries (a password in the
// repository would be everybody's), made by `npm run deploy` with a random value when it is absent and
// kept when present, so that a second deploy does not change the password under a running Redis.
// redis/deployment.yaml hands it to redis-server, redis/backend.yaml to the backend
// (COUNTER_STORE_PASSWORD); `--delete` removes it with the rest.
import { randomBytes } from 'node:crypto';
import { ApiException, type KubernetesObjectApi } from '@kubernetes/client-node';
import { describe, type KubernetesObject } from '../knative/manifests.ts';
import { DeployError, PermissionDeniedError, reasonOf } from './cluster.ts';

/** The Secret and key the Redis mode's manifests read the password from (a test holds them to it). */
export const REDIS_PASSWORD_SECRET = { name: 'redis', namespace: 'default', key: 'password' } as const;

/** The Secret as `--delete` names it: no data, which a deletion does not need. */
export const REDIS_SECRET_OBJECT: KubernetesObject = {
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: REDIS_PASSWORD_SECRET.name, namespace: REDIS_PASSWORD_SECRET.namespace },
};

/** 32 random bytes, base64url: 43 characters that need no quoting in a shell or on Redis's command line. */
export function newRedisPassword(): string {
  return randomBytes(32).toString('base64url');
}

/** Creates the Secret with a new password unless it exists; answers which. */
export async function ensureRedisSecret(client: KubernetesObjectApi): Promise<'created' | 'kept'> {
  const secret = {
    ...REDIS_SECRET_OBJECT,
    metadata: { ...REDIS_SECRET_OBJECT.metadata, labels: { 'app.kubernetes.io/part-of': 'knative-tracing-counter' } },
    type: 'Opaque',
    stringData: { [REDIS_PASSWORD_SECRET.key]: newRedisPassword() },
  };
  try {
    await client.create(secret);
    return 'created';
  } catch (error) {
    if (error instanceof ApiException && error.code === 409) return 'kept';
    if (error instanceof ApiException && error.code === 403) {
      throw new PermissionDeniedError(`Permission denied to create ${describe(secret)}: ${reasonOf(error)}`);
    }
    throw new DeployError(`Could not create ${describe(secret)} (Redis's password): ${reasonOf(error)}`);
  }
}
