// docs/walkthrough.md's section on the cluster, run as written on the Knative cluster of this machine
// (a cluster of the test's own, started as `npm run cluster -- up --node` starts one): every block it
// marks `<!-- runs here: cluster -->`, in the page's order, from this machine as the page's reader
// runs them (KUBECONFIG the one `up` prints, `kn` on PATH), with only `<ingress port>` filled in.
// Deploy, ten visits through Traefik and a diagnosis naming `simulate lag`; the lag turned off with a
// new revision, ten more and a diagnosis that no longer blames it; the read made slow, ten more and a
// diagnosis naming `read counter`. Each verdict is the one the section announces, and each diagnosis
// read, from the cluster's Jaeger, the traces of its own ten visits and no older ones (`--limit 10`).
import { mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import type { RunningCluster } from '../../tools/cluster/cluster.ts';
import { type CommandBlock, commandBlocks, scenarioBlocks } from '../../tools/docs/command-blocks.ts';
import { REPOSITORY_ROOT } from '../../tools/functions/run.ts';
import { fetchTraces, tagOf } from '../../tools/jaeger/query.ts';
import { findJaeger } from '../../tools/jaeger/source.ts';
import { requireKn } from '../../tools/kn/binary.ts';
import { spawnChild } from '../../tools/processes/process.ts';
import { startClusterWithIngress } from '../helpers/knative-cluster.ts';

const DOCUMENT = 'docs/walkthrough.md';
const SECTION = '## On the cluster';
/** Deploying and three rounds of visits: a few minutes, more on a busy machine. */
const RUN_MS = 600_000;

const markdown = await readFile(join(REPOSITORY_ROOT, DOCUMENT), 'utf8');

/** The section's lines, from its heading to the next one. */
function sectionText(): string {
  const start = markdown.indexOf(`\n${SECTION}\n`);
  const end = markdown.indexOf('\n## ', start + 1);
  if (start < 0 || end < 0) throw new Error(`${DOCUMENT} has no section "${SECTION}"`);
  return markdown.slice(start, end);
}

const blocks = () => scenarioBlocks(commandBlocks(markdown, DOCUMENT), 'cluster');

/** What each diagnosis of the section must say, in order (the verdict and the evidence beside it). */
const STEPS = [
  {
    title: 'find it',
    verdict: /^Bottleneck: backend "simulate lag", [\d.]+ % of the critical path across 10 traces\.$/m,
    evidence: /^Its duration varies widely \(p5 /m,
  },
  {
    title: 'fix it',
    verdict: /^Bottleneck: (?!backend "simulate lag")\S+ "[^"]+", [\d.]+ % of the critical path across 10 traces\.$/m,
    // Its share of the critical path under 5 %.
    evidence: /^backend +simulate lag +10 .* [0-4]\.\d %$/m,
  },
  {
    title: 'move it',
    verdict: /^Bottleneck: backend "read counter", [\d.]+ % of the critical path across 10 traces\.$/m,
    evidence: /^Its duration is steady \(p5 /m,
  },
];

const LOAD_AND_DIAGNOSE = [
  'npm run load -- --url http://127.0.0.1:<ingress port>/ --host frontend.default.example.com --visits 10 --concurrency 10',
  'npm run diagnose -- --limit 10',
].join('\n');

/** Where npm run load and npm run diagnose say they read: the cluster's Jaeger, port-forwarded. */
const CLUSTER_JAEGER = String.raw`Jaeger in the cluster \(observability/jaeger-query, pod \S+, port-forwarded\)`;

let cluster: RunningCluster | undefined;
let ingressPort = 0;
let tools = '';

test.before(async () => {
  ({ cluster, ingressPort } = await startClusterWithIngress(`walkthrough-test-${process.pid}`));
  // kn, as npm run setup builds it, on the reader's PATH.
  tools = await mkdtemp(join(tmpdir(), 'walkthrough-tools-'));
  await symlink(await requireKn(process.env), join(tools, 'kn'));
});

test.after.always(async () => {
  await cluster?.stop();
  if (tools) await rm(tools, { recursive: true, force: true });
});

function running(): RunningCluster {
  if (!cluster) throw new Error('The cluster did not start');
  return cluster;
}

/** Runs one block as written, but for the ingress's port; fails naming the block. */
async function runBlock(t: ExecutionContext, block: CommandBlock): Promise<string> {
  const body = block.body.replaceAll('<ingress port>', String(ingressPort));
  if (/<[a-z ]+>/.test(body)) throw new Error(`${DOCUMENT}:${block.line} has a placeholder this test does not fill`);
  const home = await mkdtemp(join(tmpdir(), 'walkthrough-home-'));
  t.teardown(() => rm(home, { recursive: true, force: true }));
  const child = spawnChild(`${DOCUMENT}:${block.line}`, 'bash', ['-euo', 'pipefail', '-c', body], {
    cwd: REPOSITORY_ROOT,
    env: {
      // Node 24 (this test's) before the machine's, as `npm ci` in the repository gives a user.
      PATH: `${tools}:${dirname(process.execPath)}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
      HOME: home,
      KUBECONFIG: running().kubeconfig,
    },
  });
  t.teardown(() => child.stop('SIGKILL'));
  const { code } = await child.exited;
  const output = child.output();
  if (code !== 0) throw new Error(`${DOCUMENT}:${block.line} failed (exit ${code}):\n${body}\n---\n${output}`);
  return output;
}

/**
 * The visitor numbers of the traces a diagnosis with `--limit 10` reads: the ten newest of the
 * frontend's in the cluster's Jaeger, asked for as npm run diagnose asks, each numbered by its
 * backend's `increase counter` span (the count after it, one more than the visitor's number).
 */
async function newestVisitors(): Promise<number[]> {
  // Nothing listens on port 9 here: the local Jaeger is skipped, the cluster's is port-forwarded.
  const jaeger = await findJaeger(undefined, { KUBECONFIG: running().kubeconfig }, 'http://127.0.0.1:9');
  try {
    const traces = await fetchTraces(jaeger.url, 'frontend', 10);
    return traces
      .flatMap((trace) => trace.spans.filter((span) => span.operationName === 'increase counter'))
      .map((span) => Number(tagOf(span, 'counter.value')) - 1)
      .sort((a, b) => a - b);
  } finally {
    await jaeger.close();
  }
}

test.serial(
  'the section runs deploy, then visits and a diagnosis after each change, and announces what is checked',
  (t) => {
    const bodies = blocks().map((block) => block.body);
    t.deepEqual(bodies, [
      'npm run deploy -- --registry 10.250.0.2:5000 --jaeger-image dev.local/jaeger:2.13.0',
      LOAD_AND_DIAGNOSE,
      'kn service update backend --env LAG_MIN_MS=0 --env LAG_MAX_MS=0',
      LOAD_AND_DIAGNOSE,
      'kn service update backend --env READ_DELAY_MS=300',
      LOAD_AND_DIAGNOSE,
    ]);
    // No block of the section goes unrun.
    t.true(commandBlocks(sectionText(), SECTION).every((block) => block.runs.includes('cluster')));
    const announced = sectionText()
      .split('\n')
      .filter((line) => line.startsWith('Bottleneck: '));
    t.is(announced.length, STEPS.length, announced.join('\n'));
    STEPS.forEach((step, index) => {
      t.regex(announced[index] ?? '', step.verdict, `${step.title}: the page announces another verdict`);
    });
  },
);

test.serial(
  'on the cluster, as written: simulate lag found, fixed with a new revision, the slowness moved to read counter',
  async (t) => {
    t.timeout(RUN_MS);
    const started = Date.now();
    let step = 0;
    let nextVisitor = 1;
    for (const block of blocks()) {
      const output = await runBlock(t, block);
      const last = output.trimEnd().split('\n').slice(-2).join('\n    ');
      t.log(`${DOCUMENT}:${block.line} ran (${Math.round((Date.now() - started) / 1000)} s); it ended:\n    ${last}`);
      if (!/^npm run diagnose /m.test(block.body)) continue;

      const expected = STEPS[step];
      if (!expected) return t.fail(`${DOCUMENT}:${block.line}: more diagnoses than this test checks`);
      step += 1;
      // The visits: all answered, numbered on from the step before (a new revision takes the count over).
      t.regex(output, /^10 visits, 10 answered 200$/m, expected.title);
      t.regex(
        output,
        new RegExp(`^Visitor numbers: 10 from ${nextVisitor} to ${nextVisitor + 9}, all distinct, no gaps$`, 'm'),
        expected.title,
      );
      t.regex(output, /^Sampled: all 10 visits that named their trace$/m, expected.title);
      t.regex(output, new RegExp(`^Traces: all 10 whole in Jaeger after .+, read from ${CLUSTER_JAEGER}$`, 'm'));
      // The diagnosis: of ten whole traces from the cluster's Jaeger, the verdict the page announces.
      t.regex(output, new RegExp(`^Diagnosis of 10 traces from ${CLUSTER_JAEGER}, service "frontend"$`, 'm'));
      t.notRegex(output, /not whole yet/);
      t.regex(output, expected.verdict, `${expected.title}:\n${output}`);
      t.regex(output, expected.evidence, `${expected.title}:\n${output}`);
      // The ten traces it read are this step's ten visits, none of before.
      const visitors = Array.from({ length: 10 }, (_, index) => nextVisitor + index);
      t.deepEqual(await newestVisitors(), visitors, `${expected.title}: the traces diagnose --limit 10 read`);
      nextVisitor += 10;
      t.log(`${expected.title}: ${/^Bottleneck: .*$/m.exec(output)?.[0]}`);
    }
    t.is(step, STEPS.length);
  },
);
