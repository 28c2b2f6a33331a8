// The cluster's node (tools/cluster/node/), with real processes: containerd, kubelet, kube-scheduler
// and kube-proxy join the control plane inside the cluster's network namespace; the node registers and
// becomes Ready; a plain Pod with our backend's image (pushed to the cluster's registry by podman, pulled
// by the node over TLS) and the securityContext, probes and limits of knative/backend.yaml runs, gets Ready, and answers GET /
// through the bridge; another Pod resolves Service names through CoreDNS (and nothing outside
// cluster.local) and reaches the backend through a Service by its name; stopping leaves no process, namespace, mount, cgroup or file behind.
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { stringify } from 'yaml';
import { type ClusterBinaries, requireClusterBinaries, requireNodeBinaries } from '../../tools/cluster/binaries.ts';
import { clusterPids, type RunningCluster, startCluster } from '../../tools/cluster/cluster.ts';
import { KUBERNETES_SERVICE_IP } from '../../tools/cluster/control-plane.ts';
import { cgroupPids } from '../../tools/cluster/node/cgroups.ts';
import { CLUSTER_DNS_IP } from '../../tools/cluster/node/dns.ts';
import { NODE_IP, POD_CIDR } from '../../tools/cluster/node/network.ts';
import { isRunning } from '../../tools/cluster/state.ts';
import { planDeploy } from '../../tools/deploy/plan.ts';
import { type KubernetesObject, loadProjectManifests } from '../../tools/knative/manifests.ts';
import { waitFor } from '../../tools/processes/process.ts';
import { runCommand } from '../../tools/processes/run-command.ts';

const name = `node-test-${process.pid}`;
let cluster: RunningCluster | undefined;
let binaries: ClusterBinaries;

test.before(async () => {
  binaries = await requireClusterBinaries(process.env);
  await requireNodeBinaries(process.env);
  cluster = await startCluster({ name, env: process.env, node: true, knative: false });
});

test.after.always(async () => {
  await cluster?.stop();
});

function running(): RunningCluster {
  if (!cluster) throw new Error('The cluster did not start');
  return cluster;
}

async function kubectlJson<T>(args: string[]): Promise<T> {
  const { kubeconfig, paths } = running();
  const { code, stdout, stderr } = await runCommand(binaries.kubectl, [...args, '-o', 'json'], {
    env: { PATH: process.env.PATH, KUBECONFIG: kubeconfig, KUBECACHEDIR: join(paths.dir, 'kubectl-cache') },
  });
  if (code !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${stderr}`);
  return JSON.parse(stdout) as T;
}

interface Condition {
  type: string;
  status: string;
}

/** A plain Pod with the backend container of knative/backend.yaml, as `npm run deploy -- --registry <the cluster's>` names its image. */
async function backendPod(): Promise<KubernetesObject> {
  const objects = planDeploy(await loadProjectManifests(), { registry: running().registry?.name });
  const service = objects.find((object) => object.kind === 'Service' && object.metadata.name === 'backend') as
    | { spec: { template: { spec: { containers: Record<string, unknown>[] } } } }
    | undefined;
  const container = service?.spec.template.spec.containers[0];
  if (!container) throw new Error('knative/backend.yaml has no container');
  const env = (container.env as { name: string; value: string }[]).filter(({ name }) => !name.startsWith('LAG_'));
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'backend', namespace: 'default', labels: { 'app.kubernetes.io/name': 'backend' } },
    spec: {
      containers: [
        {
          ...container,
          env: [...env, { name: 'LAG_MIN_MS', value: '0' }, { name: 'LAG_MAX_MS', value: '0' }],
        },
      ],
    },
  } as KubernetesObject;
}

test.serial('the node registers with its address and containerd, and becomes Ready', async (t) => {
  const node = await kubectlJson<{
    status: {
      conditions: Condition[];
      addresses: { type: string; address: string }[];
      nodeInfo: Record<string, string>;
    };
  }>(['get', 'node', running().node ?? 'missing']);
  t.is(node.status.conditions.find((condition) => condition.type === 'Ready')?.status, 'True');
  t.deepEqual(
    node.status.addresses.filter(({ type }) => type === 'InternalIP').map(({ address }) => address),
    [NODE_IP],
  );
  t.regex(node.status.nodeInfo.containerRuntimeVersion ?? '', /^containerd:\/\/1\./);
  t.is(node.status.nodeInfo.kubeletVersion, 'v1.34.4');
});

test.serial(
  "a Pod of the registry's backend:0.1.0, pulled by the node, runs with our securityContext, gets Ready and answers",
  async (t) => {
    const { kubeconfig, paths } = running();
    const pod = await backendPod();
    const applied = await runCommand(binaries.kubectl, ['apply', '-f', '-'], {
      input: stringify(pod),
      env: { PATH: process.env.PATH, KUBECONFIG: kubeconfig, KUBECACHEDIR: join(paths.dir, 'kubectl-cache') },
    });
    t.is(applied.code, 0, applied.stderr);
    type PodStatus = {
      status: { phase?: string; podIP?: string; conditions?: Condition[] };
      spec: { nodeName?: string };
    };
    let last: PodStatus | undefined;
    const ready = await waitFor(
      'the backend Pod to be Running and Ready',
      async () => {
        last = await kubectlJson<PodStatus>(['get', 'pod', 'backend', '-n', 'default']);
        const isReady = last.status.conditions?.some(({ type, status }) => type === 'Ready' && status === 'True');
        return last.status.phase === 'Running' && isReady ? last : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    ).catch((error: Error) => {
      throw new Error(`${error.message}\nLast status: ${JSON.stringify(last?.status)}`);
    });
    t.is(ready.spec.nodeName, running().node);
    const podIp = ready.status.podIP ?? '';
    t.true(podIp.startsWith(POD_CIDR.split('.').slice(0, 3).join('.')), `pod IP ${podIp} is not in ${POD_CIDR}`);

    const port = await running().expose({ host: podIp, port: 8080 });
    const response = await fetch(`http://127.0.0.1:${port.port}/`);
    t.is(response.status, 200);
    t.is(await response.text(), '1\n');
    // The node had no copy: kubelet pulled it from the registry (no "already present on machine").
    const events = await kubectlJson<{ items: { reason: string; message: string }[] }>([
      'get',
      'events',
      '-n',
      'default',
      '--field-selector',
      'involvedObject.name=backend,involvedObject.kind=Pod',
    ]);
    const pulled = events.items.filter(({ reason }) => reason === 'Pulled').map(({ message }) => message);
    t.is(pulled.length, 1, JSON.stringify(events.items));
    t.regex(
      pulled[0] ?? '',
      new RegExp(`^Successfully pulled image "${running().registry?.name}/backend:0\\.1\\.0" in `),
    );
    t.log(pulled[0]);
  },
);

/** What the client pod prints: its resolv.conf, the addresses it resolved, the answer through the Service. */
const CLIENT_SCRIPT = `
const dns = require('node:dns');
const fs = require('node:fs');
const lookup = (name) => dns.promises.lookup(name, { family: 4 }).then(({ address }) => address, (error) => error.code);
(async () => {
  const result = { resolvConf: fs.readFileSync('/etc/resolv.conf', 'utf8') };
  result.kubernetes = await lookup('kubernetes.default.svc.cluster.local');
  result.service = await lookup('backend-pod-service');
  result.outside = await lookup('example.com');
  // kube-proxy programs the new Service's rules within a second or so: retry until a deadline.
  for (const deadline = Date.now() + 20000; ; ) {
    try {
      const response = await fetch('http://backend-pod-service.default.svc.cluster.local:8080/');
      result.status = response.status;
      result.body = await response.text();
      break;
    } catch (error) {
      result.fetchErrors = (result.fetchErrors ?? 0) + 1;
      if (Date.now() > deadline) throw new Error(String(error.cause ?? error));
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  console.log(JSON.stringify(result));
})().catch((error) => console.log(JSON.stringify({ error: String(error) })));
`;

test.serial('pods resolve Service names through CoreDNS and reach a Service by its name', async (t) => {
  const { kubeconfig, paths } = running();
  const kubectlEnv = { PATH: process.env.PATH, KUBECONFIG: kubeconfig, KUBECACHEDIR: join(paths.dir, 'kubectl-cache') };
  const backend = (await backendPod()) as unknown as { spec: { containers: Record<string, unknown>[] } };
  const { image, securityContext } = backend.spec.containers[0] ?? {};
  const service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'backend-pod-service', namespace: 'default' },
    spec: { selector: { 'app.kubernetes.io/name': 'backend' }, ports: [{ port: 8080, targetPort: 8080 }] },
  };
  const client = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'dns-client', namespace: 'default' },
    spec: {
      restartPolicy: 'Never',
      containers: [{ name: 'client', image, securityContext, command: ['node', '-e', CLIENT_SCRIPT] }],
    },
  };
  const applied = await runCommand(binaries.kubectl, ['apply', '-f', '-'], {
    input: `${stringify(service)}---\n${stringify(client)}`,
    env: kubectlEnv,
  });
  t.is(applied.code, 0, applied.stderr);
  const clusterIp = (await kubectlJson<{ spec: { clusterIP: string } }>(['get', 'service', 'backend-pod-service'])).spec
    .clusterIP;
  await waitFor(
    'the DNS client Pod to finish',
    async () => {
      const pod = await kubectlJson<{ status: { phase?: string } }>(['get', 'pod', 'dns-client', '-n', 'default']);
      return pod.status.phase === 'Succeeded' || pod.status.phase === 'Failed' || undefined;
    },
    { timeoutMs: 60_000, intervalMs: 500 },
  );
  const logs = await runCommand(binaries.kubectl, ['logs', 'dns-client', '-n', 'default'], { env: kubectlEnv });
  t.is(logs.code, 0, logs.stderr);
  const result = JSON.parse(logs.stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
  t.is(result.error, undefined, logs.stdout);
  t.log(`fetch attempts that failed before the answer: ${result.fetchErrors ?? 0}`);
  t.regex(String(result.resolvConf), new RegExp(`^nameserver ${CLUSTER_DNS_IP.replaceAll('.', '\\.')}$`, 'm'));
  t.regex(String(result.resolvConf), /^search default\.svc\.cluster\.local svc\.cluster\.local cluster\.local$/m);
  t.is(result.kubernetes, KUBERNETES_SERVICE_IP);
  t.is(result.service, clusterIp);
  t.not(result.outside, undefined);
  t.false(/^\d+\.\d+\.\d+\.\d+$/.test(String(result.outside)), `example.com resolved to ${result.outside}`);
  t.is(result.status, 200);
  t.regex(String(result.body), /^\d+\n$/);
});

/** Mount points (of this machine's mount namespace) under `folder`. */
async function mountsUnder(folder: string): Promise<string[]> {
  const mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
  return mountinfo
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((mountPoint) => mountPoint.startsWith(folder));
}

test.serial('stopping leaves no process, namespace, mount, cgroup or file of the node', async (t) => {
  const { namespace, processes, paths } = running();
  const cgroupRoot = namespace;
  const pids = [
    ...processes.map((child) => child.process.pid ?? 0),
    ...(await clusterPids(running())),
    ...(await cgroupPids(cgroupRoot)),
  ];
  t.true((await cgroupPids(cgroupRoot)).length >= 2, 'the pod (pause and backend) should run in the cgroup root');
  await running().stop();
  for (const pid of pids) t.false(await isRunning(pid), `process ${pid} still runs`);
  const { stdout } = await runCommand('ip', ['netns', 'list']);
  t.false(
    stdout.split('\n').some((line) => line.split(' ')[0] === namespace),
    stdout,
  );
  t.deepEqual(await mountsUnder(paths.dir), []);
  const hierarchies = await readdir('/sys/fs/cgroup');
  t.deepEqual(
    hierarchies.filter((hierarchy) => existsSync(join('/sys/fs/cgroup', hierarchy, cgroupRoot))),
    [],
    'kubelet cgroups are left',
  );
  t.false(existsSync(paths.dir), 'the state folder of a test cluster is still there');
  for (const folder of ['/var/lib/kubelet', '/var/log/containers', '/run/containerd', '/var/lib/cni']) {
    t.false(existsSync(folder), `${folder} was written on this machine`);
  }
});
