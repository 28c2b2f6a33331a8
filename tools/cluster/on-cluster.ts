// What the cluster tests and the cluster's fault scenarios (tools/faults/cluster/) share about a
// cluster with a node: its kubectl, a visit through Traefik, and a visit's trace read from the
// in-cluster Jaeger once it is whole (Knative's and Traefik's spans beside ours).
import { request } from 'node:http';
import { join } from 'node:path';
import { fetchTrace, type JaegerSpan, type JaegerTrace, parentOf, serviceOf } from '../jaeger/query.ts';
import { waitFor } from '../processes/process.ts';
import { runCommand } from '../processes/run-command.ts';
import type { RunningCluster } from './cluster.ts';
import { DOMAIN } from './knative-on-node.ts';

export const FRONTEND_HOST = `frontend.default.${DOMAIN}`;
export const VISIT = /^Hello, World!\n+You're visitor number (\d+) in here!\n*$/;

/** The cluster's own kubectl, with its kubeconfig and a discovery cache of its own; fails on a non-zero exit. */
export async function kubectlOn(
  cluster: Pick<RunningCluster, 'kubectl' | 'kubeconfig' | 'paths'>,
  args: string[],
  input?: string,
): Promise<string> {
  const { code, stdout, stderr } = await runCommand(cluster.kubectl, args, {
    env: {
      PATH: process.env.PATH,
      KUBECONFIG: cluster.kubeconfig,
      // kubectl caches discovery per server address, and ours changes on every start: not under ~/.kube.
      KUBECACHEDIR: join(cluster.paths.dir, 'kubectl-cache'),
    },
    ...(input === undefined ? {} : { input }),
  });
  if (code !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${stderr}`);
  return stdout;
}

/** Knative's activator's pods, terminating ones too, by name, sorted. */
export async function activatorPods(
  cluster: Pick<RunningCluster, 'kubectl' | 'kubeconfig' | 'paths'>,
): Promise<string[]> {
  const pods = JSON.parse(
    await kubectlOn(cluster, ['get', 'pods', '-n', 'knative-serving', '-l', 'app=activator', '-o', 'json']),
  ) as { items: { metadata: { name: string } }[] };
  return pods.items.map(({ metadata }) => metadata.name).sort();
}

export interface Visit {
  status: number;
  body: string;
  number: number | undefined;
  traceId: string | undefined;
  ms: number;
}

/** GET / with the frontend's host, through Traefik's public entrypoint at 127.0.0.1:`ingressPort`. */
export function visitThrough(ingressPort: number, host = FRONTEND_HOST): Promise<Visit> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const outgoing = request(
      { host: '127.0.0.1', port: ingressPort, path: '/', headers: { host }, timeout: 60_000 },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('error', reject);
        response.on('data', (chunk: string) => {
          body += chunk;
        });
        response.on('end', () => {
          const number = VISIT.exec(body)?.[1];
          const traceId = /^00-([0-9a-f]{32})-/.exec(String(response.headers.traceresponse ?? ''))?.[1];
          resolve({
            status: response.statusCode ?? 0,
            body,
            number: number === undefined ? undefined : Number(number),
            traceId,
            ms: performance.now() - started,
          });
        });
      },
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error('no answer within 60 s')));
    outgoing.on('error', reject);
    outgoing.end();
  });
}

export const servicesOf = (trace: JaegerTrace) => new Set(trace.spans.map((span) => serviceOf(trace, span)));
/** Our functions' spans (the queue-proxy beside each reports as `<function>/queue-proxy`). */
export const ours = (trace: JaegerTrace) =>
  trace.spans.filter((span) => ['frontend', 'backend'].includes(serviceOf(trace, span)));
/** Everything on a visit's way: Traefik, Knative's activator and queue-proxies, our functions. */
export const EVERY_HOP = ['activator', 'backend', 'backend/queue-proxy', 'frontend', 'frontend/queue-proxy', 'traefik'];
export const rootsOf = (trace: JaegerTrace) => trace.spans.filter((span) => !parentOf(trace, span));
/**
 * Every hop there and connected: each exporter batches on its own clock (Traefik's outermost span,
 * which ends last, often arrives last), so a trace is whole only once one root is left.
 */
export const isWhole = (trace: JaegerTrace) =>
  ours(trace).length >= 8 &&
  EVERY_HOP.every((service) => servicesOf(trace).has(service)) &&
  rootsOf(trace).length === 1;

/** What keeps a trace from being whole, in a few words ("no traefik, 2 roots"); "" for a whole one. */
export function lackOf(trace: JaegerTrace | undefined): string {
  if (!trace) return 'not in Jaeger';
  const services = servicesOf(trace);
  const lacks = [
    ...(ours(trace).length < 8 ? [`${ours(trace).length} of our 8 spans`] : []),
    ...EVERY_HOP.filter((service) => !services.has(service)).map((service) => `no ${service}`),
    ...(rootsOf(trace).length === 1 ? [] : [`${rootsOf(trace).length} roots`]),
  ];
  return lacks.join(', ');
}

/**
 * The trace, from the Jaeger query API at `jaegerUrl`, once `ready` says it is whole; its spans arrive
 * in batches, Knative's and ours. Given several ids, the first of them to be ready; a failure
 * describes the first one's trace.
 */
export async function traceIn(
  jaegerUrl: string,
  traceIds: string | readonly string[],
  ready: (trace: JaegerTrace) => boolean,
  timeoutMs = 60_000,
): Promise<JaegerTrace> {
  const ids = typeof traceIds === 'string' ? [traceIds] : traceIds;
  let last: JaegerTrace | undefined;
  return waitFor(
    ids.length === 1
      ? `trace ${ids[0]} in the cluster's Jaeger`
      : `one of ${ids.length} traces in the cluster's Jaeger`,
    async () => {
      for (const [index, traceId] of ids.entries()) {
        const trace = await fetchTrace(jaegerUrl, traceId);
        if (index === 0) last = trace;
        if (trace && ready(trace)) return trace;
      }
      return undefined;
    },
    { timeoutMs, intervalMs: 1000 },
  ).catch((error: Error) => {
    const trace = last;
    const name = (span: JaegerSpan) => (trace ? `${serviceOf(trace, span)}: ${span.operationName}` : '');
    const spans = trace?.spans.map(name);
    const roots = trace ? rootsOf(trace).map(name) : [];
    throw new Error(`${error.message}\nLast seen: ${JSON.stringify(spans)}\nIts roots: ${JSON.stringify(roots)}`);
  });
}
