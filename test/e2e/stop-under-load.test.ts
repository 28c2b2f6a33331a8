// SIGTERM while visits are in flight: the signal lands once the backend has received every visit's
// increase and before any is answered (a condition read from the backend itself, not a guessed delay).
// Those visits are each answered 200, each has all its spans in Jaeger, and both processes exit 0
// well within Knative's grace period.
import test from 'ava';
import { countReceivedRequests, requestProbeEnv } from '../../tools/faults/in-flight.ts';
import { ENTRIES } from '../../tools/functions.ts';
import { runLoad } from '../../tools/load/run.ts';
import { waitFor } from '../../tools/process.ts';
import { waitForTrace } from '../helpers/jaeger-api.ts';
import { startTestSystem } from '../helpers/system.ts';

const VISITS = 10;

for (const entry of ENTRIES) {
  test(`${entry}: SIGTERM with ${VISITS} visits in flight answers each, loses none of their spans, and both exit 0`, async (t) => {
    // Spans are held (exported only at shutdown), so that the flush on SIGTERM is what delivers them.
    const hold = { OTEL_BSP_SCHEDULE_DELAY: '600000' };
    const { frontend, backend, jaeger } = await startTestSystem(t, {
      entry,
      // A lag far longer than the time from the last increase received to the signal.
      backendEnv: { LAG_MIN_MS: '3000', LAG_MAX_MS: '4000', ...hold, ...requestProbeEnv() },
      frontendEnv: hold,
    });
    if (!jaeger) throw new Error('tracing is on in this test');
    const increases = countReceivedRequests(backend.child, 'POST');

    let answered = 0;
    const load = runLoad({
      url: frontend.url,
      visits: VISITS,
      concurrency: VISITS,
      onProgress: ({ done }) => {
        answered = done;
      },
    });
    await waitFor(
      `the backend to receive the increases of all ${VISITS} visits`,
      async () => (increases() >= VISITS ? true : undefined),
      { timeoutMs: 15_000, intervalMs: 10, child: backend.child },
    );
    const answeredBeforeSignal = answered;
    const stopping = performance.now();
    const [frontendExit, backendExit] = await Promise.all([
      frontend.child.stop('SIGTERM', 30_000),
      backend.child.stop('SIGTERM', 30_000),
    ]);
    const seconds = (performance.now() - stopping) / 1000;
    t.is(answeredBeforeSignal, 0, 'SIGTERM landed while every visit was in flight');
    t.deepEqual(frontendExit, { code: 0, signal: null }, frontend.child.output());
    t.deepEqual(backendExit, { code: 0, signal: null }, backend.child.output());
    t.true(seconds < 25, `stopped in ${seconds.toFixed(1)} s`);

    const results = await load;
    t.deepEqual(
      results.map((result) => result.status),
      Array.from({ length: VISITS }, () => 200),
      'every visit in flight answered 200',
    );
    t.deepEqual(
      results.map((result) => result.visitor).sort((a = 0, b = 0) => a - b),
      Array.from({ length: VISITS }, (_, index) => index + 1),
      'each counted once',
    );
    t.log(`${VISITS} visits in flight at SIGTERM, all answered 200; stopped in ${seconds.toFixed(1)} s`);
    for (const result of results) {
      if (!result.traceId) throw new Error('an answered visit without traceresponse');
      const trace = await waitForTrace(jaeger.queryUrl, result.traceId, 8);
      t.is(trace.spans.length, 8, `visit ${result.visitor}: all its spans`);
    }
  });
}
