// docs/deploy.md's path from an empty cluster to a trace, run as written on the Knative cluster of
// this machine: every shell block marked `<!-- runs here: ... -->`, in the document's order, with only
// REGISTRY and INGRESS filled in, inside the cluster's network (where its registry and ingress are),
// `docker` being podman. Twice, on one cluster whose Knative started without tracing keys, as a
// user's does:
//   kind:  Knative never told about tracing; the quickstart's kind of registry, plain HTTP at
//          localhost:5001, whose tags Knative does not resolve; the kn commands.
//   cloud: the same Knative, now running with tracing; the registry over TLS with the cluster's
//          CA, whose tags Knative resolves to digests; npm run deploy.
// Each visit's trace must hold the activator's and queue-proxies' spans.
import { chmod, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { requireClusterBinaries, requireNodeBinaries } from '../../tools/cluster/binaries.ts';
import { type RunningCluster, startCluster } from '../../tools/cluster/cluster.ts';
import { namespacePath } from '../../tools/cluster/netns.ts';
import { KIND_REGISTRY } from '../../tools/cluster/node/registry.ts';
import { GLOBAL_FLAGS, ULIMITS } from '../../tools/containers/podman.ts';
import { type CommandBlock, commandBlocks, scenarioBlocks } from '../../tools/docs/command-blocks.ts';
import { REPOSITORY_ROOT } from '../../tools/functions/run.ts';
import { fetchTraces, type JaegerTrace, serviceOf } from '../../tools/jaeger/query.ts';
import { findJaeger, type JaegerSource } from '../../tools/jaeger/source.ts';
import { requireKn } from '../../tools/kn/binary.ts';
import { spawnChild, waitFor } from '../../tools/processes/process.ts';
import { activatorPods, EVERY_HOP, isWhole, kubectlOn, rootsOf, servicesOf } from '../helpers/knative-cluster.ts';

const DOCUMENT = 'docs/deploy.md';
/** The path's blocks take minutes: images built and pushed, the activator's old pod drained. */
const SCENARIO_MS = 900_000;

/** docker, as podman on this machine: runc and limits below the sandbox's (docs/this-machine.md). */
const DOCKER_AS_PODMAN = `#!/bin/sh
if [ "$1" = build ]; then shift; exec podman ${GLOBAL_FLAGS.join(' ')} build ${ULIMITS.join(' ')} "$@"; fi
exec podman ${GLOBAL_FLAGS.join(' ')} "$@"
`;

let cluster: RunningCluster | undefined;
let tools = '';

test.before(async () => {
  await requireClusterBinaries(process.env);
  await requireNodeBinaries(process.env);
  // As a user's cluster: Knative's config-observability as released, read by pods already running.
  cluster = await startCluster({ name: `docs-test-${process.pid}`, env: process.env, node: true, tracing: false });
  tools = await mkdtemp(join(tmpdir(), 'docs-tools-'));
  // What a user has on PATH: kubectl, kn, and docker (here podman, which takes the same arguments).
  await symlink(cluster.kubectl, join(tools, 'kubectl'));
  await symlink(await requireKn(process.env), join(tools, 'kn'));
  await writeFile(join(tools, 'docker'), DOCKER_AS_PODMAN);
  await chmod(join(tools, 'docker'), 0o755);
});

test.after.always(async () => {
  await jaeger?.close();
  await cluster?.stop();
  if (tools) await rm(tools, { recursive: true, force: true });
});

function running(): RunningCluster {
  if (!cluster) throw new Error('The cluster did not start');
  return cluster;
}

const kubectl = (args: string[]) => kubectlOn(running(), args);

let jaeger: JaegerSource | undefined;
async function jaegerUrl(): Promise<string> {
  // Nothing listens on port 9 here: the local Jaeger is skipped, the cluster's is port-forwarded.
  jaeger ??= await findJaeger(undefined, { KUBECONFIG: running().kubeconfig }, 'http://127.0.0.1:9');
  return jaeger.url;
}
async function forgetJaeger(): Promise<void> {
  await jaeger?.close();
  jaeger = undefined;
}

/**
 * What the machine of a user of this scenario has set up outside the docs, made in a mount namespace
 * of the test's own: the cluster's CA for the TLS registry (/etc/containers/certs.d, as for any
 * registry with a private CA), and the quickstart's registry marked plain HTTP for podman.
 */
function machineSetup(caFile: string): string {
  const dropIns = '/etc/containers/registries.conf.d';
  return [
    'set -eu',
    'mkdir -p /etc/containers/certs.d',
    'mount -t tmpfs ktc-docs /etc/containers/certs.d',
    `mkdir /etc/containers/certs.d/${running().registry?.name}`,
    `cp ${caFile} /etc/containers/certs.d/${running().registry?.name}/ca.crt`,
    `mkdir -p ${dropIns} && saved=$(mktemp -d) && cp -a ${dropIns}/. "$saved"/`,
    `mount -t tmpfs ktc-docs ${dropIns} && cp -a "$saved"/. ${dropIns}/`,
    `printf '[[registry]]\\nlocation = "${KIND_REGISTRY}"\\ninsecure = true\\n' > ${dropIns}/kind-registry.conf`,
    'exec bash -euo pipefail -c "$DOCS_BLOCK"',
  ].join('\n');
}

/** Runs one block as written, inside the cluster's network; fails naming the block. */
async function runBlock(t: ExecutionContext, block: CommandBlock, variables: Record<string, string>): Promise<string> {
  const home = await mkdtemp(join(tmpdir(), 'docs-home-'));
  t.teardown(() => rm(home, { recursive: true, force: true }));
  const child = spawnChild(
    `${DOCUMENT}:${block.line}`,
    'unshare',
    [
      '--mount',
      '--propagation',
      'private',
      '--',
      'nsenter',
      `--net=${namespacePath(running().namespace)}`,
      '--',
      'sh',
      '-c',
      machineSetup(join(running().paths.pki, 'ca.crt')),
    ],
    {
      cwd: REPOSITORY_ROOT,
      env: {
        // Node 24 (this test's) before the machine's, as `npm ci` in the repository gives a user.
        PATH: `${tools}:${dirname(process.execPath)}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
        HOME: home,
        KUBECONFIG: running().paths.inside.admin,
        DOCS_BLOCK: block.body,
        ...variables,
      },
    },
  );
  t.teardown(() => child.stop('SIGKILL'));
  const { code } = await child.exited;
  const output = child.output();
  if (code !== 0) throw new Error(`${DOCUMENT}:${block.line} failed (exit ${code}):\n${block.body}\n---\n${output}`);
  // What a reader of the CI log wants of each block: that it ran, and how it ended.
  const last = output.trimEnd().split('\n').slice(-3).join('\n    ');
  t.log(`${DOCUMENT}:${block.line} ran; it ended:\n    ${last}`);
  return output;
}

/** The newest visit's trace, once every hop's spans are in and under one root. */
async function visitTrace(): Promise<JaegerTrace> {
  let last: JaegerTrace | undefined;
  return waitFor(
    "the visit's whole trace in the cluster's Jaeger",
    async () => {
      const [newest] = (await fetchTraces(await jaegerUrl(), 'frontend', 20)).sort(
        (a, b) =>
          Math.min(...b.spans.map((span) => span.startTime)) - Math.min(...a.spans.map((span) => span.startTime)),
      );
      last = newest;
      return newest && isWhole(newest) ? newest : undefined;
    },
    { timeoutMs: 90_000, intervalMs: 2000 },
  ).catch((error: Error) => {
    const trace = last;
    const names = trace?.spans.map((span) => `${serviceOf(trace, span)}: ${span.operationName}`);
    throw new Error(`${error.message}\nLast seen: ${JSON.stringify(names)}`);
  });
}

/** The digest Knative resolved the image of `service`'s newest Revision to; undefined when it resolved none. */
async function resolvedDigest(service: string): Promise<string | undefined> {
  const ksvc = JSON.parse(await kubectl(['get', 'ksvc', service, '-n', 'default', '-o', 'json'])) as {
    status: { latestCreatedRevisionName: string };
  };
  const revision = JSON.parse(
    await kubectl(['get', 'revision', ksvc.status.latestCreatedRevisionName, '-n', 'default', '-o', 'json']),
  ) as { status: { containerStatuses?: { imageDigest?: string }[] } };
  return revision.status.containerStatuses?.[0]?.imageDigest;
}

/** The images the function's containers (not queue-proxy) run in `service`'s pods, each once. */
async function podImages(service: string): Promise<string[]> {
  const pods = JSON.parse(
    await kubectl(['get', 'pods', '-n', 'default', '-l', `serving.knative.dev/service=${service}`, '-o', 'json']),
  ) as { items: { spec: { containers: { name: string; image: string }[] } }[] };
  const images = pods.items.flatMap(({ spec }) =>
    spec.containers.filter(({ name }) => name !== 'queue-proxy').map(({ image }) => image),
  );
  return [...new Set(images)];
}

/**
 * Runs the scenario's blocks in order. After the first that creates the Services, `afterDeploy`
 * judges them; after the one that visits (its `curl`), the visit's trace must become whole, Knative's
 * spans in it, before the next block (which draws it) runs.
 */
async function runScenario(
  t: ExecutionContext,
  scenario: string,
  variables: Record<string, string>,
  afterDeploy: () => Promise<void>,
) {
  const blocks = scenarioBlocks(
    commandBlocks(await readFile(join(REPOSITORY_ROOT, DOCUMENT), 'utf8'), DOCUMENT),
    scenario,
  );
  t.true(blocks.length >= 6, `${blocks.length} blocks for ${scenario}`);
  const outputs: string[] = [];
  let deployed = false;
  for (const block of blocks) {
    const output = await runBlock(t, block, variables);
    outputs.push(output);
    if (!deployed && /^(kn service create|npm run deploy -- --registry) /m.test(block.body)) {
      deployed = true;
      await afterDeploy();
    }
    if (/^curl /m.test(block.body)) {
      t.regex(output, /^You're visitor number \d+ in here!$/m);
      const trace = await visitTrace();
      t.deepEqual([...servicesOf(trace)].sort(), EVERY_HOP);
      t.deepEqual(
        rootsOf(trace).map((span) => serviceOf(trace, span)),
        ['traefik'],
      );
    }
    if (/^npm run trace$/m.test(block.body)) {
      for (const service of EVERY_HOP) t.regex(output, new RegExp(`^\\S* *${service.replace('/', '\\/')} `, 'm'));
      await forgetJaeger();
    }
  }
  return outputs.join('\n');
}

const ingress = () => {
  const found = running().ingress;
  if (!found) throw new Error('The cluster has no ingress');
  return `${found.host}:${found.port}`;
};

test.serial('every shell block of docs/deploy.md runs here or says why not', async (t) => {
  const blocks = commandBlocks(await readFile(join(REPOSITORY_ROOT, DOCUMENT), 'utf8'), DOCUMENT);
  t.true(blocks.some((block) => block.runs.includes('kind')));
  t.true(blocks.some((block) => block.runs.includes('cloud')));
  for (const block of blocks) t.true(block.runs.length > 0 || Boolean(block.notRun), `${DOCUMENT}:${block.line}`);
});

test.serial(
  "kind's way, on a Knative that started without tracing: the quickstart's registry, kn, the activator restarted, a whole trace",
  async (t) => {
    t.timeout(SCENARIO_MS);
    const observability = JSON.parse(
      await kubectl(['get', 'configmap', 'config-observability', '-n', 'knative-serving', '-o', 'json']),
    ) as { data?: Record<string, string> };
    t.is(observability.data?.['tracing-protocol'], undefined, 'the cluster started with tracing keys');
    const before = await activatorPods(running());
    await runScenario(t, 'kind', { REGISTRY: KIND_REGISTRY, INGRESS: ingress() }, async () => {
      // A registry Knative skips, as the quickstart's: no digest, the pods run the tag.
      for (const service of ['backend', 'frontend']) {
        t.is(await resolvedDigest(service), undefined);
        t.deepEqual(await podImages(service), [`${KIND_REGISTRY}/${service}:0.1.0`]);
      }
    });
    t.false(
      (await activatorPods(running())).some((pod) => before.includes(pod)),
      'the activator was not restarted',
    );
  },
);

test.serial(
  'the cloud way, on the same Knative, now running: the registry over TLS, digests, npm run deploy, a whole trace',
  async (t) => {
    t.timeout(SCENARIO_MS);
    const registry = running().registry?.name ?? '';
    const output = await runScenario(t, 'cloud', { REGISTRY: registry, INGRESS: ingress() }, async () => {
      // Knative's controller resolved the pushed tags to digests over TLS.
      for (const service of ['backend', 'frontend']) {
        const digest = (await resolvedDigest(service)) ?? 'none';
        t.regex(digest, new RegExp(`^${registry.replaceAll('.', '\\.')}/${service}@sha256:[0-9a-f]{64}$`));
        t.deepEqual(await podImages(service), [digest]);
      }
    });
    t.regex(output, /^Gone\.$/m);
  },
);
