// Field-by-field comparison of two Knative Services, e.g. the one `kn service create` writes and the
// one knative/ declares: the answer is the paths of the fields whose values differ.
import type { KubernetesObject } from '../knative/manifests.ts';

/**
 * Knative's defaults (config-defaults and the revision defaults, Knative 1.23) for fields a command
 * may leave out: a field missing on one side and holding its default on the other is no difference,
 * because Knative's defaulting fills it in the same.
 */
export const KNATIVE_DEFAULTS: Readonly<Record<string, unknown>> = {
  'spec.template.spec.timeoutSeconds': 300,
  'spec.template.spec.containerConcurrency': 0,
  'spec.template.spec.containers[0].ports[0].containerPort': 8080,
};

type Leaves = Map<string, unknown>;

function segment(key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

/**
 * Every scalar of the object under its path, e.g. `spec.template.spec.containers[0].image` or
 * `spec.template.metadata.annotations["autoscaling.knative.dev/max-scale"]`. Empty values (null, "",
 * {} and []) are left out: Kubernetes reads them as unset, and kn writes some (`status: {}`). A list of
 * environment variables is keyed by name (`...env.OTEL_SERVICE_NAME.value`), since its order means nothing here.
 */
function leaves(value: unknown, path: string, into: Leaves): Leaves {
  if (value === null || value === undefined || value === '') return into;
  if (Array.isArray(value)) {
    const isEnv = path.endsWith('.env') && value.every((item) => typeof item?.name === 'string');
    value.forEach((item, index) => {
      if (isEnv) {
        const { name, ...source } = item as { name: string };
        leaves(source, `${path}${segment(name)}`, into);
      } else {
        leaves(item, `${path}[${index}]`, into);
      }
    });
    return into;
  }
  if (typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) leaves(child, `${path}${segment(key)}`, into);
    return into;
  }
  into.set(path, value);
  return into;
}

function fields(object: KubernetesObject): Leaves {
  const found = leaves(object, '', new Map());
  return new Map([...found].map(([path, value]) => [path.replace(/^\./, ''), value]));
}

function isDefault(path: string, value: unknown): boolean {
  return Object.hasOwn(KNATIVE_DEFAULTS, path) && KNATIVE_DEFAULTS[path] === value;
}

export interface Difference {
  path: string;
  /** undefined when the field is missing. */
  expected: unknown;
  actual: unknown;
}

/** The fields whose values differ between the two Services, by path, sorted. */
export function serviceDifferences(expected: KubernetesObject, actual: KubernetesObject): Difference[] {
  const wanted = fields(expected);
  const got = fields(actual);
  const differences: Difference[] = [];
  for (const path of new Set([...wanted.keys(), ...got.keys()])) {
    const [expectedValue, actualValue] = [wanted.get(path), got.get(path)];
    if (expectedValue === actualValue) continue;
    if (actualValue === undefined && isDefault(path, expectedValue)) continue;
    if (expectedValue === undefined && isDefault(path, actualValue)) continue;
    differences.push({ path, expected: expectedValue, actual: actualValue });
  }
  return differences.sort((a, b) => a.path.localeCompare(b.path));
}
