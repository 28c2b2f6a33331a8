// What the cluster test of sampling asks the running cluster: the rates Knative and Traefik run with,
// the strategy Jaeger answers a function's pod, a visit made inside the frontend's pod straight to its
// container (no Traefik, no queue-proxy: no decision made before the function's own), and a changed
// strategy put in place.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPOSITORY_ROOT } from '../../tools/functions/run.ts';

type Kubectl = (args: string[], input?: string) => Promise<string>;

/** Knative's tracing-sampling-rate and Traefik's --tracing.sampleRate, as the cluster runs them. */
export async function runningRates(kubectl: Kubectl): Promise<{ knative: number; traefik: number }> {
  const observability = JSON.parse(
    await kubectl(['get', 'configmap', 'config-observability', '-n', 'knative-serving', '-o', 'json']),
  ) as { data: Record<string, string> };
  const traefik = JSON.parse(await kubectl(['get', 'deployment', 'traefik', '-n', 'traefik', '-o', 'json'])) as {
    spec: { template: { spec: { containers: { args: string[] }[] } } };
  };
  const args = traefik.spec.template.spec.containers[0]?.args ?? [];
  // Traefik's own default, when no argument says: 1.
  const traefikRate = args.find((arg) => arg.startsWith('--tracing.sampleRate='))?.split('=')[1] ?? '1';
  return { knative: Number(observability.data['tracing-sampling-rate']), traefik: Number(traefikRate) };
}

/** A running, not terminating, pod of the frontend. */
export async function frontendPod(kubectl: Kubectl): Promise<string> {
  const pods = JSON.parse(
    await kubectl([
      'get',
      'pods',
      '-n',
      'default',
      '-l',
      'serving.knative.dev/service=frontend',
      '--field-selector=status.phase=Running',
      '-o',
      'json',
    ]),
  ) as { items: { metadata: { name: string; deletionTimestamp?: string } }[] };
  const pod = pods.items.find((item) => !item.metadata.deletionTimestamp)?.metadata.name;
  if (!pod) throw new Error('no running pod of the frontend');
  return pod;
}

/** Runs `node -e script` in the frontend's container of `pod`. */
function inPod(kubectl: Kubectl, pod: string, script: string): Promise<string> {
  return kubectl(['exec', '-n', 'default', pod, '-c', 'frontend', '--', 'node', '-e', script]);
}

const COLLECTOR_SAMPLING = 'http://jaeger-collector.observability.svc.cluster.local:5778';

export interface StrategyAnswer {
  probabilisticSampling?: { samplingRate: number };
  operationSampling?: { defaultSamplingProbability: number; perOperationStrategies: { operation: string }[] };
}

/** Jaeger's answer to the frontend's `pod`, through the collector Service, as the function asks it. */
export async function strategyForFrontend(kubectl: Kubectl, pod: string): Promise<StrategyAnswer> {
  const script = `fetch('${COLLECTOR_SAMPLING}/sampling?service=frontend').then((r) => r.text()).then((t) => process.stdout.write(t))`;
  return JSON.parse(await inPod(kubectl, pod, script)) as StrategyAnswer;
}

/**
 * A visit sent inside the frontend's `pod` to its own container: the answer's traceresponse. Knative
 * does not see it: it is no traffic for the autoscaler.
 */
export function directVisit(kubectl: Kubectl, pod: string): Promise<string> {
  const script =
    "fetch('http://127.0.0.1:8080/').then(async (r) => { await r.text(); process.stdout.write(r.headers.get('traceresponse') ?? '') })";
  return inPod(kubectl, pod, script);
}

/**
 * jaeger/05-config.yaml with the frontend's own strategy at `probability` beside the default, applied,
 * and Jaeger restarted to read it at once (kubelet would update the mounted file within a minute or
 * so). Jaeger keeps traces in memory: they go with the old pod.
 */
export async function changeFrontendStrategy(kubectl: Kubectl, probability: number): Promise<void> {
  const configMap = parse(await readFile(join(REPOSITORY_ROOT, 'jaeger/05-config.yaml'), 'utf8')) as {
    data: Record<string, string>;
  };
  const strategies = JSON.parse(configMap.data['sampling-strategies.json'] ?? '{}') as Record<string, unknown>;
  strategies.service_strategies = [
    {
      service: 'frontend',
      type: 'probabilistic',
      param: probability,
      operation_strategies: [{ operation: 'GET', type: 'probabilistic', param: probability }],
    },
  ];
  configMap.data['sampling-strategies.json'] = JSON.stringify(strategies);
  await kubectl(
    ['apply', '--server-side', '--force-conflicts', '--field-manager=knative-test', '-f', '-'],
    JSON.stringify(configMap),
  );
  await kubectl(['rollout', 'restart', 'deployment/jaeger', '-n', 'observability']);
  await kubectl(['rollout', 'status', 'deployment/jaeger', '-n', 'observability', '--timeout=180s']);
}
