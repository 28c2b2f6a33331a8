// Told to stop, a function flushes its queued spans before it exits: none are lost.
import test from 'ava';
import { parseTally } from '../../functions/lib/span-tally.ts';
import { ENTRIES } from '../../tools/functions/run.ts';
import { traceIdOf, waitForTrace } from '../helpers/jaeger-api.ts';
import { startTestSystem } from '../helpers/system.ts';

for (const entry of ENTRIES) {
  test(`${entry}: SIGTERM right after a visit: both exit 0 and the whole trace is in Jaeger`, async (t) => {
    // A schedule delay far longer than the test, so only the shutdown flush can deliver the spans.
    const holdSpans = { OTEL_BSP_SCHEDULE_DELAY: '600000' };
    const { frontend, backend, jaeger } = await startTestSystem(t, {
      entry,
      backendEnv: { LAG_MIN_MS: '50', LAG_MAX_MS: '100', ...holdSpans },
      frontendEnv: holdSpans,
    });
    if (!jaeger) throw new Error('tracing is on in this test');

    const response = await fetch(frontend.url);
    t.is(response.status, 200);
    const traceId = traceIdOf(response.headers.get('traceresponse'));

    const started = performance.now();
    const [frontendExit, backendExit] = await Promise.all([
      frontend.child.stop('SIGTERM', 20_000),
      backend.child.stop('SIGTERM', 20_000),
    ]);
    t.deepEqual(frontendExit, { code: 0, signal: null });
    t.deepEqual(backendExit, { code: 0, signal: null });
    t.log(`both stopped in ${Math.round(performance.now() - started)} ms`);

    const trace = await waitForTrace(jaeger.queryUrl, traceId, 8);
    t.is(trace.spans.length, 8);
    // Each says what it ended and sent: three spans of the frontend's, five of the backend's.
    t.deepEqual(parseTally(frontend.child.output()), { ended: 3, sent: 3, exports: 1 });
    t.deepEqual(parseTally(backend.child.output()), { ended: 5, sent: 5, exports: 1 });
  });
}

test('SIGTERM with the collector gone: the spans not sent are counted in the line at exit', async (t) => {
  const holdSpans = { OTEL_BSP_SCHEDULE_DELAY: '600000', OTEL_BSP_EXPORT_TIMEOUT: '1000' };
  const { frontend, backend, jaeger } = await startTestSystem(t, { backendEnv: holdSpans, frontendEnv: holdSpans });
  if (!jaeger) throw new Error('tracing is on in this test');
  t.is((await fetch(frontend.url)).status, 200);
  await jaeger.stop();
  await Promise.all([frontend.child.stop('SIGTERM', 20_000), backend.child.stop('SIGTERM', 20_000)]);
  t.deepEqual(parseTally(frontend.child.output()), { ended: 3, sent: 0, exports: 0 });
  t.regex(frontend.child.output(), /Spans at exit: 3 ended, 0 sent to the collector in 0 exports, 3 not sent\./);
  t.deepEqual(parseTally(backend.child.output()), { ended: 5, sent: 0, exports: 0 });
});
