// The backend killed in the middle of a visit: the frontend answers 502 at once, records the error
// on its span, and recovers by itself when a backend is back on the same address.
import test from 'ava';
import { countReceivedRequests, requestProbeEnv } from '../../tools/faults/in-flight.ts';
import { ENTRIES } from '../../tools/functions/run.ts';
import { fetchTrace } from '../../tools/jaeger/query.ts';
import { findFreePort } from '../../tools/processes/ports.ts';
import { waitFor } from '../../tools/processes/process.ts';
import { tag, traceIdOf } from '../helpers/jaeger-api.ts';
import { baseEnv, startTestFunction, startTestJaeger } from '../helpers/system.ts';

for (const entry of ENTRIES) {
  test(`${entry}: backend killed mid-visit → 502 with the error on the span; back → visits work again`, async (t) => {
    const jaeger = await startTestJaeger(t);
    const telemetry = { OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpEndpoint, OTEL_BSP_SCHEDULE_DELAY: '100' };
    const port = await findFreePort();
    const slow = baseEnv({ ...telemetry, LAG_MIN_MS: '3000', LAG_MAX_MS: '3000', ...requestProbeEnv() });
    const backend = await startTestFunction(t, 'backend', slow, { entry, port });
    const increases = countReceivedRequests(backend.child, 'POST');
    const frontend = await startTestFunction(t, 'frontend', baseEnv({ ...telemetry, COUNTER_ENDPOINT: backend.url }), {
      entry,
    });

    const started = performance.now();
    const visit = fetch(frontend.url);
    // Killed once it serves the visit's increase, in the middle of the lag.
    await waitFor("the backend to receive the visit's increase", async () => (increases() > 0 ? true : undefined), {
      timeoutMs: 10_000,
      intervalMs: 10,
      child: backend.child,
    });
    await backend.stop('SIGKILL');
    const response = await visit;
    const elapsed = performance.now() - started;
    t.is(response.status, 502);
    t.is(await response.text(), 'Bad Gateway: the counter backend failed.\n');
    t.true(elapsed < 2000, `answered ${Math.round(elapsed)} ms after the visit began, not after the lag`);
    // Back on the same address at once, before another test's process could take the port.
    await startTestFunction(t, 'backend', baseEnv({ ...telemetry, LAG_MIN_MS: '0', LAG_MAX_MS: '0' }), { entry, port });
    const traceId = traceIdOf(response.headers.get('traceresponse'));
    const root = await waitFor(
      "the visit's root span in Jaeger",
      async () =>
        (await fetchTrace(jaeger.queryUrl, traceId))?.spans.find(
          (span) => span.operationName === 'GET /' && span.references.length === 0,
        ),
      { timeoutMs: 15_000, intervalMs: 100 },
    );
    t.is(tag(root, 'otel.status_code'), 'ERROR');
    t.true(root.logs.some((log) => log.fields.some((field) => field.value === 'exception')));

    const again = await fetch(frontend.url);
    t.is(again.status, 200);
    t.regex(await again.text(), /You're visitor number 1 in here!/, 'a new backend starts counting again');
  });
}
