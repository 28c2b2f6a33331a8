// Where diagnose finds Jaeger when not told: the paths that can be real without a cluster.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { findJaeger, JaegerNotFoundError } from '../../tools/jaeger/source.ts';
import { findFreePort } from '../../tools/processes/ports.ts';

test('an explicit --jaeger is used as given', async (t) => {
  const source = await findJaeger('http://jaeger.example:16686/', {});
  t.is(source.url, 'http://jaeger.example:16686');
});

test('no local Jaeger and no kubeconfig: says both, and what to do', async (t) => {
  const home = await mkdtemp(join(tmpdir(), 'diagnose-home-'));
  t.teardown(() => rm(home, { recursive: true, force: true }));
  const local = `http://127.0.0.1:${await findFreePort()}`;
  await t.throwsAsync(findJaeger(undefined, { HOME: home }, local), {
    instanceOf: JaegerNotFoundError,
    message: `Jaeger is unreachable at ${local} (start it with npm start), and there is no kubeconfig to find one in a cluster. Pass --jaeger URL to use another.`,
  });
});

test('no local Jaeger, and the kubeconfig cluster unreachable: names the cluster and the cause', async (t) => {
  const directory = await mkdtemp(join(tmpdir(), 'diagnose-kubeconfig-'));
  t.teardown(() => rm(directory, { recursive: true, force: true }));
  const server = `https://127.0.0.1:${await findFreePort()}`;
  const kubeconfig = join(directory, 'config');
  await writeFile(
    kubeconfig,
    `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: "${server}" } }]
contexts: [{ name: c, context: { cluster: c, user: u } }]
current-context: c
users: [{ name: u, user: { token: t } }]
`,
  );
  const local = `http://127.0.0.1:${await findFreePort()}`;
  await t.throwsAsync(findJaeger(undefined, { KUBECONFIG: kubeconfig }, local), {
    instanceOf: JaegerNotFoundError,
    message: new RegExp(
      `^Jaeger is unreachable at ${local}, and the cluster at ${server} could not be asked for it: .*ECONNREFUSED`,
    ),
  });
});
