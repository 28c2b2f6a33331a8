// With the collector down, visits are answered as usual, export failures are logged at a bounded
// rate, and once the collector is back new visits' traces arrive.
import test from 'ava';
import { freeJaegerPorts } from '../../tools/jaeger/run.ts';
import { waitFor } from '../../tools/processes/process.ts';
import { traceIdOf, waitForTrace } from '../helpers/jaeger-api.ts';
import { baseEnv, startTestFunction, startTestJaeger } from '../helpers/system.ts';

test('Jaeger down: every visit answered, failures logged rarely; Jaeger back: traces arrive', async (t) => {
  const ports = await freeJaegerPorts();
  const telemetry = {
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://localhost:${ports.otlpGrpc}`,
    OTEL_BSP_SCHEDULE_DELAY: '50',
  };
  const backend = await startTestFunction(t, 'backend', baseEnv({ ...telemetry, LAG_MIN_MS: '0', LAG_MAX_MS: '5' }));
  const frontend = await startTestFunction(t, 'frontend', baseEnv({ ...telemetry, COUNTER_ENDPOINT: backend.url }));

  for (let visit = 1; visit <= 40; visit += 1) {
    const response = await fetch(frontend.url);
    t.is(response.status, 200);
    t.regex(await response.text(), new RegExp(`visitor number ${visit} in`));
  }
  for (const running of [frontend, backend]) {
    const failures = running.child.output().match(/^opentelemetry error: /gm) ?? [];
    t.true(failures.length >= 1, `${running.child.name} says that export failed:\n${running.child.output()}`);
    t.true(failures.length <= 2, `${running.child.name} logged ${failures.length} export errors`);
  }

  const jaeger = await startTestJaeger(t, ports);
  // Spans exported while the exporters reconnect are dropped (OTLP exporters do not retry), so keep
  // visiting until one visit's trace arrives whole.
  const trace = await waitFor(
    'a visit after Jaeger came back to arrive whole',
    async () => {
      const response = await fetch(frontend.url);
      t.is(response.status, 200);
      const traceId = traceIdOf(response.headers.get('traceresponse'));
      return waitForTrace(jaeger.queryUrl, traceId, 8, 2000).catch(() => undefined);
    },
    { timeoutMs: 60_000, intervalMs: 0 },
  );
  t.is(trace.spans.length, 8);
});
