// The cluster on this machine (tools/cluster/, `npm run cluster`), with real processes: etcd,
// kube-apiserver, kube-controller-manager and Knative Serving's webhook and controller start inside a
// network namespace of their own; kubectl reaches the API server through the kubeconfig; Knative's
// CRDs are served, its webhook refuses what Knative refuses, with Knative's message, and its controller
// turns knative/backend.yaml into a Configuration, a Revision, a Route and a Deployment with Knative's
// queue-proxy. Stopping leaves no process and no namespace. The tests run in order, on one cluster.
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import test from 'ava';
import { stringify } from 'yaml';
import { type ClusterBinaries, requireClusterBinaries } from '../../tools/cluster/binaries.ts';
import { clusterPids, type RunningCluster, startCluster } from '../../tools/cluster/cluster.ts';
import { isRunning } from '../../tools/cluster/state.ts';
import { planDeploy } from '../../tools/deploy/plan.ts';
import { type KubernetesObject, loadProjectManifests } from '../../tools/knative/manifests.ts';
import { waitFor } from '../../tools/processes/process.ts';
import { runCommand } from '../../tools/processes/run-command.ts';

const name = `cp-test-${process.pid}`;
let cluster: RunningCluster | undefined;
let binaries: ClusterBinaries;

test.before(async () => {
  binaries = await requireClusterBinaries(process.env);
  cluster = await startCluster({ name, env: process.env });
});

test.after.always(async () => {
  await cluster?.stop();
});

function running(): RunningCluster {
  if (!cluster) throw new Error('The cluster did not start');
  return cluster;
}

/** kubectl (the one built with the cluster) through the cluster's kubeconfig; never throws. */
function kubectl(args: string[], input?: string) {
  const { kubeconfig, paths } = running();
  return runCommand(binaries.kubectl, args, {
    input,
    env: { PATH: process.env.PATH, KUBECONFIG: kubeconfig, KUBECACHEDIR: join(paths.dir, 'kubectl-cache') },
  });
}

const yamlOf = (objects: KubernetesObject[]) => objects.map((object) => stringify(object)).join('---\n');

/** knative/backend.yaml as `npm run deploy -- --registry dev.local` applies it (Knative resolves no dev.local tag). */
async function backendService(): Promise<KubernetesObject> {
  const objects = planDeploy(await loadProjectManifests(), { registry: 'dev.local' });
  const backend = objects.find((object) => object.kind === 'Service' && object.metadata.name === 'backend');
  if (!backend) throw new Error('knative/ has no Service backend');
  return backend;
}

test.serial('the cluster starts, all of it inside its own network namespace', async (t) => {
  const { namespace, processes } = running();
  const { stdout } = await runCommand('ip', ['netns', 'list']);
  t.true(
    stdout.split('\n').some((line) => line.split(' ')[0] === namespace),
    stdout,
  );
  t.deepEqual(
    processes.map((child) => child.name),
    ['bridge', 'etcd', 'kube-apiserver', 'kube-controller-manager', 'knative-webhook', 'knative-controller'],
  );
  // Nothing leads out: loopback is the only interface, and there is no default route.
  const links = await runCommand('ip', ['-n', namespace, '-o', 'link', 'show']);
  t.deepEqual(
    links.stdout
      .trim()
      .split('\n')
      .map((line) => line.split(': ')[1]),
    ['lo'],
  );
  const routes = await runCommand('ip', ['-n', namespace, 'route', 'show', 'default']);
  t.is(routes.stdout.trim(), '');
  const inside = await clusterPids(running());
  t.deepEqual([...inside].sort(), processes.map((child) => child.process.pid ?? 0).sort());
});

test.serial('kubectl get namespaces works through the kubeconfig, against Kubernetes v1.34.4', async (t) => {
  const namespaces = await kubectl(['get', 'namespaces', '-o', 'name']);
  t.is(namespaces.code, 0, namespaces.stderr);
  for (const namespace of ['default', 'kube-system', 'knative-serving']) {
    t.true(namespaces.stdout.includes(`namespace/${namespace}\n`), namespaces.stdout);
  }
  const version = await kubectl(['version', '-o', 'json']);
  t.is((JSON.parse(version.stdout) as { serverVersion: { gitVersion: string } }).serverVersion.gitVersion, 'v1.34.4');
});

test.serial("Knative's CRDs are served", async (t) => {
  const { code, stdout, stderr } = await kubectl(['api-resources', '-o', 'name']);
  t.is(code, 0, stderr);
  const served = stdout.split('\n');
  for (const resource of [
    'services.serving.knative.dev',
    'configurations.serving.knative.dev',
    'revisions.serving.knative.dev',
    'routes.serving.knative.dev',
    'podautoscalers.autoscaling.internal.knative.dev',
    'ingresses.networking.internal.knative.dev',
    'serverlessservices.networking.internal.knative.dev',
    'images.caching.internal.knative.dev',
  ]) {
    t.true(served.includes(resource), `${resource} is not served`);
  }
});

test.serial(
  "Knative's webhook refuses an autoscaling annotation on the Service's own metadata, with Knative's message",
  async (t) => {
    const bad = await backendService();
    bad.metadata = { ...bad.metadata, name: 'refused', annotations: { 'autoscaling.knative.dev/min-scale': '1' } };
    const { code, stderr } = await kubectl(['apply', '--server-side', '-f', '-'], yamlOf([bad]));
    t.is(code, 1);
    t.regex(stderr, /admission webhook "validation\.webhook\.serving\.knative\.dev" denied the request/);
    t.regex(stderr, /autoscaling annotations must be put under "spec\.template\.metadata\.annotations" to work/);
    const lookup = await kubectl(['get', 'ksvc', 'refused', '--ignore-not-found', '-o', 'name']);
    t.is(lookup.stdout, '', 'the refused Service must not exist');
  },
);

test.serial(
  "Knative's controller turns knative/backend.yaml into a Configuration, Revision, Route and a Deployment with queue-proxy",
  async (t) => {
    const backend = await backendService();
    const applied = await kubectl(['apply', '--server-side', '-f', '-'], yamlOf([backend]));
    t.is(applied.code, 0, applied.stderr);
    const get = async (resource: string) => {
      const { code, stdout } = await kubectl(['get', resource, '-n', 'default', '-o', 'json']);
      return code === 0 ? (JSON.parse(stdout) as KubernetesObject & { spec: unknown }) : undefined;
    };
    for (const resource of ['configuration/backend', 'revision/backend-00001', 'route/backend']) {
      const object = await waitFor(`${resource} to exist`, () => get(resource), { timeoutMs: 30_000, intervalMs: 250 });
      t.is(object.metadata.labels?.['serving.knative.dev/service'], 'backend', resource);
    }
    const deployment = await waitFor("the Revision's Deployment", () => get('deployment/backend-00001-deployment'), {
      timeoutMs: 30_000,
      intervalMs: 250,
    });
    const { containers } = (
      deployment.spec as { template: { spec: { containers: { name: string; image: string }[] } } }
    ).template.spec;
    t.deepEqual(
      containers.map((container) => container.name),
      ['backend', 'queue-proxy'],
    );
    t.is(containers[0]?.image, 'dev.local/backend:0.1.0');
  },
);

test.serial('the bridge leads a port of this machine to any port inside: etcd answers /health', async (t) => {
  const etcd = await running().expose({ host: '127.0.0.1', port: 2379 });
  const response = await fetch(`http://127.0.0.1:${etcd.port}/health`);
  t.is(response.status, 200);
  t.like(await response.json(), { health: 'true' });
});

test.serial('stopping leaves no namespace, no process, no open port and no state folder', async (t) => {
  const { namespace, server, processes, paths } = running();
  const pids = processes.map((child) => child.process.pid ?? 0);
  await running().stop();
  const { stdout } = await runCommand('ip', ['netns', 'list']);
  t.false(
    stdout.split('\n').some((line) => line.split(' ')[0] === namespace),
    stdout,
  );
  for (const pid of pids) t.false(await isRunning(pid), `process ${pid} still runs`);
  t.false(existsSync(paths.dir), 'the state folder of a test cluster is still there');
  const port = Number(new URL(server).port);
  const refused = await new Promise<boolean>((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
  t.true(refused, `${server} still accepts connections`);
});
