// `npm run deploy`: its plan, printed by --dry-run without a cluster, and every failure that can be
// real here (no kubeconfig, an unreachable cluster). The cluster paths themselves need a cluster.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { parseAllDocuments } from 'yaml';
import { PlanError, planDeploy } from '../../tools/deploy/plan.ts';
import { REPOSITORY_ROOT } from '../../tools/functions.ts';
import { loadProjectManifests } from '../../tools/manifests.ts';
import { findFreePort } from '../../tools/ports.ts';
import { spawnChild } from '../../tools/process.ts';

async function deploy(t: ExecutionContext, args: string[], env: NodeJS.ProcessEnv = {}) {
  const home = await mkdtemp(join(tmpdir(), 'deploy-test-'));
  t.teardown(() => rm(home, { recursive: true, force: true }));
  const child = spawnChild('deploy', 'npm', ['run', 'deploy', '--silent', '--', ...args], {
    cwd: REPOSITORY_ROOT,
    // A home without ~/.kube/config, so that only what the test gives counts.
    env: { PATH: process.env.PATH, HOME: home, ...env },
  });
  const { code } = await child.exited;
  return { code, output: child.output(), home };
}

async function kubeconfig(t: ExecutionContext, server: string | undefined): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'kubeconfig-'));
  t.teardown(() => rm(directory, { recursive: true, force: true }));
  const file = join(directory, 'config');
  const context = server === undefined ? '' : 'current-context: test\n';
  await writeFile(
    file,
    `apiVersion: v1
kind: Config
clusters:
  - name: test
    cluster:
      server: ${server ?? 'https://127.0.0.1:6443'}
contexts:
  - name: test
    context:
      cluster: test
      user: test
${context}users:
  - name: test
    user:
      token: test-token
`,
  );
  return file;
}

test('--dry-run prints every object it would apply, in order, and needs no cluster', async (t) => {
  const { code, output } = await deploy(t, ['--dry-run']);
  t.is(code, 0, output);
  const printed = parseAllDocuments(output).map((document) => document.toJS());
  t.deepEqual(printed, planDeploy(await loadProjectManifests()));
  t.is(printed.length, 7);
});

test('--registry points the function images at your registry, and nothing else', async (t) => {
  const objects = planDeploy(await loadProjectManifests(), { registry: 'registry.example/alice' });
  const images = objects.flatMap(
    (object) =>
      (object.spec as { template?: { spec?: { containers?: { image: string }[] } } } | undefined)?.template?.spec
        ?.containers ?? [],
  );
  t.deepEqual(
    images.map((container) => container.image),
    ['jaegertracing/jaeger:2.13.0', 'registry.example/alice/backend:0.1.0', 'registry.example/alice/frontend:0.1.0'],
  );
  t.throws(() => planDeploy([], { registry: 'https://registry.example/alice' }), {
    instanceOf: PlanError,
    message: /--registry/,
  });
});

test('no kubeconfig: says so and how to fix it, exit 1', async (t) => {
  const { code, output } = await deploy(t, []);
  t.is(code, 1);
  t.regex(output, /^No kubeconfig: KUBECONFIG is not set and ~\/\.kube\/config does not exist/m);
});

test('KUBECONFIG naming a missing file: says which, exit 1', async (t) => {
  const { code, output } = await deploy(t, [], { KUBECONFIG: '/nonexistent/kubeconfig' });
  t.is(code, 1);
  t.regex(output, /^KUBECONFIG names \/nonexistent\/kubeconfig, which does not exist\.$/m);
});

test('a kubeconfig without a current context: says so, exit 1', async (t) => {
  const { code, output } = await deploy(t, [], { KUBECONFIG: await kubeconfig(t, undefined) });
  t.is(code, 1);
  t.regex(output, /The kubeconfig has no current context/);
});

test('an unreachable cluster: names the server and the cause, exit 1', async (t) => {
  const server = `https://127.0.0.1:${await findFreePort()}`;
  for (const args of [[], ['--delete']]) {
    const { code, output } = await deploy(t, args, { KUBECONFIG: await kubeconfig(t, server) });
    t.is(code, 1);
    t.regex(output, new RegExp(`^Cannot reach the cluster at ${server}: .*ECONNREFUSED`, 'm'));
  }
});

test('a bad option: usage, exit 2', async (t) => {
  const { code, output } = await deploy(t, ['--timeout', 'soon']);
  t.is(code, 2);
  t.regex(output, /--timeout is "soon"/);
});
