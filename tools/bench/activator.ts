// Cold start through Knative's activator, tracing on and off: on a cluster of this machine with its
// node (Knative Serving in pods, Traefik as the ingress), the manifests deployed as `npm run deploy`
// deploys them, the frontend left to scale to zero, then one visit timed from the request to the end
// of its answer, while the activator holds it until a new frontend pod is ready. "Off" is the frontend
// with OTEL_SDK_DISABLED=true (its preload then loads nothing); Knative's own spans and Traefik's stay
// on in both, so the difference is what our tracing adds to a cold start. Modes alternate run by run,
// so that a slower minute of the machine falls on both.
import { request } from 'node:http';
import { join } from 'node:path';
import { type RunningCluster, startCluster } from '../cluster/cluster.ts';
import { DOMAIN, QUICK_SCALE_TO_ZERO } from '../cluster/knative-on-node.ts';
import { JAEGER_IMAGE } from '../cluster/node/images.ts';
import { REPOSITORY_ROOT } from '../functions/run.ts';
import { spawnChild, waitFor } from '../processes/process.ts';
import { mustRun } from '../processes/run-command.ts';

export interface ActivatorColdStart {
  tracing: boolean;
  /** From sending the visit to the end of its answer. */
  ms: number;
  status: number;
}

const FRONTEND_HOST = `frontend.default.${DOMAIN}`;

interface KnativeService {
  metadata: { generation: number };
  spec: { template: { spec: { containers: { env?: { name: string; value?: string }[] }[] } } };
  status?: { observedGeneration?: number; conditions?: { type: string; status: string }[] };
}

class BenchCluster {
  readonly cluster: RunningCluster;
  readonly ingressPort: number;

  constructor(cluster: RunningCluster, ingressPort: number) {
    this.cluster = cluster;
    this.ingressPort = ingressPort;
  }

  kubectl(args: string[], input?: string): Promise<string> {
    const { cluster } = this;
    const env = {
      PATH: process.env.PATH,
      KUBECONFIG: cluster.kubeconfig,
      KUBECACHEDIR: join(cluster.paths.dir, 'kubectl-cache'),
    };
    return mustRun(cluster.kubectl, args, { env, ...(input === undefined ? {} : { input }) });
  }

  async frontend(): Promise<KnativeService> {
    return JSON.parse(await this.kubectl(['get', 'ksvc', 'frontend', '-n', 'default', '-o', 'json'])) as KnativeService;
  }

  /** A new revision of the frontend with its SDK on or off, Ready. */
  async setTracing(on: boolean): Promise<void> {
    const service = await this.frontend();
    const container = service.spec.template.spec.containers[0];
    if (!container) throw new Error('The frontend Service has no container');
    const env = (container.env ?? []).filter((variable) => variable.name !== 'OTEL_SDK_DISABLED');
    container.env = on ? env : [...env, { name: 'OTEL_SDK_DISABLED', value: 'true' }];
    await this.kubectl(['replace', '-f', '-'], JSON.stringify(service));
    await waitFor(
      `the frontend's revision with tracing ${on ? 'on' : 'off'} to be Ready`,
      async () => {
        const { metadata, status } = await this.frontend();
        const ready = status?.conditions?.find((condition) => condition.type === 'Ready')?.status === 'True';
        return status?.observedGeneration === metadata.generation && ready ? true : undefined;
      },
      { timeoutMs: 180_000, intervalMs: 500 },
    );
  }

  /** Until no frontend pod is left, terminating ones included. */
  async atZero(): Promise<void> {
    await waitFor(
      'the frontend to scale to zero',
      async () => {
        const pods = await this.kubectl([
          'get',
          'pods',
          '-n',
          'default',
          '-l',
          'serving.knative.dev/service=frontend',
          '-o',
          'name',
        ]);
        return pods.trim() === '' ? true : undefined;
      },
      { timeoutMs: 180_000, intervalMs: 500 },
    );
  }

  /** GET / with the frontend's host, through Traefik's public entrypoint. */
  visit(): Promise<{ status: number; ms: number }> {
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const outgoing = request(
        { host: '127.0.0.1', port: this.ingressPort, path: '/', headers: { host: FRONTEND_HOST }, timeout: 60_000 },
        (response) => {
          response.resume();
          response.on('end', () => resolve({ status: response.statusCode ?? 0, ms: performance.now() - started }));
        },
      );
      outgoing.on('timeout', () => outgoing.destroy(new Error('no answer within 60 s')));
      outgoing.on('error', reject);
      outgoing.end();
    });
  }
}

/** `npm run deploy` as a user runs it against the cluster, with the images in the cluster's registry. */
async function deploy(cluster: RunningCluster): Promise<void> {
  if (!cluster.registry) throw new Error('The cluster has no registry');
  const args = ['--registry', cluster.registry.name, '--jaeger-image', JAEGER_IMAGE.name, '--timeout', '240'];
  const child = spawnChild('deploy', process.execPath, ['tools/commands/deploy.ts', ...args], {
    cwd: REPOSITORY_ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, KUBECONFIG: cluster.kubeconfig },
  });
  const { code } = await child.exited;
  if (code !== 0) throw new Error(`npm run deploy failed (status ${code}):\n${child.output()}`);
}

/** `runs` cold starts in each mode, alternating; the cluster is started for them and stopped after. */
export async function measureActivatorColdStarts(
  runs: number,
  log: (line: string) => void,
): Promise<ActivatorColdStart[]> {
  log('Starting a cluster with its node (Knative Serving, Traefik) for the cold starts through the activator…');
  const cluster = await startCluster({ name: `bench-${process.pid}`, env: process.env, node: true });
  try {
    if (!cluster.ingress) throw new Error('The cluster has no ingress');
    const bench = new BenchCluster(cluster, (await cluster.expose(cluster.ingress)).port);
    log('Deploying both functions and Jaeger (npm run deploy)…');
    await deploy(cluster);
    await bench.kubectl(
      ['apply', '--server-side', '--force-conflicts', '--field-manager=bench', '-f', '-'],
      QUICK_SCALE_TO_ZERO,
    );
    const results: ActivatorColdStart[] = [];
    for (let run = 0; run < runs; run += 1) {
      for (const tracing of [true, false]) {
        await bench.setTracing(tracing);
        await bench.atZero();
        const { status, ms } = await bench.visit();
        log(`  cold start through the activator, tracing ${tracing ? 'on ' : 'off'}: ${status} in ${ms.toFixed(0)} ms`);
        results.push({ tracing, ms, status });
      }
    }
    return results;
  } finally {
    await cluster.stop();
  }
}
