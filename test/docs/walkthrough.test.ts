// docs/walkthrough.md run as written, test/e2e/sampling-diagnose.test.ts's way: on free ports, with
// `--url` and `--jaeger` added to npm run load and `--jaeger` to npm run diagnose and npm run trace.
// Find it: npm start with the product's lag, ten visits, a diagnosis naming `simulate lag`. Fix it:
// Ctrl-C, npm start without the lag, the same visits, a diagnosis that no longer blames it. Move it:
// Ctrl-C, npm start with the read made slow, a diagnosis naming `read counter`. Each verdict the page
// announces (its sample outputs) is the one each run must give. Then its zero-code section: both
// functions under OpenTelemetry's register module (its ports replaced by free ones, its spans sent to
// a Jaeger of the test's), a visit, the visit's whole trace, drawn by npm run trace with the visit's
// trace id in place of `<trace id>`.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { commandBlocks, scenarioBlocks } from '../../tools/docs/command-blocks.ts';
import { REPOSITORY_ROOT } from '../../tools/functions/run.ts';
import { findFreePort } from '../../tools/processes/ports.ts';
import { type Child, spawnChild, waitFor } from '../../tools/processes/process.ts';
import { serviceOf, waitForTrace } from '../helpers/jaeger-api.ts';
import { npmRun, npmStart } from '../helpers/npm-start.ts';
import { baseEnv, startTestJaeger } from '../helpers/system.ts';
import { VISIT_SPANS } from '../helpers/traces.ts';

const DOCUMENT = 'docs/walkthrough.md';
const markdown = await readFile(join(REPOSITORY_ROOT, DOCUMENT), 'utf8');
const blocksOf = (scenario: string) => scenarioBlocks(commandBlocks(markdown, DOCUMENT), scenario);
/** The page's local steps: its section on the cluster announces verdicts test/cluster/walkthrough.test.ts checks. */
const localSteps = markdown.slice(0, markdown.indexOf('\n## On the cluster\n'));

/** Which test runs each scenario of the page's blocks. */
const RUN_BY = {
  walkthrough: 'test/docs/walkthrough.test.ts',
  'zero-code': 'test/docs/walkthrough.test.ts',
  cluster: 'test/cluster/walkthrough.test.ts',
};

test('every shell block of the page is run by a test: none is left unrun, none is run by no one', (t) => {
  const blocks = commandBlocks(markdown, DOCUMENT);
  for (const block of blocks) {
    t.is(block.notRun, undefined, `${DOCUMENT}:${block.line} is not run`);
    for (const scenario of block.runs)
      t.true(scenario in RUN_BY, `${DOCUMENT}:${block.line}: no test runs ${scenario}`);
  }
  t.deepEqual([...new Set(blocks.flatMap((block) => block.runs))].sort(), Object.keys(RUN_BY).sort());
  // The cluster's blocks are all in its section, and only there.
  const lines = markdown.split('\n');
  const from = lines.indexOf('## On the cluster') + 1;
  const to = lines.findIndex((line, index) => index >= from && line.startsWith('## '));
  for (const block of blocks) {
    t.is(block.runs.includes('cluster'), block.line > from && block.line < to + 1, `${DOCUMENT}:${block.line}`);
  }
});

/** What each step of the walkthrough starts, and what its diagnosis and its visits must then show. */
const STEPS = [
  {
    title: 'find it',
    env: {},
    verdict: /^Bottleneck: backend "simulate lag", [\d.]+ % of the critical path across 10 traces\.$/m,
    evidence: /^Its duration varies widely \(p5 /m,
    // The lag is at least 1 s.
    medianMs: (ms: number) => ms >= 1000,
  },
  {
    title: 'fix it',
    env: { LAG_MIN_MS: '0', LAG_MAX_MS: '0' },
    verdict: /^Bottleneck: (?!backend "simulate lag")\S+ "[^"]+", [\d.]+ % of the critical path across 10 traces\.$/m,
    evidence: /^backend +simulate lag +10 .* ([0-4]\.\d) %$/m,
    medianMs: (ms: number) => ms < 1000,
  },
  {
    title: 'move it',
    env: { READ_DELAY_MS: '300', LAG_MIN_MS: '0', LAG_MAX_MS: '0' },
    verdict: /^Bottleneck: backend "read counter", [\d.]+ % of the critical path across 10 traces\.$/m,
    evidence: /^Its duration is steady \(p5 /m,
    medianMs: (ms: number) => ms >= 300,
  },
];

interface DocumentedStep {
  env: Record<string, string>;
  loadArgs?: string[];
  diagnose: boolean;
}

/** The walkthrough's commands, in order: each npm start with its variables, then the load and diagnosis after it. */
function documentedSteps(): DocumentedStep[] {
  const steps: DocumentedStep[] = [];
  for (const line of blocksOf('walkthrough').flatMap((block) => block.body.split('\n'))) {
    const start = /^((?:[A-Z_]+=\S+ )*)npm start$/.exec(line);
    const load = /^npm run load -- (.+)$/.exec(line);
    const current = steps.at(-1);
    if (start) {
      const assignments = (start[1] ?? '').split(' ').filter((word) => word !== '');
      const env = Object.fromEntries(
        assignments.map((word) => [word.slice(0, word.indexOf('=')), word.slice(word.indexOf('=') + 1)]),
      );
      steps.push({ env, diagnose: false });
    } else if (load && current && !current.loadArgs) {
      current.loadArgs = (load[1] ?? '').split(' ');
    } else if (line === 'npm run diagnose' && current?.loadArgs && !current.diagnose) {
      current.diagnose = true;
    } else {
      throw new Error(`${DOCUMENT}: this test does not know how to run "${line}" at this point of the walkthrough`);
    }
  }
  return steps;
}

/** A duration as the load report prints it (`210.0 ms`, `6.57 s`), in ms. */
function parseDuration(text: string): number {
  const match = /^([\d.]+) (µs|ms|s)$/.exec(text);
  if (!match) throw new Error(`Not a duration: ${text}`);
  return Number(match[1]) * { µs: 0.001, ms: 1, s: 1000 }[match[2] as 'µs' | 'ms' | 's'];
}

/** Ctrl-C in npm start's terminal: the whole group signalled; every part stops, its ports close. */
async function ctrlC(npm: Child, urls: string[]) {
  process.kill(-(npm.process.pid ?? 0), 'SIGINT');
  await npm.exited;
  const refused = async (url: string) => {
    try {
      await fetch(url);
      return undefined;
    } catch {
      return true;
    }
  };
  for (const url of urls) await waitFor(`${url} to close after Ctrl-C`, () => refused(url), { timeoutMs: 20_000 });
}

test('the walkthrough runs the steps this test checks, and its sample outputs announce the verdicts checked', (t) => {
  const steps = documentedSteps();
  t.deepEqual(
    steps.map((step) => step.env),
    STEPS.map((step) => step.env),
  );
  for (const step of steps) {
    t.deepEqual(step.loadArgs, ['--visits', '10', '--concurrency', '10']);
    t.true(step.diagnose);
  }
  const announced = localSteps.split('\n').filter((line) => line.startsWith('Bottleneck: '));
  t.is(announced.length, STEPS.length, announced.join('\n'));
  STEPS.forEach((step, index) => {
    // The sample is of one run of ten visits, as the test's are.
    t.regex(announced[index] ?? '', step.verdict, `${step.title}: the page announces another verdict`);
  });
});

test.serial('find it, fix it, verify: the diagnosis names simulate lag, then not, then read counter', async (t) => {
  t.timeout(300_000);
  const steps = documentedSteps();
  for (const [index, expected] of STEPS.entries()) {
    const started = await npmStart(t, steps[index]?.env ?? {});
    const load = await npmRun(t, 'load', [
      ...(steps[index]?.loadArgs ?? []),
      '--url',
      started.url,
      '--jaeger',
      started.jaeger,
    ]);
    t.is(load.code, 0, load.output);
    t.regex(load.output, /^10 visits, 10 answered 200$/m);
    t.regex(load.output, /^Visitor numbers: 10 from 1 to 10, all distinct, no gaps$/m);
    t.regex(load.output, /^Traces: all 10 whole in Jaeger after /m);
    const median = parseDuration(/^Latency: min .+? {3}p50 (.+?) {3}/m.exec(load.output)?.[1] ?? '');
    t.true(expected.medianMs(median), `${expected.title}: a median visit of ${median} ms`);

    const diagnose = await npmRun(t, 'diagnose', ['--jaeger', started.jaeger]);
    t.is(diagnose.code, 0, diagnose.output);
    t.regex(diagnose.output, expected.verdict, `${expected.title}:\n${diagnose.output}`);
    t.regex(diagnose.output, expected.evidence, `${expected.title}:\n${diagnose.output}`);
    t.log(`${expected.title}: median visit ${median} ms; ${/^Bottleneck: .*$/m.exec(diagnose.output)?.[0]}`);
    if (index === 0) {
      // The trace page npm start printed says the same.
      const page = (await (await fetch(`${started.page}/api/diagnosis`)).json()) as { verdict: string[] };
      t.regex(page.verdict[0] ?? '', /^Bottleneck: backend "simulate lag", /);
    }
    await ctrlC(started.npm, [started.url, started.jaeger, started.page]);
  }
});

/** A block that runs until stopped (a function in its terminal): its whole process group stopped in teardown. */
function runLong(t: ExecutionContext, name: string, body: string, env: NodeJS.ProcessEnv): Child {
  const child = spawnChild(name, 'bash', ['-euo', 'pipefail', '-c', body], { cwd: REPOSITORY_ROOT, env });
  t.teardown(async () => {
    if (child.hasExited()) return;
    process.kill(-(child.process.pid ?? 0), 'SIGTERM');
    await child.stop('SIGKILL', 10_000);
  });
  return child;
}

test.serial('the zero-code set-up, as written: our telemetry stays off, a visit makes one whole trace', async (t) => {
  t.timeout(120_000);
  const blocks = blocksOf('zero-code');
  t.is(blocks.length, 4, blocks.map((block) => block.body).join('\n---\n'));
  const [backendBlock, frontendBlock, visitBlock, traceBlock] = blocks.map((block) => block.body);
  const jaeger = await startTestJaeger(t);
  const ports: Record<string, string> = { '9080': String(await findFreePort()), '9081': String(await findFreePort()) };
  const withFreePorts = (body = '') => body.replace(/\b908[01]\b/g, (port) => ports[port] ?? port);
  // The exporter's default endpoint is npm start's Jaeger; here it is the test's.
  const env = baseEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpEndpoint });

  for (const [name, body, port] of [
    ['backend', backendBlock, ports['9081']],
    ['frontend', frontendBlock, ports['9080']],
  ] as const) {
    t.regex(body ?? '', /--require @opentelemetry\/auto-instrumentations-node\/register \.\/src\/faas-main\.ts$/m);
    const child = runLong(t, `zero-code ${name}`, withFreePorts(body), env);
    await waitFor(
      `the zero-code ${name} to listen`,
      async () => (child.output().includes(`${name} listening on http://localhost:${port}/`) ? true : undefined),
      { timeoutMs: 60_000, child },
    );
    t.regex(child.output(), /OpenTelemetry was started before this function's telemetry: it stays off/);
    t.notRegex(child.output(), /opentelemetry error|duplicate registration/i);
  }

  t.is(visitBlock, 'curl -si localhost:9080');
  const visit = spawnChild('curl', 'bash', ['-euo', 'pipefail', '-c', withFreePorts(visitBlock)], {
    cwd: REPOSITORY_ROOT,
    env,
  });
  t.teardown(() => visit.stop('SIGKILL'));
  t.is((await visit.exited).code, 0, visit.output());
  t.regex(visit.output(), /^You're visitor number 1 in here!$/m);
  const traceId = /^traceresponse: 00-([0-9a-f]{32})-[0-9a-f]{16}-01\r?$/im.exec(visit.output())?.[1];
  if (!traceId) return t.fail(`no traceresponse in:\n${visit.output()}`);

  // The page says the spans arrive within the SDK's batch delay; the next block draws the trace then.
  const trace = await waitForTrace(jaeger.queryUrl, traceId, VISIT_SPANS.length, 30_000);
  const spans = trace.spans.map((span) => `${serviceOf(trace, span)} ${span.operationName}`);
  for (const expected of VISIT_SPANS) {
    t.is(spans.filter((span) => span === expected).length, 1, `${expected} once in ${spans.join(', ')}`);
  }

  t.log(`the zero-code visit's spans: ${spans.sort().join(', ')}`);

  // The visit's own trace id in place of the placeholder, as the page says.
  t.is(traceBlock, 'npm run trace -- <trace id>');
  const drawn = await npmRun(t, 'trace', [traceId, '--jaeger', jaeger.queryUrl]);
  t.is(drawn.code, 0, drawn.output);
  t.regex(drawn.output, new RegExp(`^Trace ${traceId} .* ${trace.spans.length} spans +services: `, 'm'));
  t.regex(drawn.output, /^ *backend +simulate lag +\S+ (µs|ms|s) │/m);
});
