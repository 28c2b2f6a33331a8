// What a cluster fault scenario acts through: the cluster's kubectl, visits through Traefik with the
// frontend's Host, the in-cluster Jaeger (found again after its pod is killed), and `npm run deploy`
// run as a user runs it. Made from a cluster a test started, or from one `npm run cluster -- up` runs.
import { join } from 'node:path';
import type { RunningCluster } from '../../cluster/cluster.ts';
import { JAEGER_IMAGE, REDIS_IMAGE } from '../../cluster/node/images.ts';
import { kubectlOn, type Visit, visitThrough } from '../../cluster/on-cluster.ts';
import { REPOSITORY_ROOT } from '../../functions/run.ts';
import { findJaeger, type JaegerSource } from '../../jaeger/source.ts';
import { runCommand } from '../../processes/run-command.ts';

/** What of a running cluster the scenarios need (a RunningCluster has it all). */
export type ClusterHandle = Pick<RunningCluster, 'name' | 'kubectl' | 'kubeconfig' | 'paths' | 'expose'> & {
  registry?: { name: string } | undefined;
  ingress?: RunningCluster['ingress'];
};

export interface ClusterContext {
  cluster: ClusterHandle;
  kubectl(args: string[], input?: string): Promise<string>;
  /** GET / through Traefik with the frontend's Host; a visit that got no answer has status 0. */
  visit(): Promise<Visit & { error?: string }>;
  /** The query URL of the in-cluster Jaeger, port-forwarded (again, after forgetJaeger). */
  jaegerUrl(): Promise<string>;
  /** Closes the port-forward: its pod is gone, or about to be. */
  forgetJaeger(): Promise<void>;
  /** `npm run deploy` with the cluster's registry and Jaeger's image, and `extra`; fails on a non-zero exit. */
  deploy(extra?: string[]): Promise<string>;
  close(): Promise<void>;
}

export const REDIS_DEPLOY_ARGS = ['--counter-store', 'redis', '--redis-image', REDIS_IMAGE.name];

export async function createClusterContext(cluster: ClusterHandle): Promise<ClusterContext> {
  if (!cluster.ingress || !cluster.registry) throw new Error(`The cluster "${cluster.name}" has no node (--node)`);
  const ingressPort = (await cluster.expose(cluster.ingress)).port;
  const registry = cluster.registry.name;
  let jaeger: JaegerSource | undefined;
  const forgetJaeger = async () => {
    await jaeger?.close();
    jaeger = undefined;
  };
  return {
    cluster,
    kubectl: (args, input) => kubectlOn(cluster, args, input),
    visit: async () => {
      const started = performance.now();
      try {
        return await visitThrough(ingressPort);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        return {
          status: 0,
          body: '',
          number: undefined,
          traceId: undefined,
          ms: performance.now() - started,
          error: message,
        };
      }
    },
    jaegerUrl: async () => {
      // Nothing listens on port 9 here: a local Jaeger is skipped, the cluster's is found.
      jaeger ??= await findJaeger(undefined, { KUBECONFIG: cluster.kubeconfig }, 'http://127.0.0.1:9');
      return jaeger.url;
    },
    forgetJaeger,
    deploy: async (extra = []) => {
      const args = ['--registry', registry, '--jaeger-image', JAEGER_IMAGE.name, '--timeout', '240', ...extra];
      const { code, stdout, stderr } = await runCommand(
        process.execPath,
        [join(REPOSITORY_ROOT, 'tools', 'commands', 'deploy.ts'), ...args],
        {
          env: { PATH: process.env.PATH, HOME: process.env.HOME, KUBECONFIG: cluster.kubeconfig },
          cwd: REPOSITORY_ROOT,
        },
      );
      if (code !== 0) throw new Error(`npm run deploy -- ${args.join(' ')} failed: ${stdout}${stderr}`);
      return stdout;
    },
    close: forgetJaeger,
  };
}
