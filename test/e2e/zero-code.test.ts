// The functions under OpenTelemetry's zero-code set-up (the benchmark's peer, tools/bench/peer.ts):
// its register module starts the SDK first, the functions' own telemetry sees it and stays off, and
// each visit is still one whole trace with every span once, the agent's HTTP spans and our own.
import test from 'ava';
import { ZERO_CODE_PRELOAD, zeroCodeEnv } from '../../tools/bench/peer.ts';
import { serviceOf, traceIdOf, waitForTrace } from '../helpers/jaeger-api.ts';
import { baseEnv, startTestFunction, startTestJaeger } from '../helpers/system.ts';
import { VISIT_SPANS } from '../helpers/traces.ts';

test('under the zero-code agent our telemetry stays off, and a visit is one trace with every span once', async (t) => {
  const jaeger = await startTestJaeger(t);
  const exportOften = { OTEL_BSP_SCHEDULE_DELAY: '100' };
  const backend = await startTestFunction(
    t,
    'backend',
    baseEnv({ ...zeroCodeEnv('backend', jaeger.otlpEndpoint), ...exportOften, LAG_MIN_MS: '0', LAG_MAX_MS: '0' }),
    { preload: ZERO_CODE_PRELOAD },
  );
  const frontend = await startTestFunction(
    t,
    'frontend',
    baseEnv({ ...zeroCodeEnv('frontend', jaeger.otlpEndpoint), ...exportOften, COUNTER_ENDPOINT: backend.url }),
    { preload: ZERO_CODE_PRELOAD },
  );
  for (const running of [backend, frontend]) {
    t.regex(running.child.output(), /OpenTelemetry was started before this function's telemetry: it stays off/);
    // A second SDK would say so: "Attempted duplicate registration of API".
    t.notRegex(running.child.output(), /opentelemetry error/);
  }
  // The second visit: the first may also hold the agent's spans of connecting to the backend.
  await (await fetch(frontend.url)).text();
  const response = await fetch(frontend.url);
  t.regex(await response.text(), /visitor number 2\b/);
  const trace = await waitForTrace(jaeger.queryUrl, traceIdOf(response.headers.get('traceresponse')), 8);
  t.deepEqual(trace.spans.map((span) => `${serviceOf(trace, span)} ${span.operationName}`).sort(), VISIT_SPANS);
});
