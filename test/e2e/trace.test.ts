// End to end: real processes, real Jaeger. Each visit must be one whole trace across both services.

import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import test from 'ava';
import { ENTRIES } from '../../tools/functions/run.ts';
import { fetchTrace } from '../../tools/jaeger/query.ts';
import {
  type JaegerSpan,
  type JaegerTrace,
  parentOf,
  serviceOf,
  tag,
  traceIdOf,
  waitForTrace,
} from '../helpers/jaeger-api.ts';
import { baseEnv, startTestFunction, startTestJaeger, startTestSystem } from '../helpers/system.ts';

const LAG_MIN_MS = 100;
const LAG_MAX_MS = 400;

/** The spans of one visit: service, span name. */
const VISIT_SPANS = [
  ['frontend', 'GET /'],
  ['frontend', 'GET'],
  ['frontend', 'POST'],
  ['backend', 'GET /'],
  ['backend', 'read counter'],
  ['backend', 'POST /'],
  ['backend', 'simulate lag'],
  ['backend', 'increase counter'],
] as const;

function find(trace: JaegerTrace, service: string, name: string): JaegerSpan {
  const span = trace.spans.find(
    (candidate) => candidate.operationName === name && serviceOf(trace, candidate) === service,
  );
  if (!span) throw new Error(`No ${service} span "${name}" in trace ${trace.traceID}`);
  return span;
}

for (const entry of ENTRIES) {
  test(`${entry}: every visit is one whole trace across frontend and backend, with the slow step in it`, async (t) => {
    const { frontend, jaeger } = await startTestSystem(t, {
      entry,
      backendEnv: { LAG_MIN_MS: String(LAG_MIN_MS), LAG_MAX_MS: String(LAG_MAX_MS) },
    });
    if (!jaeger) throw new Error('tracing is on in this test');

    const visit = async () => {
      const response = await fetch(frontend.url);
      t.is(response.status, 200);
      const visitor = Number(/visitor number (\d+)/.exec(await response.text())?.[1]);
      return { visitor, traceResponse: response.headers.get('traceresponse') };
    };
    // faas-js-runtime also serves Prometheus metrics; the express server has only the probes.
    const probes = ['/health/readiness', '/health/liveness', ...(entry === 'faas' ? ['/metrics'] : [])];
    for (const path of probes) {
      const probe = await fetch(`${frontend.url}${path}`);
      t.is(probe.status, 200, path);
      await probe.body?.cancel();
    }
    const sequential = [await visit(), await visit()];
    const concurrent = await Promise.all(Array.from({ length: 6 }, visit));
    const visits = [...sequential, ...concurrent];
    t.deepEqual(
      visits.map((one) => one.visitor).sort((a, b) => a - b),
      [1, 2, 3, 4, 5, 6, 7, 8],
    );

    for (const { traceResponse } of visits) {
      const traceId = traceIdOf(traceResponse);
      const trace = await waitForTrace(jaeger.queryUrl, traceId, VISIT_SPANS.length);
      t.is(trace.spans.length, VISIT_SPANS.length, 'no stray spans: health checks and exports make none');
      t.deepEqual(
        trace.spans.map((span) => `${serviceOf(trace, span)} ${span.operationName}`).sort(),
        VISIT_SPANS.map(([service, name]) => `${service} ${name}`).sort(),
      );

      const root = find(trace, 'frontend', 'GET /');
      t.is(traceResponse?.split('-')[2], root.spanID, 'traceresponse names the frontend server span');
      t.is(tag(root, 'span.kind'), 'server');
      t.is(tag(root, 'http.route'), '/');
      for (const span of trace.spans) {
        if (span === root) {
          t.is(parentOf(trace, span), undefined, 'the frontend server span is the root');
          continue;
        }
        t.truthy(parentOf(trace, span), `the parent of ${span.operationName} is in the trace`);
      }

      // The chain frontend server → client → backend server → the backend's own steps.
      const expectParent = (child: JaegerSpan, parent: JaegerSpan) =>
        t.is(parentOf(trace, child)?.spanID, parent.spanID, `${child.operationName} ← ${parent.operationName}`);
      const read = find(trace, 'frontend', 'GET');
      const increase = find(trace, 'frontend', 'POST');
      expectParent(read, root);
      expectParent(increase, root);
      expectParent(find(trace, 'backend', 'GET /'), read);
      expectParent(find(trace, 'backend', 'POST /'), increase);
      expectParent(find(trace, 'backend', 'read counter'), find(trace, 'backend', 'GET /'));
      expectParent(find(trace, 'backend', 'simulate lag'), find(trace, 'backend', 'POST /'));
      expectParent(find(trace, 'backend', 'increase counter'), find(trace, 'backend', 'POST /'));

      const lag = find(trace, 'backend', 'simulate lag');
      const chosenMs = Number(tag(lag, 'lag.duration_ms'));
      t.true(chosenMs >= LAG_MIN_MS && chosenMs <= LAG_MAX_MS, `chosen lag ${chosenMs} ms`);
      const durationMs = lag.duration / 1000;
      // Node timers may fire up to 1 ms before the asked delay, as the span clock measures it.
      t.true(durationMs >= LAG_MIN_MS - 1 && durationMs <= LAG_MAX_MS + 250, `simulate lag lasted ${durationMs} ms`);
      t.true(durationMs >= chosenMs - 1, 'the span lasts at least the chosen lag');
    }

    // Every visit's spans are in, so any probe span would be too: there must be none.
    for (const service of ['frontend', 'backend']) {
      const response = await fetch(`${jaeger.queryUrl}/api/v3/operations?service=${service}&span_kind=server`);
      const { operations } = (await response.json()) as { operations: { name: string }[] };
      const expected = service === 'frontend' ? ['GET /'] : ['GET /', 'POST /'];
      t.deepEqual(operations.map((operation) => operation.name).sort(), expected, `${service} server spans`);
    }
  });
}

test('a failed visit is recorded on its span as an error with the exception', async (t) => {
  // A backend that drops every connection, on a port this test holds the whole time: a killed
  // backend's port could be taken by another test's backend meanwhile, and answer.
  const dropper = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => dropper.listen(0, '127.0.0.1', resolve));
  t.teardown(() => dropper.close());
  const jaeger = await startTestJaeger(t);
  const frontend = await startTestFunction(
    t,
    'frontend',
    baseEnv({
      OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpEndpoint,
      OTEL_BSP_SCHEDULE_DELAY: '100',
      COUNTER_ENDPOINT: `http://127.0.0.1:${(dropper.address() as AddressInfo).port}`,
    }),
  );
  const response = await fetch(frontend.url);
  t.is(response.status, 502);
  const trace = await waitForTrace(jaeger.queryUrl, traceIdOf(response.headers.get('traceresponse')), 2);
  const root = find(trace, 'frontend', 'GET /');
  t.is(tag(root, 'otel.status_code'), 'ERROR');
  t.is(tag(root, 'http.response.status_code'), 502);
  const exception = root.logs.find((log) => log.fields.some((field) => field.value === 'exception'));
  t.truthy(exception, 'the exception is an event on the server span');
  t.regex(String(exception?.fields.find((field) => field.key === 'exception.type')?.value), /BackendError/);
  t.is(tag(find(trace, 'frontend', 'GET'), 'otel.status_code'), 'ERROR', 'the client span failed too');
});

test('OTEL_TRACES_EXPORTER=none: the spans are made and sampled as usual, and sent nowhere', async (t) => {
  const jaeger = await startTestJaeger(t);
  const start = (exporter: Record<string, string>) =>
    startTestFunction(
      t,
      'backend',
      baseEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpEndpoint, OTEL_BSP_SCHEDULE_DELAY: '100', ...exporter }),
    );
  const [silent, exporting] = await Promise.all([start({ OTEL_TRACES_EXPORTER: 'none' }), start({})]);
  const silentAnswer = await fetch(silent.url);
  t.is(silentAnswer.status, 200);
  const silentTrace = silentAnswer.headers.get('traceresponse');
  t.regex(silentTrace ?? '', /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/, 'a recorded, sampled server span');
  await silentAnswer.body?.cancel();
  // Stopped, the silent backend has flushed whatever it would ever send. Then the other backend's
  // trace, sent after, must reach the same Jaeger: by then the first would be there too.
  await silent.stop('SIGTERM');
  const exportingAnswer = await fetch(exporting.url);
  await exportingAnswer.body?.cancel();
  await waitForTrace(jaeger.queryUrl, traceIdOf(exportingAnswer.headers.get('traceresponse')), 2);
  t.is(await fetchTrace(jaeger.queryUrl, traceIdOf(silentTrace)), undefined, 'no span of it reached Jaeger');
});
