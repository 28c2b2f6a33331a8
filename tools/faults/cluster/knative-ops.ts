// What the cluster scenarios do to Knative Services and pods, through the cluster's kubectl: roll a
// Service out to a new Revision, change its environment, list and kill pods, wait for a route.
import { waitFor } from '../../processes/process.ts';
import type { ClusterContext } from './context.ts';

/** The namespace and label selector of each part a scenario kills. */
export const PODS = {
  frontend: { namespace: 'default', selector: 'serving.knative.dev/service=frontend' },
  backend: { namespace: 'default', selector: 'serving.knative.dev/service=backend' },
  redis: { namespace: 'default', selector: 'app.kubernetes.io/name=redis' },
  jaeger: { namespace: 'observability', selector: 'app.kubernetes.io/name=jaeger' },
  activator: { namespace: 'knative-serving', selector: 'app=activator' },
  // tools/cluster/traefik/traefik.yaml
  traefik: { namespace: 'traefik', selector: 'app.kubernetes.io/name=traefik' },
} as const;
export type Part = keyof typeof PODS;

export interface Pod {
  name: string;
  revision: string | undefined;
  ready: boolean;
  terminating: boolean;
  createdAt: number;
  /** When its Ready condition last turned true (1 s resolution), if it is ready. */
  readyAt: number | undefined;
}

interface PodJson {
  metadata: { name: string; labels?: Record<string, string>; creationTimestamp: string; deletionTimestamp?: string };
  status: { conditions?: { type: string; status: string; lastTransitionTime: string }[] };
}

export async function podsOf(ctx: ClusterContext, part: Part): Promise<Pod[]> {
  const { namespace, selector } = PODS[part];
  const pods = JSON.parse(await ctx.kubectl(['get', 'pods', '-n', namespace, '-l', selector, '-o', 'json'])) as {
    items: PodJson[];
  };
  return pods.items.map(({ metadata, status }) => {
    const ready = status.conditions?.find((condition) => condition.type === 'Ready');
    const isReady = ready?.status === 'True';
    return {
      name: metadata.name,
      revision: metadata.labels?.['serving.knative.dev/revision'],
      ready: isReady,
      terminating: metadata.deletionTimestamp !== undefined,
      createdAt: Date.parse(metadata.creationTimestamp),
      readyAt: isReady && ready ? Date.parse(ready.lastTransitionTime) : undefined,
    };
  });
}

/**
 * Kills every pod of `part` at once: `kubectl delete --grace-period=0 --force` (`force`), so that no
 * preStop drains and no SIGTERM comes first (kubelet kills the containers), or a plain delete, which
 * lets the pod stop as it would in a rollout; answers their names.
 */
export async function killPods(ctx: ClusterContext, part: Part, force = true): Promise<string[]> {
  const { namespace } = PODS[part];
  const names = (await podsOf(ctx, part)).filter((pod) => !pod.terminating).map((pod) => pod.name);
  if (names.length === 0) throw new Error(`No pod of ${part} to kill`);
  const how = force ? ['--grace-period=0', '--force'] : [];
  await ctx.kubectl(['delete', 'pod', '-n', namespace, ...how, '--wait=false', ...names]);
  return names;
}

/** Waits until a pod of `part` other than `gone` is ready; answers it. */
export const newPodReady = (ctx: ClusterContext, part: Part, gone: readonly string[], timeoutMs = 180_000) =>
  waitFor(
    `a new pod of ${part} to be ready`,
    async () => (await podsOf(ctx, part)).find((pod) => pod.ready && !pod.terminating && !gone.includes(pod.name)),
    { timeoutMs, intervalMs: 250 },
  );

interface ServiceStatus {
  ready: boolean;
  latestReady: string | undefined;
  latestCreated: string | undefined;
  /** The Revisions the route sends traffic to. */
  serving: string[];
}

export async function serviceStatus(ctx: ClusterContext, name: string): Promise<ServiceStatus> {
  const service = JSON.parse(await ctx.kubectl(['get', 'ksvc', name, '-n', 'default', '-o', 'json'])) as {
    metadata: { generation: number };
    status: {
      observedGeneration?: number;
      latestReadyRevisionName?: string;
      latestCreatedRevisionName?: string;
      conditions?: { type: string; status: string }[];
      traffic?: { revisionName: string; percent?: number }[];
    };
  };
  const { status, metadata } = service;
  return {
    ready:
      status.observedGeneration === metadata.generation &&
      status.conditions?.find((condition) => condition.type === 'Ready')?.status === 'True',
    latestReady: status.latestReadyRevisionName,
    latestCreated: status.latestCreatedRevisionName,
    serving: (status.traffic ?? []).filter((target) => (target.percent ?? 0) > 0).map((target) => target.revisionName),
  };
}

/** Waits until the Service is Ready and its route sends all traffic to a Revision other than `old`. */
export const routedAway = (ctx: ClusterContext, name: string, old: string | undefined, timeoutMs = 240_000) =>
  waitFor(
    `${name}'s route to a new Revision`,
    async () => {
      const status = await serviceStatus(ctx, name);
      const [only] = status.serving;
      return status.ready && status.serving.length === 1 && only !== old ? only : undefined;
    },
    { timeoutMs, intervalMs: 250 },
  );

/** A new Revision of `name` that differs only by an annotation: what a rollout of new code looks like. */
export async function rollOut(ctx: ClusterContext, name: string): Promise<void> {
  const patch = {
    spec: { template: { metadata: { annotations: { 'faults.knative-tracing-counter/rollout': String(Date.now()) } } } },
  };
  await ctx.kubectl(['patch', 'ksvc', name, '-n', 'default', '--type=merge', '-p', JSON.stringify(patch)]);
}

/** Sets environment variables of `name`'s container (a new Revision) and waits until it serves. */
export async function setEnv(ctx: ClusterContext, name: string, values: Record<string, string>): Promise<void> {
  const before = await serviceStatus(ctx, name);
  const service = JSON.parse(await ctx.kubectl(['get', 'ksvc', name, '-n', 'default', '-o', 'json'])) as {
    spec: { template: { spec: { containers: { env?: { name: string; value?: string }[] }[] } } };
  };
  const [container] = service.spec.template.spec.containers;
  if (!container) throw new Error(`${name} has no container`);
  const env = container.env ?? [];
  const changed = Object.entries(values).filter(([key, value]) => env.find((one) => one.name === key)?.value !== value);
  if (changed.length === 0) return;
  container.env = [
    ...env.filter((one) => !(one.name in values)),
    ...Object.entries(values).map(([key, value]) => ({ name: key, value })),
  ];
  await ctx.kubectl(['replace', '-f', '-'], JSON.stringify(service));
  await routedAway(ctx, name, before.latestReady);
}

/** Whether both Services exist and are Ready. */
export async function deployed(ctx: ClusterContext): Promise<boolean> {
  try {
    return (await serviceStatus(ctx, 'frontend')).ready && (await serviceStatus(ctx, 'backend')).ready;
  } catch {
    return false;
  }
}

/**
 * What `part`'s span exporter logged in the last `sinceSeconds`: how many lines OpenTelemetry Go's
 * error handler wrote ("traces export: …", "OTLP partial success: …") and the last of them. Says why a
 * hop's spans did not reach Jaeger: refused (nothing listens), a connection attempt never answered.
 */
export async function exportComplaints(ctx: ClusterContext, part: Part, sinceSeconds: number): Promise<string> {
  const { namespace, selector } = PODS[part];
  const logs = await ctx.kubectl(['logs', '-n', namespace, '-l', selector, `--since=${sinceSeconds}s`, '--tail=-1']);
  const lines = logs.split('\n').filter((line) => /traces export|partial success/i.test(line));
  const last = lines.at(-1);
  return last
    ? `${lines.length} export errors in its log, the last: ${last.slice(0, 300)}`
    : 'no export error in its log';
}
