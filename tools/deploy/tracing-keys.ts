// Knative's tracing keys (config-observability in knative-serving), as deploy applies them: whether
// applying them changed what Knative's activator runs with. A pure function of the ConfigMap's data
// before and after, so that it is tested without a cluster.
import type { KubernetesObject } from '../knative/manifests.ts';

export const KNATIVE_NAMESPACE = 'knative-serving';
export const OBSERVABILITY_CONFIG_MAP = 'config-observability';

export type ConfigData = Readonly<Record<string, string>>;

export function isKnativeObservability(object: KubernetesObject): boolean {
  return (
    object.apiVersion === 'v1' &&
    object.kind === 'ConfigMap' &&
    object.metadata.namespace === KNATIVE_NAMESPACE &&
    object.metadata.name === OBSERVABILITY_CONFIG_MAP
  );
}

export function dataOf(object: KubernetesObject | undefined): ConfigData {
  return ((object as { data?: Record<string, string> } | undefined)?.data ?? {}) as ConfigData;
}

export type ActivatorDecision = { restart: false } | { restart: true; changed: string[] };

/**
 * Restart the activator when the apply changed any of our keys (`ours`: the keys deploy applies), and
 * only then: Knative's activator reads them only when it starts, while queue-proxies follow a change
 * within seconds. The same values before and after (a re-deploy) leave it running.
 */
export function activatorRestartFor(ours: Iterable<string>, before: ConfigData, after: ConfigData): ActivatorDecision {
  const changed = [...new Set(ours)].filter((key) => before[key] !== after[key]).sort();
  return changed.length > 0 ? { restart: true, changed } : { restart: false };
}
