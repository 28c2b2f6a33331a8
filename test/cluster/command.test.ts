// `npm run cluster -- up | status | down` as a developer runs them, in two terminals: `up` says how to
// use the cluster and `Ready.`, `status` lists its processes, `down` from elsewhere makes `up` stop in
// order and exit 0; after a crash of `up` (SIGKILL), `status` says so and `down` removes what is left.
import { rm } from 'node:fs/promises';
import test, { type ExecutionContext } from 'ava';
import { namespaceExists, namespacePids } from '../../tools/cluster/netns.ts';
import { clusterPaths, isRunning } from '../../tools/cluster/state.ts';
import { REPOSITORY_ROOT } from '../../tools/functions/run.ts';
import { type Child, spawnChild, waitFor } from '../../tools/processes/process.ts';
import { runCommand } from '../../tools/processes/run-command.ts';

const name = `cmd-test-${process.pid}`;
const namespace = `ktc-${name}`;

/** The command, as `npm run cluster --` runs it (node itself, so that SIGKILL reaches it, not npm). */
function cluster(args: string[]): Child {
  return spawnChild('cluster', process.execPath, ['tools/commands/cluster.ts', ...args, '--name', name], {
    cwd: REPOSITORY_ROOT,
    env: process.env,
  });
}

async function run(args: string[]): Promise<{ code: number | null; output: string }> {
  const child = cluster(args);
  const { code } = await child.exited;
  return { code, output: child.output() };
}

async function startUp(t: ExecutionContext): Promise<Child> {
  const up = cluster(['up']);
  t.teardown(async () => {
    await up.stop('SIGTERM', 15_000);
  });
  await waitFor('`up` to say Ready.', async () => /^Ready\.$/m.test(up.output()) || undefined, {
    timeoutMs: 90_000,
    intervalMs: 200,
    child: up,
  });
  return up;
}

test.after.always(async () => {
  await run(['down']);
  // `up` keeps its state folder (logs, kubeconfig) for whoever runs it; this test's is of no use after.
  await rm(clusterPaths(name, process.env).dir, { recursive: true, force: true });
});

test.serial(
  'up says how to use the cluster; status lists its processes; down from elsewhere stops it in order',
  async (t) => {
    const up = await startUp(t);
    const output = up.output();
    t.regex(output, /export KUBECONFIG=\/.*\/clusters\/cmd-test-\d+\/kubeconfig/);
    t.regex(output, /kubernetes-v1\.34\.4\/kubectl get ksvc -A/);
    t.regex(output, /npm run deploy -- --registry dev\.local/);
    t.regex(output, /^ {2}kube-apiserver \(\d+\.\d s\)$/m, 'a time per step');

    const status = await run(['status']);
    t.is(status.code, 0, status.output);
    for (const process of ['etcd', 'kube-apiserver', 'kube-controller', 'webhook', 'controller', 'ktc-bridge']) {
      t.regex(status.output, new RegExp(`\\d+ {2}${process} +\\d+ MiB`), `${process} in:\n${status.output}`);
    }
    t.regex(status.output, /\(running\)/);
    t.regex(status.output, /6 processes, \d+ MiB resident in all/);

    const down = await run(['down']);
    t.is(down.code, 0, down.output);
    t.regex(down.output, /is down\./);
    t.deepEqual(await up.exited, { code: 0, signal: null });
    const stops = [...up.output().matchAll(/^ {2}stopped (\S+)/gm)].map((match) => match[1]);
    t.deepEqual(stops, [
      'knative-controller',
      'knative-webhook',
      'kube-controller-manager',
      'kube-apiserver',
      'etcd',
      'bridge',
    ]);
    t.false(namespaceExists(namespace));
    t.regex((await run(['status'])).output, /No cluster "cmd-test-\d+" runs\./);
  },
);

test.serial(
  'after up is killed, status says it crashed and down removes every process and the namespace',
  async (t) => {
    const up = await startUp(t);
    const pids = await namespacePids(namespace);
    t.is(pids.length, 6);
    up.process.kill('SIGKILL');
    await up.exited;

    const status = await run(['status']);
    t.regex(status.output, /gone: the cluster crashed; `down` cleans up/);
    const down = await run(['down']);
    t.is(down.code, 0, down.output);
    for (const pid of pids) t.false(await isRunning(pid), `process ${pid} still runs`);
    t.false(namespaceExists(namespace));
    const { stdout } = await runCommand('ip', ['netns', 'list']);
    t.false(stdout.includes(namespace), stdout);
  },
);

test('a bad name or command is refused with the usage, status 2', async (t) => {
  for (const args of [['up', '--name', 'Bad_Name'], ['start'], [], ['down', '--node']]) {
    const child = spawnChild('cluster', process.execPath, ['tools/commands/cluster.ts', ...args], {
      cwd: REPOSITORY_ROOT,
    });
    const { code } = await child.exited;
    t.is(code, 2, args.join(' '));
    t.regex(child.output(), /Usage: npm run cluster -- up \[--node\] \| down \| status/);
  }
});
