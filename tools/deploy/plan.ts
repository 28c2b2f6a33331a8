// What `npm run deploy` applies, computed from the manifests alone: no cluster needed.
import { stringify } from 'yaml';
import type { KubernetesObject, Manifest } from '../manifests.ts';

/** The images built from functions/*\/Dockerfile are named knative-tracing-counter/<function>:<version>. */
export const IMAGE_PREFIX = 'knative-tracing-counter/';

export class PlanError extends Error {
  override name = 'PlanError';
}

export interface PlanOptions {
  /** Where the function images were pushed, e.g. registry.example/alice: replaces "knative-tracing-counter". */
  registry?: string | undefined;
}

interface Container {
  image?: string;
}

function containersOf(object: KubernetesObject): Container[] {
  const spec = object.spec as { template?: { spec?: { containers?: Container[] } } } | undefined;
  return spec?.template?.spec?.containers ?? [];
}

export function planDeploy(manifests: readonly Manifest[], { registry }: PlanOptions = {}): KubernetesObject[] {
  if (registry !== undefined && (registry.includes('://') || !/^[a-z0-9][a-z0-9.:_/-]*[a-z0-9]$/i.test(registry))) {
    throw new PlanError(
      `--registry is "${registry}": expected a registry and path such as registry.example/alice, without a scheme`,
    );
  }
  return manifests.map(({ object }) => {
    const copy = structuredClone(object);
    if (registry) {
      for (const container of containersOf(copy)) {
        if (container.image?.startsWith(IMAGE_PREFIX)) {
          container.image = `${registry}/${container.image.slice(IMAGE_PREFIX.length)}`;
        }
      }
    }
    return copy;
  });
}

/** The plan as one YAML stream, as `--dry-run` prints it. */
export function renderPlan(objects: readonly KubernetesObject[]): string {
  return objects.map((object) => stringify(object)).join('---\n');
}
