// npm run load waits until each visit's trace is whole in Jaeger, so that npm run diagnose, run at
// once after it, analyses every visit of the load: with the functions' default batch delay (5 s, not
// the 100 ms the other tests use), with and without lag. Real functions, a real Jaeger, the real
// commands as child processes.
import test, { type ExecutionContext } from 'ava';
import type { Diagnosis } from '../../tools/diagnose/analyze.ts';
import { isWhole } from '../../tools/jaeger/completeness.ts';
import { fetchTraces } from '../../tools/jaeger/query.ts';
import { waitFor } from '../../tools/processes/process.ts';
import { runOurCommand } from '../helpers/commands.ts';
import { serviceOf, tag } from '../helpers/jaeger-api.ts';
import { baseEnv, startTestFunction, startTestJaeger, startTestSystem } from '../helpers/system.ts';
import { VISIT_SPANS } from '../helpers/traces.ts';

const VISITS = 16;
/** Unset, so that each function's batch span processor keeps the SDK's default delay of 5000 ms. */
const DEFAULT_BATCH_DELAY = { OTEL_BSP_SCHEDULE_DELAY: undefined };

async function startSystem(t: ExecutionContext, lag: { min: number; max: number }) {
  const { frontend, jaeger } = await startTestSystem(t, {
    backendEnv: { ...DEFAULT_BATCH_DELAY, LAG_MIN_MS: String(lag.min), LAG_MAX_MS: String(lag.max) },
    frontendEnv: DEFAULT_BATCH_DELAY,
  });
  if (!jaeger) throw new Error('tracing is on in this test');
  return { frontend, jaeger };
}

async function loadThenDiagnose(t: ExecutionContext, lag: { min: number; max: number }) {
  const { frontend, jaeger } = await startSystem(t, lag);
  const load = await runOurCommand(t, 'load', [
    '--visits',
    String(VISITS),
    '--url',
    frontend.url,
    '--jaeger',
    jaeger.queryUrl,
  ]);
  t.is(load.code, 0, load.output);
  t.regex(load.output, new RegExp(`^${VISITS} visits, ${VISITS} answered 200$`, 'm'));
  const waited = new RegExp(`^Traces: all ${VISITS} whole in Jaeger after (\\S+ m?s), read from `, 'm').exec(
    load.output,
  );
  t.truthy(waited, load.output);

  // At once: nothing between the load and the diagnosis waits for Jaeger.
  const diagnose = await runOurCommand(t, 'diagnose', ['--jaeger', jaeger.queryUrl, '--json']);
  t.is(diagnose.code, 0, diagnose.output);
  const diagnosis = JSON.parse(diagnose.output.slice(diagnose.output.indexOf('{'))) as Diagnosis;
  t.is(diagnosis.traces, VISITS, 'diagnose analysed every visit of the load');
  t.is(diagnosis.incompleteTraces, 0);

  // Every visit's trace is there and whole, by its spans as well as by the rule: this Jaeger is the
  // test's own, so its traces are the load's, each telling its visitor (the increase's value less 1).
  const traces = await fetchTraces(jaeger.queryUrl, 'frontend', 100);
  t.is(traces.length, VISITS);
  const visitors: number[] = [];
  for (const trace of traces) {
    t.deepEqual(trace.spans.map((span) => `${serviceOf(trace, span)} ${span.operationName}`).sort(), VISIT_SPANS);
    t.true(isWhole(trace), trace.traceID);
    const increase = trace.spans.find((span) => span.operationName === 'increase counter');
    visitors.push(Number(increase && tag(increase, 'counter.value')) - 1);
  }
  t.deepEqual(
    visitors.sort((a, b) => a - b),
    Array.from({ length: VISITS }, (_, index) => index + 1),
  );
  // The slowest visits the load names are among them.
  const ids = new Set(traces.map((trace) => trace.traceID));
  const named = [...load.output.matchAll(/ trace ([0-9a-f]{32})$/gm)].map((match) => match[1] ?? '');
  t.is(named.length, 5);
  t.true(
    named.every((id) => ids.has(id)),
    named.join(' '),
  );
  t.log(`load waited ${waited?.[1]} for ${VISITS} whole traces`);
  return load;
}

test('no lag, the default batch delay: diagnose at once after load analyses all 16 visits, whole', async (t) => {
  const load = await loadThenDiagnose(t, { min: 0, max: 0 });
  // The visits were over long before the first batch: load's first look found them not yet whole.
  const first = /^waiting for 16 traces to reach Jaeger: (\d+)\/16 whole$/m.exec(load.output);
  t.truthy(first, load.output);
  t.true(Number(first?.[1]) < VISITS, `the first look found ${first?.[1]} whole: nothing was waited for`);
});

test('with lag, the default batch delay: the last visits are whole too', async (t) => {
  await loadThenDiagnose(t, { min: 300, max: 1500 });
});

test('--wait-traces 0 skips the wait', async (t) => {
  const { frontend, jaeger } = await startSystem(t, { min: 0, max: 0 });
  const args = ['--visits', '4', '--url', frontend.url, '--jaeger', jaeger.queryUrl, '--wait-traces', '0'];
  const load = await runOurCommand(t, 'load', args);
  t.is(load.code, 0, load.output);
  t.regex(load.output, /^4 visits, 4 answered 200$/m);
  t.notRegex(load.output, /waiting for|^Traces:/m);
});

test('traces not whole by the deadline: a warning that says how many and why that may be, and exit 0', async (t) => {
  const { frontend, jaeger } = await startSystem(t, { min: 0, max: 0 });
  // 1 s is well within the functions' 5 s batch delay: no span of these visits has left them yet.
  const args = ['--visits', '4', '--url', frontend.url, '--jaeger', jaeger.queryUrl, '--wait-traces', '1'];
  const load = await runOurCommand(t, 'load', args);
  t.is(load.code, 0, load.output);
  t.regex(load.output, /^4 visits, 4 answered 200$/m);
  t.regex(load.output, /^Traces: WARNING: 4 of 4 not whole in Jaeger after 1\.\d\d s, read from .*: 4 not there\.$/m);
  t.regex(load.output, /queued in a function \(OTEL_BSP_SCHEDULE_DELAY\), Jaeger may be down/);
});

test('Jaeger down: load still reports its visits, says the traces were not checked, and exits 0', async (t) => {
  const { frontend, jaeger } = await startSystem(t, { min: 0, max: 0 });
  await jaeger.stop();
  const load = await runOurCommand(t, 'load', ['--visits', '4', '--url', frontend.url, '--jaeger', jaeger.queryUrl]);
  t.is(load.code, 0, load.output);
  t.regex(load.output, /^4 visits, 4 answered 200$/m);
  t.regex(load.output, /^Visitor numbers: 4 from 1 to 4, all distinct, no gaps$/m);
  t.regex(
    load.output,
    new RegExp(`^Traces: not checked: Jaeger is unreachable: GET ${jaeger.queryUrl}/api/v3/traces/[0-9a-f]{32}: `, 'm'),
  );
});

test('--wait-traces takes whole seconds only', async (t) => {
  const load = await runOurCommand(t, 'load', ['--wait-traces', 'soon']);
  t.is(load.code, 2);
  t.regex(load.output, /--wait-traces is "soon": expected a whole number of seconds/);
});

test('diagnose leaves out the traces not whole, says how many, and reads the whole ones', async (t) => {
  const jaeger = await startTestJaeger(t);
  const telemetry = { OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpEndpoint, OTEL_BSP_SCHEDULE_DELAY: '100' };
  // A backend that holds its spans, then is killed with them: its visits' traces stay without it.
  const backend = await startTestFunction(
    t,
    'backend',
    baseEnv({ ...telemetry, OTEL_BSP_SCHEDULE_DELAY: '600000', LAG_MIN_MS: '0', LAG_MAX_MS: '0' }),
  );
  const frontend = await startTestFunction(t, 'frontend', baseEnv({ ...telemetry, COUNTER_ENDPOINT: backend.url }));
  const statuses: number[] = [];
  const visit = async () => {
    const response = await fetch(frontend.url);
    await response.body?.cancel();
    statuses.push(response.status);
  };
  for (let count = 0; count < 3; count += 1) await visit();
  await backend.stop('SIGKILL');
  // The backend gone, visits fail: each a whole trace of the frontend's alone, its call marked failed.
  for (let count = 0; count < 2; count += 1) await visit();
  t.deepEqual(statuses, [200, 200, 200, 502, 502]);
  await waitFor(
    "the frontend's spans of all five visits in Jaeger",
    async () => ((await fetchTraces(jaeger.queryUrl, 'frontend', 20)).length === 5 ? true : undefined),
    { timeoutMs: 15_000, intervalMs: 100 },
  );

  const json = await runOurCommand(t, 'diagnose', ['--jaeger', jaeger.queryUrl, '--json']);
  t.is(json.code, 0, json.output);
  t.regex(
    json.output,
    /^3 of the 5 traces are not whole yet \(spans still on their way, or lost\): the diagnosis reads the 2 whole ones\.$/m,
  );
  const diagnosis = JSON.parse(json.output.slice(json.output.indexOf('{'))) as Diagnosis;
  t.like(diagnosis, { traces: 2, incompleteTraces: 3 });
  t.deepEqual(
    diagnosis.operations.map((operation) => `${operation.service} ${operation.operation} ${operation.count}`).sort(),
    ['frontend GET / 2', 'frontend GET 2'],
  );
  const text = await runOurCommand(t, 'diagnose', ['--jaeger', jaeger.queryUrl]);
  t.is(text.code, 0, text.output);
  t.regex(text.output, /^Diagnosis of 2 traces from /m);
});

test('diagnose says so when no trace is whole, and exits 1', async (t) => {
  const jaeger = await startTestJaeger(t);
  const telemetry = { OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpEndpoint, OTEL_BSP_SCHEDULE_DELAY: '100' };
  const backend = await startTestFunction(t, 'backend', baseEnv({ ...telemetry, OTEL_BSP_SCHEDULE_DELAY: '600000' }));
  const frontend = await startTestFunction(t, 'frontend', baseEnv({ ...telemetry, COUNTER_ENDPOINT: backend.url }));
  const response = await fetch(frontend.url);
  t.is(response.status, 200);
  await response.body?.cancel();
  await waitFor(
    "the frontend's spans in Jaeger",
    async () => ((await fetchTraces(jaeger.queryUrl, 'frontend', 20)).length === 1 ? true : undefined),
    { timeoutMs: 15_000, intervalMs: 100 },
  );
  const diagnose = await runOurCommand(t, 'diagnose', ['--jaeger', jaeger.queryUrl]);
  t.is(diagnose.code, 1, diagnose.output);
  t.regex(diagnose.output, /has 1 trace of service "frontend" in the last hour, but none is whole yet: /);
});
