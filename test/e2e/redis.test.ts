// End to end in Redis mode: real redis-server, backend processes behind one address, the frontend,
// a real Jaeger. Visits spread over several backends still get distinct, gap-free numbers; each
// visit's trace shows the Redis commands under the backend's steps; and the diagnosis still finds
// the slow step among three components: the lag, or Redis when Redis is the slow one.
import test, { type ExecutionContext } from 'ava';
import { COUNTER_KEY } from '../../functions/backend/src/redis-counter.ts';
import type { Diagnosis } from '../../tools/diagnose/analyze.ts';
import { REPOSITORY_ROOT } from '../../tools/functions/run.ts';
import { runLoad } from '../../tools/load/run.ts';
import { spawnChild } from '../../tools/processes/process.ts';
import { slowDownRedis } from '../../tools/redis/client.ts';
import { type JaegerTrace, parentOf, serviceOf, tag, traceIdOf, waitForTrace } from '../helpers/jaeger-api.ts';
import { startTestRedis, startTestRedisSystem } from '../helpers/system.ts';
import { VISIT_SPANS } from '../helpers/traces.ts';

const sequence = (length: number, first: number) => Array.from({ length }, (_, index) => index + first);

async function npmRun(t: ExecutionContext, script: string, args: string[]) {
  const child = spawnChild(script, 'npm', ['run', script, '--silent', '--', ...args], { cwd: REPOSITORY_ROOT });
  t.teardown(() => child.stop('SIGKILL'));
  const { code } = await child.exited;
  return { code, output: child.output() };
}

test('500 visits at concurrency 50 over three backends on one Redis: numbers 1 to 500, each once', async (t) => {
  t.timeout(3 * 60_000);
  const { frontend, proxy, backends } = await startTestRedisSystem(t, {
    backendCount: 3,
    backendEnv: { LAG_MIN_MS: '0', LAG_MAX_MS: '20' },
  });
  const started = performance.now();
  const results = await runLoad({ url: frontend.url, visits: 500, concurrency: 50 });
  const seconds = (performance.now() - started) / 1000;
  t.log(
    `500 visits in ${seconds.toFixed(1)} s (${(500 / seconds).toFixed(0)} visits/s); per backend ${proxy.served().join(', ')} requests`,
  );
  t.deepEqual(
    results.filter((result) => result.status !== 200).map((result) => `${result.status} ${result.error ?? ''}`),
    [],
  );
  t.deepEqual(
    results.map((result) => result.visitor ?? 0).sort((a, b) => a - b),
    sequence(500, 1),
  );
  // Each visit is a read and an increase: 1,000 requests, a third of them to each backend.
  t.deepEqual(proxy.served(), [334, 333, 333]);
  for (const backend of backends)
    t.is(await (await fetch(backend.url)).text(), '501\n', 'every backend reads the one count');
});

/** The trace's spans as "service name", sorted. */
const names = (trace: JaegerTrace) =>
  trace.spans.map((span) => `${serviceOf(trace, span)} ${span.operationName}`).sort();

test("a visit's trace: the Redis commands are client spans under the backend's steps, with the command and no value", async (t) => {
  const { frontend, jaeger, redis } = await startTestRedisSystem(t, {
    backendEnv: { LAG_MIN_MS: '0', LAG_MAX_MS: '0' },
  });
  const response = await fetch(frontend.url);
  t.is(response.status, 200);
  t.regex(await response.text(), /visitor number 1 in here/);
  const trace = await waitForTrace(jaeger.queryUrl, traceIdOf(response.headers.get('traceresponse')), 10);
  // A visit's spans, and a Redis command under each step of the counter's.
  t.deepEqual(names(trace), [...VISIT_SPANS, 'backend get', 'backend incr'].sort());
  const span = (name: string) => {
    const found = trace.spans.find((candidate) => candidate.operationName === name);
    if (!found) throw new Error(`no span ${name}`);
    return found;
  };
  for (const [command, step] of [
    ['get', 'read counter'],
    ['incr', 'increase counter'],
  ] as const) {
    const call = span(command);
    t.is(parentOf(trace, call)?.spanID, span(step).spanID, `${command} ← ${step}`);
    t.like(Object.fromEntries(call.tags.map(({ key, value }) => [key, value])), {
      'span.kind': 'client',
      'db.system.name': 'redis',
      'db.operation.name': command,
      'db.query.text': `${command} ${COUNTER_KEY}`,
      'server.address': '127.0.0.1',
      'server.port': redis.port,
    });
    t.is(tag(span(step), 'counter.store'), 'redis');
  }
  t.is(tag(span('increase counter'), 'counter.value'), 2, 'the value is on our own span, not the command');
});

/** Runs npm run load (which waits for whole traces) then npm run diagnose --json against the system. */
async function loadAndDiagnose(t: ExecutionContext, frontendUrl: string, jaegerUrl: string, visits: number) {
  const load = await npmRun(t, 'load', [
    '--visits',
    String(visits),
    '--concurrency',
    '5',
    '--url',
    frontendUrl,
    '--jaeger',
    jaegerUrl,
  ]);
  t.is(load.code, 0, load.output);
  t.regex(load.output, new RegExp(`Visitor numbers: ${visits} from 1 to ${visits}, all distinct, no gaps`));
  t.regex(load.output, new RegExp(`^Traces: all ${visits} whole in Jaeger after `, 'm'));
  const diagnose = await npmRun(t, 'diagnose', ['--jaeger', jaegerUrl, '--json', '--limit', String(visits)]);
  t.is(diagnose.code, 0, diagnose.output);
  return JSON.parse(diagnose.output) as Diagnosis;
}

test('diagnose still names simulate lag in Redis mode, with two backends', async (t) => {
  const { frontend, jaeger } = await startTestRedisSystem(t, {
    backendCount: 2,
    backendEnv: { LAG_MIN_MS: '100', LAG_MAX_MS: '1000' },
  });
  const diagnosis = await loadAndDiagnose(t, frontend.url, jaeger.queryUrl, 20);
  t.is(diagnosis.traces, 20);
  t.like(diagnosis.bottleneck, { service: 'backend', operation: 'simulate lag' });
});

test('with Redis made slow (DEBUG SLEEP) and no lag, diagnose names a Redis command', async (t) => {
  const redis = await startTestRedis(t, { debug: true });
  const { frontend, jaeger } = await startTestRedisSystem(t, {
    redis,
    backendEnv: { LAG_MIN_MS: '0', LAG_MAX_MS: '0' },
  });
  // Each command waits up to half a second, so that Redis outweighs what a busy machine adds to the
  // frontend's own time (other test files run beside this one).
  const stop = await slowDownRedis(redis.port, 0.5);
  t.teardown(stop);
  const diagnosis = await loadAndDiagnose(t, frontend.url, jaeger.queryUrl, 10);
  await stop();
  t.is(diagnosis.bottleneck?.service, 'backend');
  t.true(['get', 'incr'].includes(diagnosis.bottleneck?.operation ?? ''), JSON.stringify(diagnosis.bottleneck));
  const text = await npmRun(t, 'diagnose', ['--jaeger', jaeger.queryUrl, '--limit', '10']);
  t.regex(text.output, /^Bottleneck: backend "(get|incr)", \d+\.\d % of the critical path across 10 traces\.$/m);
});
