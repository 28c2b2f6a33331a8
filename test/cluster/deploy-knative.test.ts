// `npm run deploy` on the cluster with a node, where Knative's activator runs in its pod: a deploy that
// changes Knative's tracing keys restarts the activator once (and a visit's trace then holds its
// spans), a deploy that finds them as wanted leaves it running; a Revision whose image tag the
// registry lacks, or whose image the node cannot pull, stops deploy well before its --timeout, with
// the reason in one line. One cluster, in order.
import test, { type ExecutionContext } from 'ava';
import type { RunningCluster } from '../../tools/cluster/cluster.ts';
import { JAEGER_IMAGE } from '../../tools/cluster/node/images.ts';
import { findJaeger, type JaegerSource } from '../../tools/jaeger/source.ts';
import { runOurCommand } from '../helpers/commands.ts';
import {
  activatorPods,
  EVERY_HOP,
  isWhole,
  kubectlOn,
  servicesOf,
  startClusterWithIngress,
  traceIn,
  visitThrough,
} from '../helpers/knative-cluster.ts';

const JAEGER_ARGS = ['--jaeger-image', JAEGER_IMAGE.name];
const TIMEOUT_SECONDS = 240;
/** Pods start, drain and stop in their own time: on a busy machine, longer than ava's 2 minutes. */
const SLOW_TEST_MS = 420_000;
const RESTARTED = /^Knative's tracing keys changed \(([^)]*)\): restarted Knative's activator/m;

let cluster: RunningCluster | undefined;
let ingressPort = 0;
let jaeger: JaegerSource | undefined;

test.before(async () => {
  ({ cluster, ingressPort } = await startClusterWithIngress(`deploy-kn-${process.pid}`));
});

test.after.always(async () => {
  await jaeger?.close();
  await cluster?.stop();
});

function running(): RunningCluster {
  if (!cluster) throw new Error('The cluster did not start');
  return cluster;
}

const kubectl = (args: string[]) => kubectlOn(running(), args);
const deploy = (t: ExecutionContext, args: string[]) =>
  runOurCommand(t, 'deploy', args, { KUBECONFIG: running().kubeconfig });
/** The cluster's registry, where the functions' images were pushed. */
const registry = () => running().registry?.name ?? 'no registry';

test.serial(
  'deploy restarts the activator when it changed the tracing keys, then its spans are in a visit; a second deploy leaves it',
  async (t) => {
    t.timeout(SLOW_TEST_MS);
    // The cluster starts with our keys already set; as on a Knative installed without them, tracing
    // off. The config webhook refuses protocol none with an endpoint: remove it in the same patch.
    await kubectl([
      'patch',
      'configmap',
      'config-observability',
      '-n',
      'knative-serving',
      '--type=merge',
      '-p',
      JSON.stringify({ data: { 'tracing-protocol': 'none', 'tracing-endpoint': null, 'tracing-sampling-rate': null } }),
    ]);
    const before = await activatorPods(running());
    t.is(before.length, 1, before.join(' '));

    const first = await deploy(t, ['--registry', registry(), ...JAEGER_ARGS, '--timeout', String(TIMEOUT_SECONDS)]);
    t.is(first.code, 0, first.output);
    t.is(RESTARTED.exec(first.output)?.[1], 'tracing-endpoint, tracing-protocol, tracing-sampling-rate', first.output);
    // deploy waited for the rollout: the old pod is gone, one new one runs.
    const after = await activatorPods(running());
    t.is(after.length, 1, after.join(' '));
    t.false(before.includes(after[0] ?? ''), `the activator pod ${before[0]} was not replaced`);

    const answer = await visitThrough(ingressPort);
    t.is(answer.status, 200, answer.body);
    jaeger ??= await findJaeger(undefined, { KUBECONFIG: running().kubeconfig }, 'http://127.0.0.1:9');
    const trace = await traceIn(jaeger.url, answer.traceId ?? '', isWhole);
    t.deepEqual([...servicesOf(trace)].sort(), EVERY_HOP);

    const second = await deploy(t, ['--registry', registry(), ...JAEGER_ARGS, '--timeout', String(TIMEOUT_SECONDS)]);
    t.is(second.code, 0, second.output);
    t.notRegex(second.output, /activator/, 'the keys were as wanted: no restart');
    t.deepEqual(await activatorPods(running()), after);
  },
);

/** `npm run deploy` with `registry`, which must fail fast: its output, and how long it took. */
async function failedDeploy(t: ExecutionContext, registryPath: string): Promise<string> {
  const started = Date.now();
  const failed = await deploy(t, ['--registry', registryPath, ...JAEGER_ARGS, '--timeout', String(TIMEOUT_SECONDS)]);
  const seconds = (Date.now() - started) / 1000;
  t.log(`deploy failed after ${seconds.toFixed(1)} s of its --timeout ${TIMEOUT_SECONDS} s`);
  t.is(failed.code, 1, failed.output);
  t.true(seconds < TIMEOUT_SECONDS / 2, `${seconds} s: it waited for the timeout`);
  t.notRegex(failed.output, /Not Ready after/);
  return failed.output;
}

/** The lines deploy ends with, one for each Service that had failed when it looked. */
const failureLines = (output: string) => output.split('\n').filter((line) => /^(backend|frontend): /.test(line));

test.serial(
  "a tag the registry lacks stops deploy well before its --timeout, with Knative's reason in one line",
  async (t) => {
    t.timeout(SLOW_TEST_MS);
    const missing = `${registry()}/missing`;
    const output = await failedDeploy(t, missing);
    const lines = failureLines(output);
    t.true(lines.length >= 1, output);
    for (const line of lines) {
      t.regex(
        line,
        new RegExp(
          `^(backend|frontend): RevisionFailed: Revision "\\1-00002" failed with message: Unable to fetch image "${missing.replaceAll('.', '\\.')}/\\1:0\\.1\\.0": failed to resolve image to digest`,
        ),
      );
    }
    t.log(lines.join('\n'));
  },
);

test.serial('an image the node cannot pull stops deploy well before its --timeout, in one line', async (t) => {
  t.timeout(SLOW_TEST_MS);
  // dev.local: Knative resolves no tag there, so the node is the one that finds the image missing.
  const output = await failedDeploy(t, 'dev.local/missing');
  // The re-apply made revision 00003 of each; one line for each that had failed when deploy looked.
  const lines = failureLines(output);
  t.true(lines.length >= 1, output);
  for (const line of lines) {
    t.regex(
      line,
      /^(backend|frontend): (ImagePullBackOff|ErrImagePull): Revision "\1-00003" cannot start: pod \1-00003-deployment-\S+, container \1: .*dev\.local\/missing\/\1:0\.1\.0/,
    );
  }
  t.log(lines.join('\n'));

  await jaeger?.close();
  jaeger = undefined;
  const deleted = await deploy(t, ['--delete']);
  t.is(deleted.code, 0, deleted.output);
  t.is((await kubectl(['get', 'ksvc,revisions,pods', '-n', 'default', '-o', 'name'])).trim(), '');
});
