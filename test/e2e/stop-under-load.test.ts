// SIGTERM while visits are in flight: the visits in flight are finished, every visit that got an
// answer has its spans in Jaeger, and both processes exit 0 well within Knative's grace period.
import test from 'ava';
import { ENTRIES } from '../../tools/functions.ts';
import { runLoad } from '../../tools/load/run.ts';
import { waitFor } from '../../tools/process.ts';
import { waitForTrace } from '../helpers/jaeger-api.ts';
import { startTestSystem } from '../helpers/system.ts';

for (const entry of ENTRIES) {
  test(`${entry}: SIGTERM under load loses no answered visit's spans, and both exit 0`, async (t) => {
    const hold = { OTEL_BSP_SCHEDULE_DELAY: '600000' };
    const { frontend, backend, jaeger } = await startTestSystem(t, {
      entry,
      backendEnv: { LAG_MIN_MS: '300', LAG_MAX_MS: '800', ...hold },
      frontendEnv: hold,
    });
    if (!jaeger) throw new Error('tracing is on in this test');

    let answered = 0;
    const load = runLoad({
      url: frontend.url,
      visits: 40,
      concurrency: 10,
      onProgress: ({ done }) => {
        answered = done;
      },
    });
    await waitFor('some visits to be answered', async () => (answered >= 10 ? true : undefined), { timeoutMs: 20_000 });
    const stopping = performance.now();
    // The frontend first, as Knative drains it; the backend a moment later.
    const frontendExit = frontend.child.stop('SIGTERM', 30_000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const backendExit = backend.child.stop('SIGTERM', 30_000);
    t.deepEqual(await frontendExit, { code: 0, signal: null });
    t.deepEqual(await backendExit, { code: 0, signal: null });
    const seconds = (performance.now() - stopping) / 1000;
    t.true(seconds < 25, `stopped in ${seconds.toFixed(1)} s`);

    const results = await load;
    const ok = results.filter((result) => result.status === 200);
    t.true(ok.length >= 10, `${ok.length} visits answered 200`);
    t.log(
      `${ok.length} answered 200, ${results.length - ok.length} refused after SIGTERM; stopped in ${seconds.toFixed(1)} s`,
    );
    for (const result of ok) {
      if (!result.traceId) throw new Error('an answered visit without traceresponse');
      const trace = await waitForTrace(jaeger.queryUrl, result.traceId, 8);
      t.is(trace.spans.length, 8, `visit ${result.visitor}: all its spans`);
    }
  });
}
