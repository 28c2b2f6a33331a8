// The remote sampler against a real Jaeger v2 (its remote_sampling extension, a file strategy): it asks
// at once rather than after its first interval, reads the probabilities it samples by, says plainly
// when it does not follow Jaeger, and holds no process alive.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { probabilitiesOf, startJaegerRemoteSampler } from '../../functions/backend/src/lib/jaeger-remote.ts';
import { functionDirectory, REPOSITORY_ROOT } from '../../tools/functions/run.ts';
import { spawnChild } from '../../tools/processes/process.ts';
import { strategiesFile } from '../helpers/strategies.ts';
import { startTestJaeger } from '../helpers/system.ts';

const descriptions: [string, string, ReturnType<typeof probabilitiesOf>][] = [
  [
    'the initial sampler',
    'JaegerRemoteSampler{endpoint=http://j:5778, serviceName=frontend, poolingInterval=60000, sampler=TraceIdRatioBased{0.001}}',
    { fallback: 0.001, operations: new Map() },
  ],
  [
    'a probabilistic strategy',
    'JaegerRemoteSampler{endpoint=http://j:5778, serviceName=frontend, poolingInterval=60000, sampler=ParentBased{root=TraceIdRatioBased{0.1}, remoteParentSampled=AlwaysOnSampler, remoteParentNotSampled=AlwaysOffSampler, localParentSampled=AlwaysOnSampler, localParentNotSampled=AlwaysOffSampler}}',
    { fallback: 0.1, operations: new Map() },
  ],
  [
    'per-operation strategies',
    'JaegerRemoteSampler{endpoint=http://j:5778, serviceName=frontend, poolingInterval=60000, sampler=ParentBased{root=PerOperationSampler{default=TraceIdRatioBased{0.25}, perOperationSamplers={GET=TraceIdRatioBased{0.5},POST /=TraceIdRatioBased{1}}}, remoteParentSampled=AlwaysOnSampler, remoteParentNotSampled=AlwaysOffSampler, localParentSampled=AlwaysOnSampler, localParentNotSampled=AlwaysOffSampler}}',
    {
      fallback: 0.25,
      operations: new Map([
        ['GET', 0.5],
        ['POST /', 1],
      ]),
    },
  ],
  ['something else', 'JaegerRemoteSampler{endpoint=http://j:5778, sampler=Custom{}}', undefined],
];

for (const [what, description, expected] of descriptions) {
  test(`probabilitiesOf: ${what}`, (t) => {
    t.deepEqual(probabilitiesOf(description), expected);
  });
}

test('it asks Jaeger at once, and samples by the strategy: GET by its own probability, the rest by the default', async (t) => {
  const strategies = await strategiesFile(t, 0.25, { get: 0.5 });
  const jaeger = await startTestJaeger(t, undefined, strategies.path);
  const warnings: string[] = [];
  const remote = await startJaegerRemoteSampler({
    endpoint: jaeger.samplingUrl,
    // An hour: whatever it follows within the test, it asked for at start.
    pollingIntervalMs: 3_600_000,
    initialSamplingRate: 0,
    serviceName: 'frontend',
    warn: (line) => warnings.push(line),
  });
  t.teardown(() => remote.stop());
  t.is(remote.probabilityOf('GET'), 0, 'the initial rate until Jaeger answers');
  await remote.polled();
  t.is(remote.probabilityOf('GET'), 0.5);
  t.is(remote.probabilityOf('POST'), 0.25);
  t.deepEqual(warnings, []);
});

test("a strategy with no per-operation part is not followed (the package and Jaeger v2's answer), and it says so", async (t) => {
  const strategies = await strategiesFile(t, 0.5, { plain: true });
  const jaeger = await startTestJaeger(t, undefined, strategies.path);
  // Jaeger answers the strategy type as a number, which the package compares with a string.
  const answer = await (await fetch(`${jaeger.samplingUrl}/sampling?service=frontend`)).json();
  t.deepEqual(answer, { strategyType: 0, probabilisticSampling: { samplingRate: 0.5 } });
  const warnings: string[] = [];
  const remote = await startJaegerRemoteSampler({
    endpoint: jaeger.samplingUrl,
    pollingIntervalMs: 3_600_000,
    initialSamplingRate: 0.001,
    serviceName: 'frontend',
    warn: (line) => warnings.push(line),
  });
  t.teardown(() => remote.stop());
  await remote.polled();
  t.is(remote.probabilityOf('GET'), 0.001, 'still the initial rate');
  t.is(warnings.length, 1);
  t.regex(
    warnings[0] ?? '',
    /^Jaeger's sampling strategy for frontend at http:\/\/localhost:\d+ is not followed yet: sampling with initialSamplingRate 0\.001 until it is\. .*per-operation part/,
  );
});

test('its polling holds no process: one that does nothing else exits by itself, long before the interval', async (t) => {
  const strategies = await strategiesFile(t, 1);
  const jaeger = await startTestJaeger(t, undefined, strategies.path);
  const script = `
    const { startJaegerRemoteSampler } = await import('./functions/backend/src/lib/jaeger-remote.ts');
    const remote = await startJaegerRemoteSampler({
      endpoint: '${jaeger.samplingUrl}', pollingIntervalMs: 600000, initialSamplingRate: 0,
      serviceName: 'frontend', warn: console.error,
    });
    await remote.polled();
    console.log('followed: GET at', remote.probabilityOf('GET'));
  `;
  const started = performance.now();
  const child = spawnChild('sampler', process.execPath, ['--input-type=module', '--eval', script], {
    cwd: REPOSITORY_ROOT,
  });
  t.teardown(() => child.stop('SIGKILL'));
  const exit = await Promise.race([
    child.exited,
    new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), 15_000).unref()),
  ]);
  t.deepEqual(exit, { code: 0, signal: null }, child.output());
  t.regex(child.output(), /followed: GET at 1/);
  t.log(`exited by itself ${Math.round(performance.now() - started)} ms after it started`);
});

for (const name of ['backend', 'frontend'] as const) {
  test(`${name}'s bundle leaves the package out, and imports it only when a remote sampler is asked for`, async (t) => {
    const bundle = await readFile(join(functionDirectory(name), 'dist', 'tracing.mjs'), 'utf8');
    t.regex(bundle, /await import\("@opentelemetry\/sampler-jaeger-remote"\)/);
    t.notRegex(bundle, /^import .* from "@opentelemetry\/sampler-jaeger-remote";$/m);
    t.notRegex(
      bundle,
      /sampler-jaeger-remote\/(build|node_modules)\//,
      'no code of the package, nor its copy of the SDK',
    );
  });
}
