// Where diagnose reads traces: the --jaeger URL; else the local Jaeger of `npm start`; else, when a
// kubeconfig is there, Jaeger's query Service in the cluster, reached by a port-forward.
import { createServer, type Server } from 'node:net';
import { CoreV1Api, type KubeConfig, PortForward } from '@kubernetes/client-node';
import { loadKubeConfig, NoKubeconfigError, serverOf } from '../deploy/cluster.ts';

export const LOCAL_JAEGER = 'http://localhost:16686';

export class JaegerNotFoundError extends Error {
  override name = 'JaegerNotFoundError';
}

export interface JaegerSource {
  url: string;
  /** How it was found, for the report. */
  description: string;
  close(): Promise<void>;
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/api/v3/services`, { signal: AbortSignal.timeout(3000) });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}

/** The Jaeger query Service of jaeger/30-query-service.yaml, or one like it, and a pod behind it. */
async function findQueryPod(
  config: KubeConfig,
): Promise<{ namespace: string; pod: string; port: number; service: string }> {
  const core = config.makeApiClient(CoreV1Api);
  const services = await core.listServiceForAllNamespaces({
    labelSelector: 'app.kubernetes.io/name=jaeger,app.kubernetes.io/component=query',
  });
  const service = services.items[0];
  const namespace = service?.metadata?.namespace;
  const selector = service?.spec?.selector;
  if (!service || !namespace || !selector) {
    throw new JaegerNotFoundError(
      `The cluster at ${serverOf(config)} has no Jaeger query Service (labels app.kubernetes.io/name=jaeger, ` +
        'app.kubernetes.io/component=query): deploy one with npm run deploy, or pass --jaeger URL.',
    );
  }
  const labelSelector = Object.entries(selector)
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
  const pods = await core.listNamespacedPod({ namespace, labelSelector });
  const pod = pods.items.find((candidate) => candidate.status?.phase === 'Running');
  const servicePort = service.spec?.ports?.find((port) => port.port === 16686) ?? service.spec?.ports?.[0];
  const target = servicePort?.targetPort ?? servicePort?.port;
  const containerPorts = pod?.spec?.containers.flatMap((container) => container.ports ?? []) ?? [];
  const port =
    typeof target === 'number' ? target : containerPorts.find((candidate) => candidate.name === target)?.containerPort;
  if (!pod?.metadata?.name || port === undefined) {
    throw new JaegerNotFoundError(
      `No running pod behind Service ${namespace}/${service.metadata?.name} to port-forward to.`,
    );
  }
  return { namespace, pod: pod.metadata.name, port, service: service.metadata?.name ?? 'jaeger-query' };
}

async function portForward(config: KubeConfig): Promise<JaegerSource> {
  const { namespace, pod, port, service } = await findQueryPod(config);
  const forward = new PortForward(config);
  const server: Server = createServer((socket) => {
    forward.portForward(namespace, pod, [port], socket, null, socket).catch((error: unknown) => {
      socket.destroy(error instanceof Error ? error : undefined);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  const localPort = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${localPort}`,
    description: `Jaeger in the cluster (${namespace}/${service}, pod ${pod}, port-forwarded)`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** `local` is where `npm start` puts Jaeger; tests point it elsewhere. */
export async function findJaeger(
  jaegerFlag: string | undefined,
  env: NodeJS.ProcessEnv,
  local = LOCAL_JAEGER,
): Promise<JaegerSource> {
  const none = async () => {};
  if (jaegerFlag) return { url: jaegerFlag.replace(/\/+$/, ''), description: jaegerFlag, close: none };
  if (await answers(local)) return { url: local, description: `${local} (npm start)`, close: none };
  let config: KubeConfig;
  try {
    config = loadKubeConfig(env);
  } catch (error) {
    if (!(error instanceof NoKubeconfigError)) throw error;
    throw new JaegerNotFoundError(
      `Jaeger is unreachable at ${local} (start it with npm start), and there is no kubeconfig to find one ` +
        'in a cluster. Pass --jaeger URL to use another.',
    );
  }
  try {
    return await portForward(config);
  } catch (error) {
    if (error instanceof JaegerNotFoundError) throw error;
    const reason =
      error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
    throw new JaegerNotFoundError(
      `Jaeger is unreachable at ${local}, and the cluster at ${serverOf(config)} could not be asked for it: ${reason}`,
    );
  }
}
