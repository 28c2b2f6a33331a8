// docs/sampling.md's commands as written (on free ports, with a shorter lag): npm start sampling a
// tenth of the visits, by a ratio or by Jaeger's strategy, then npm run load, which waits for the
// sampled visits' traces only and says how many there were, then npm run diagnose, which still names
// the slow step and says how many visits its traces stand for. One at a time: each npm start builds.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { commandBlocks, scenarioBlocks } from '../../tools/docs/command-blocks.ts';
import { REPOSITORY_ROOT } from '../../tools/functions/run.ts';
import { npmRun, npmStart } from '../helpers/npm-start.ts';
import { strategiesJson } from '../helpers/strategies.ts';

const VISITS = 200;
/** A shorter lag than the product's, so that 200 visits take seconds. */
const SHORT_LAG = { LAG_MIN_MS: '100', LAG_MAX_MS: '1000' };

/** The commands of docs/sampling.md that a scenario runs: npm start's variables and load's arguments. */
async function documented(scenario: string) {
  const markdown = await readFile(join(REPOSITORY_ROOT, 'docs/sampling.md'), 'utf8');
  const lines = scenarioBlocks(commandBlocks(markdown, 'docs/sampling.md'), scenario).flatMap((block) =>
    block.body.split('\n'),
  );
  const start = lines.find((line) => line.endsWith(' npm start'));
  const load = lines.find((line) => line.startsWith('npm run load -- '));
  if (!start || !load || !lines.includes('npm run diagnose')) {
    throw new Error(`docs/sampling.md's ${scenario} blocks lack npm start, load or diagnose: ${lines.join(' | ')}`);
  }
  const env = Object.fromEntries(
    start
      .slice(0, -' npm start'.length)
      .split(' ')
      .map((assignment) => [
        assignment.slice(0, assignment.indexOf('=')),
        assignment.slice(assignment.indexOf('=') + 1),
      ]),
  );
  return { env, loadArgs: load.slice('npm run load -- '.length).split(' ') };
}

async function loadAndDiagnose(t: ExecutionContext, loadArgs: string[], started: { url: string; jaeger: string }) {
  t.deepEqual(loadArgs.slice(0, 2), ['--visits', String(VISITS)]);
  const load = await npmRun(t, 'load', [...loadArgs, '--url', started.url, '--jaeger', started.jaeger]);
  t.is(load.code, 0, load.output);
  t.regex(load.output, new RegExp(`^${VISITS} visits, ${VISITS} answered 200$`, 'm'));
  const sampled = new RegExp(
    `^Sampled: (\\d+) of ${VISITS} visits \\([\\d.]+ %\\), by their traceresponse's flags; the other \\d+ made no trace$`,
    'm',
  ).exec(load.output);
  t.truthy(sampled, load.output);
  const count = Number(sampled?.[1]);
  // Binomial(200, 0.1): mean 20, σ 4.2; five σ either side, and at least one to diagnose.
  t.true(count >= 1 && count <= 41, `${count} of ${VISITS} sampled`);
  t.regex(load.output, new RegExp(`^Traces: all ${count} whole in Jaeger after `, 'm'), 'waited for the sampled only');

  const diagnose = await npmRun(t, 'diagnose', ['--jaeger', started.jaeger]);
  t.is(diagnose.code, 0, diagnose.output);
  t.regex(diagnose.output, new RegExp(`^Diagnosis of ${count} traces from `, 'm'));
  t.regex(diagnose.output, /^Bottleneck: backend "simulate lag", [\d.]+ % of the critical path across \d+ traces\.$/m);
  t.regex(
    diagnose.output,
    new RegExp(
      `^These ${count} traces stand for about ${10 * count} visits: their root spans were sampled at 10 % \\(sampler\\.param\\)\\.$`,
      'm',
    ),
  );
  t.log(`${count} of ${VISITS} visits sampled; diagnose: ${/^These .*$/m.exec(diagnose.output)?.[0]}`);
}

test.serial(
  'the ratio: OTEL_TRACES_SAMPLER=parentbased_traceidratio OTEL_TRACES_SAMPLER_ARG=0.1 npm start, load, diagnose',
  async (t) => {
    t.timeout(180_000);
    const { env, loadArgs } = await documented('sampling-ratio');
    t.deepEqual(env, { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1' });
    await loadAndDiagnose(t, loadArgs, await npmStart(t, { ...env, ...SHORT_LAG }));
  },
);

test.serial(
  "Jaeger's strategy at 0.1: OTEL_TRACES_SAMPLER=parentbased_jaeger_remote npm start, load, diagnose",
  async (t) => {
    t.timeout(180_000);
    const { env, loadArgs } = await documented('sampling-remote');
    t.deepEqual(env, {
      OTEL_TRACES_SAMPLER: 'parentbased_jaeger_remote',
      JAEGER_SAMPLING_STRATEGIES: 'my-strategies.json',
    });
    // my-strategies.json: the document's example file, as it is written there, in a folder of the test's.
    const markdown = await readFile(join(REPOSITORY_ROOT, 'docs/sampling.md'), 'utf8');
    const example = /^```json\n([\s\S]*?)^```$/m.exec(markdown)?.[1] ?? '';
    t.deepEqual(JSON.parse(example), JSON.parse(strategiesJson(0.1)));
    const folder = await mkdtemp(join(tmpdir(), 'my-strategies-'));
    t.teardown(() => rm(folder, { recursive: true, force: true }));
    await writeFile(join(folder, 'my-strategies.json'), example);
    const started = await npmStart(t, {
      ...env,
      JAEGER_SAMPLING_STRATEGIES: join(folder, 'my-strategies.json'),
      ...SHORT_LAG,
    });
    t.regex(started.npm.output(), /^sampling +http:\/\/localhost:\d+ +strategies: /m);
    await loadAndDiagnose(t, loadArgs, started);
  },
);
