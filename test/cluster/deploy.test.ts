import { join } from 'node:path';
import { ApiException, type KubernetesObjectApi, PatchStrategy } from '@kubernetes/client-node';
import test, { type ExecutionContext } from 'ava';
import { type RunningCluster, startCluster } from '../../tools/cluster/cluster.ts';
import { applyObject, FIELD_MANAGER, loadKubeConfig, objectClient } from '../../tools/deploy/cluster.ts';
import { planDeploy } from '../../tools/deploy/plan.ts';
import { REPOSITORY_ROOT } from '../../tools/functions/run.ts';
import { checkObjects } from '../../tools/knative/checker.ts';
import { type KubernetesObject, loadProjectManifests } from '../../tools/knative/manifests.ts';
import { runOurCommand } from '../helpers/commands.ts';
import { copyOf, type KnativeService, refusedServices } from '../helpers/knative-cases.ts';
import { kubectlOn } from '../helpers/knative-cluster.ts';
import { kubeconfigWithoutPermissions, kubeconfigWithWrongCa } from '../helpers/kubeconfigs.ts';

let cluster: RunningCluster | undefined;
const manifests = await loadProjectManifests();

test.before(async () => {
  cluster = await startCluster({ name: `deploy-test-${process.pid}`, env: process.env, removeStateOnStop: true });
});
test.after.always(async () => {
  await cluster?.stop();
});

function running(): RunningCluster {
  if (!cluster) throw new Error('The cluster did not start');
  return cluster;
}

/** `npm run deploy -- ARGS` as a user runs it, with only KUBECONFIG pointing anywhere. */
function deploy(t: ExecutionContext, args: string[], kubeconfig = running().kubeconfig) {
  return runOurCommand(t, 'deploy', args, { KUBECONFIG: kubeconfig });
}

function client(): KubernetesObjectApi {
  return objectClient(loadKubeConfig({ KUBECONFIG: running().kubeconfig }));
}

async function read(apiVersion: string, kind: string, namespace: string, name: string) {
  return (await client().read({ apiVersion, kind, metadata: { name, namespace } })) as KubernetesObject & {
    spec?: Record<string, unknown>;
    data?: Record<string, string>;
    metadata: { managedFields?: { manager: string; operation: string; fieldsV1?: Record<string, unknown> }[] };
  };
}

async function absent(apiVersion: string, kind: string, namespace: string, name: string): Promise<boolean> {
  try {
    const object = await read(apiVersion, kind, namespace, name);
    return Boolean((object.metadata as { deletionTimestamp?: string }).deletionTimestamp);
  } catch (error) {
    if (error instanceof ApiException && error.code === 404) return true;
    throw error;
  }
}

const serving = 'serving.knative.dev/v1';

// First, on the fresh cluster: what docs/deploy.md tells kubectl users to run, as written. kubectl
// applies the files in name order; the Namespace must come first.
test.serial('kubectl apply -f jaeger/ works on a fresh cluster, as docs/deploy.md says to run it', async (t) => {
  const kubectl = (args: string[]) => kubectlOn(running(), args);
  const folder = `${join(REPOSITORY_ROOT, 'jaeger')}/`;
  t.false((await kubectl(['get', 'namespaces', '-o', 'name'])).includes('namespace/observability'), 'not fresh');
  const applied = await kubectl(['apply', '-f', folder]);
  t.deepEqual(applied.trim().split('\n'), [
    'namespace/observability created',
    'configmap/jaeger created',
    'deployment.apps/jaeger created',
    'service/jaeger-collector created',
    'service/jaeger-query created',
  ]);
  // Leave the cluster fresh for deploy: --wait returns once the namespace's finalizers are done.
  await kubectl(['delete', '-f', folder, '--wait=true', '--timeout=60s']);
  t.false((await kubectl(['get', 'namespaces', '-o', 'name'])).includes('namespace/observability'));
});

test.serial(
  'deploy applies everything; Knative makes its objects; with no node the wait ends naming why',
  async (t) => {
    const { code, output } = await deploy(t, ['--registry', 'dev.local', '--timeout', '20']);
    t.is(code, 1, output);
    for (const object of planDeploy(manifests, { registry: 'dev.local' })) {
      const where = object.metadata.namespace ? `${object.metadata.namespace}/` : '';
      t.true(output.includes(`applied: ${object.kind} ${where}${object.metadata.name} (${object.apiVersion})`));
    }
    t.regex(output, /Waiting up to 20 s \(--timeout\) for backend and frontend to be Ready:/);
    t.regex(output, /backend\s+revision backend-00001 created, none ready/);
    t.regex(
      output,
      /frontend\s+Ready Unknown \(RevisionMissing: Configuration "frontend" is waiting for a Revision to become ready\.\)/,
    );
    t.regex(output, /Not Ready after 20 s \(--timeout\): 2 of 2 Knative Services\n/);
    t.regex(output, /Service default\/backend \(serving\.knative\.dev\/v1\): Ready Unknown \(RevisionMissing: /);

    // What Knative's controller made of the backend, read back.
    for (const kind of ['Configuration', 'Route']) t.truthy(await read(serving, kind, 'default', 'backend'), kind);
    const revision = await read(serving, 'Revision', 'default', 'backend-00001');
    const containers = (revision.spec as { containers: { image: string }[] }).containers;
    t.is(containers[0]?.image, 'dev.local/backend:0.1.0');
    const deployment = await read('apps/v1', 'Deployment', 'default', 'backend-00001-deployment');
    const podSpec = (deployment.spec as { template: { spec: { containers: { name: string }[] } } }).template.spec;
    t.deepEqual(
      podSpec.containers.map((container) => container.name),
      ['backend', 'queue-proxy'],
    );

    // Server-side apply: in Knative's own ConfigMap our field manager owns our three keys, nothing else.
    const observability = await read('v1', 'ConfigMap', 'knative-serving', 'config-observability');
    const ours = observability.metadata.managedFields?.filter((entry) => entry.manager === FIELD_MANAGER) ?? [];
    t.is(ours.length, 1);
    t.deepEqual(ours[0]?.fieldsV1, {
      'f:data': { 'f:tracing-endpoint': {}, 'f:tracing-protocol': {}, 'f:tracing-sampling-rate': {} },
    });
    t.true('_example' in (observability.data ?? {}), "Knative's own key stays");
  },
);

test.serial('a re-apply with a change waits for the new generation and its revision', async (t) => {
  const { code, output } = await deploy(t, ['--registry', 'dev.local/v2', '--timeout', '8']);
  t.is(code, 1, output);
  t.regex(output, /backend\s+generation 2 (not yet )?observed/);
  t.regex(output, /backend\s+revision backend-00002 created, none ready/);
  t.notRegex(output, /\nReady:/);
  const revision = await read(serving, 'Revision', 'default', 'backend-00002');
  t.is((revision.spec as { containers: { image: string }[] }).containers[0]?.image, 'dev.local/v2/backend:0.1.0');
});

test.serial("Knative's real webhook refuses what it must, with the message the checker gives", async (t) => {
  for (const { title, name, change, message } of refusedServices) {
    const service = copyOf<KnativeService>(manifests, 'Service', name);
    change(service);
    const [verdict] = await checkObjects([service], process.env);
    t.false(verdict?.allowed, `the checker refuses ${title}`);
    const error = await t.throwsAsync(applyObject(client(), service), undefined, title);
    if (message.startsWith('validation failed')) {
      t.is(
        error?.message,
        `Could not apply Service default/${name} (${serving}): admission webhook "validation.webhook.serving.knative.dev" denied the request: ${message}`,
        title,
      );
    } else {
      // An unknown field: the API server refuses it against the CRD's schema before any webhook.
      t.regex(error?.message ?? '', /field not declared in schema/, title);
    }
  }
});

test.serial('the checker and the real webhook both admit our Services as they are', async (t) => {
  for (const name of ['backend', 'frontend']) {
    const service = copyOf<KnativeService>(manifests, 'Service', name);
    t.like((await checkObjects([service], process.env))[0], { allowed: true, message: '' });
    await t.notThrowsAsync(
      client().patch(service, undefined, 'All', FIELD_MANAGER, true, PatchStrategy.ServerSideApply),
      `${name}: a dry-run apply passes the webhook`,
    );
  }
});

test.serial('without permissions, with the wrong CA, without Knative: one clear line each, exit 1', async (t) => {
  const denied = await deploy(t, ['--registry', 'dev.local'], await kubeconfigWithoutPermissions(t, running()));
  t.is(denied.code, 1);
  t.regex(
    denied.output,
    /^Permission denied to apply Namespace observability \(v1\): namespaces "observability" is forbidden: User "no-permissions" cannot patch resource "namespaces"/m,
  );
  const untrusted = await deploy(t, ['--registry', 'dev.local'], await kubeconfigWithWrongCa(t, running()));
  t.is(untrusted.code, 1);
  t.regex(
    untrusted.output,
    /^The cluster at https:\/\/127\.0\.0\.1:\d+ answered with a certificate that the kubeconfig's certificate-authority did not sign \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\)/m,
  );
  const bare = await startCluster({
    name: `bare-test-${process.pid}`,
    env: process.env,
    knative: false,
    removeStateOnStop: true,
  });
  t.teardown(() => bare.stop());
  const missing = await deploy(t, ['--registry', 'dev.local'], bare.kubeconfig);
  t.is(missing.code, 1);
  t.regex(
    missing.output,
    /^Knative Serving is not installed in the cluster at https:\/\/127\.0\.0\.1:\d+: it serves no serving\.knative\.dev API/m,
  );
  for (const run of [denied, untrusted, missing]) {
    t.is(run.output.trim().split('\n').length, 2, `the cluster line, then one line:\n${run.output}`);
  }
});

test.serial("--delete removes what deploy applied and gives our keys of Knative's ConfigMap back", async (t) => {
  const { code, output } = await deploy(t, ['--delete']);
  t.is(code, 0, output);
  t.regex(output, /^deleted: Service default\/backend \(serving\.knative\.dev\/v1\)$/m);
  t.regex(output, /^released: ConfigMap knative-serving\/config-observability \(v1\)$/m);
  for (const [apiVersion, kind, namespace, name] of [
    [serving, 'Service', 'default', 'backend'],
    [serving, 'Service', 'default', 'frontend'],
    ['apps/v1', 'Deployment', 'observability', 'jaeger'],
    ['v1', 'Namespace', '', 'observability'],
  ] as const) {
    t.true(await absent(apiVersion, kind, namespace, name), `${kind} ${name} is gone or going`);
  }
  const observability = await read('v1', 'ConfigMap', 'knative-serving', 'config-observability');
  t.deepEqual(Object.keys(observability.data ?? {}), ['_example']);
  t.false(observability.metadata.managedFields?.some((entry) => entry.manager === FIELD_MANAGER) ?? true);
});
