// A Host header a client made up (`x:abc`, a port out of range, a name longer than any DNS name)
// reaches both functions' spans in a real Jaeger, and Jaeger's query APIs still answer every search
// that meets those traces: a NaN in one span's attributes once made /api/traces answer 500
// ("json: unsupported value: NaN") for every search of the service, and so Jaeger's own UI.
import test from 'ava';
import { getWithHost } from '../helpers/host-header.ts';
import { traceIdOf, waitForTrace } from '../helpers/jaeger-api.ts';
import { startTestSystem } from '../helpers/system.ts';

const HOSTS = ['x:abc', 'x:99999', `${'a'.repeat(300)}:8080`];

test('made-up Host headers: the visits are traced, and both of Jaeger’s query APIs still answer', async (t) => {
  const { frontend, jaeger } = await startTestSystem(t, {
    entry: 'express',
    backendEnv: { LAG_MIN_MS: '0', LAG_MAX_MS: '0' },
  });
  if (!jaeger) throw new Error('tracing is on in this test');
  for (const host of HOSTS) {
    const visit = await getWithHost(frontend.url, host);
    t.is(visit.status, 200, host.slice(0, 20));
    await waitForTrace(jaeger.queryUrl, traceIdOf(String(visit.headers.traceresponse ?? '')), 8);
  }
  const end = new Date();
  const start = new Date(end.getTime() - 3_600_000);
  for (const service of ['frontend', 'backend']) {
    const legacy = await fetch(`${jaeger.queryUrl}/api/traces?service=${service}&limit=20`);
    t.is(legacy.status, 200, `/api/traces for ${service}: ${(await legacy.clone().text()).slice(0, 200)}`);
    t.true(((await legacy.json()) as { data: unknown[] }).data.length >= HOSTS.length);
    const v3 = await fetch(
      `${jaeger.queryUrl}/api/v3/traces?query.service_name=${service}&query.start_time_min=${start.toISOString()}&query.start_time_max=${end.toISOString()}&query.num_traces=20`,
    );
    t.is(v3.status, 200, `/api/v3/traces for ${service}: ${(await v3.clone().text()).slice(0, 200)}`);
    t.true(((await v3.json()) as { result?: { resourceSpans?: unknown[] } }).result?.resourceSpans?.length !== 0);
  }
});
