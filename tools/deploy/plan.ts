// What `npm run deploy` applies, computed from the manifests alone: no cluster needed.
import { stringify } from 'yaml';
import type { KubernetesObject, Manifest } from '../knative/manifests.ts';

/** The images built from functions/*\/Dockerfile are named knative-tracing-counter/<function>:<version>. */
export const IMAGE_PREFIX = 'knative-tracing-counter/';

export class PlanError extends Error {
  override name = 'PlanError';
}

export interface PlanOptions {
  /** Where the function images were pushed, e.g. registry.example/alice: replaces "knative-tracing-counter". */
  registry?: string | undefined;
  /** Jaeger's image in place of jaeger/10-deployment.yaml's, e.g. a mirror's copy, or dev.local/jaeger:2.13.0 here. */
  jaegerImage?: string | undefined;
  /** Redis's image in place of redis/deployment.yaml's (the counter's Redis mode), as jaegerImage. */
  redisImage?: string | undefined;
}

/** jaeger/10-deployment.yaml's image: Jaeger's own, from its public registry. */
const JAEGER_IMAGE = /^jaegertracing\/jaeger:/;
/** redis/deployment.yaml's image: the official one. */
const REDIS_IMAGE = /^redis:/;
const IMAGE_REFERENCE = /^[a-z0-9][a-z0-9.:_/-]*[a-z0-9](@sha256:[a-f0-9]{64})?$/i;

interface Container {
  image?: string;
}

function containersOf(object: KubernetesObject): Container[] {
  const spec = object.spec as { template?: { spec?: { containers?: Container[] } } } | undefined;
  return spec?.template?.spec?.containers ?? [];
}

export function planDeploy(
  manifests: readonly Manifest[],
  { registry, jaegerImage, redisImage }: PlanOptions = {},
): KubernetesObject[] {
  if (registry !== undefined && (registry.includes('://') || !/^[a-z0-9][a-z0-9.:_/-]*[a-z0-9]$/i.test(registry))) {
    throw new PlanError(
      `--registry is "${registry}": expected a registry and path such as registry.example/alice, without a scheme`,
    );
  }
  if (jaegerImage !== undefined && (jaegerImage.includes('://') || !IMAGE_REFERENCE.test(jaegerImage))) {
    throw new PlanError(
      `--jaeger-image is "${jaegerImage}": expected an image such as registry.example/mirror/jaeger:2.13.0, without a scheme`,
    );
  }
  if (redisImage !== undefined && (redisImage.includes('://') || !IMAGE_REFERENCE.test(redisImage))) {
    throw new PlanError(
      `--redis-image is "${redisImage}": expected an image such as registry.example/mirror/redis:8.10.2-trixie, without a scheme`,
    );
  }
  return manifests.map(({ object }) => {
    const copy = structuredClone(object);
    for (const container of containersOf(copy)) {
      if (registry && container.image?.startsWith(IMAGE_PREFIX)) {
        container.image = `${registry}/${container.image.slice(IMAGE_PREFIX.length)}`;
      } else if (jaegerImage && container.image && JAEGER_IMAGE.test(container.image)) {
        container.image = jaegerImage;
      } else if (redisImage && container.image && REDIS_IMAGE.test(container.image)) {
        container.image = redisImage;
      }
    }
    return copy;
  });
}

/** The plan as one YAML stream, as `--dry-run` prints it. */
export function renderPlan(objects: readonly KubernetesObject[]): string {
  return objects.map((object) => stringify(object)).join('---\n');
}
