// No user data in spans: the client's address, its user agent and the query string never reach Jaeger.
import test from 'ava';
import { ENTRIES } from '../../tools/functions/run.ts';
import { traceIdOf, waitForTrace } from '../helpers/jaeger-api.ts';
import { startTestSystem } from '../helpers/system.ts';

for (const entry of ENTRIES) {
  test(`${entry}: a visit's trace holds no client address, user agent or query`, async (t) => {
    const { frontend, jaeger } = await startTestSystem(t, { entry, backendEnv: { LAG_MIN_MS: '0', LAG_MAX_MS: '0' } });
    if (!jaeger) throw new Error('tracing is on in this test');
    const response = await fetch(`${frontend.url}/?email=someone@example.com`, {
      headers: { 'user-agent': 'secret-agent/1.0' },
    });
    t.is(response.status, 200);
    const trace = await waitForTrace(jaeger.queryUrl, traceIdOf(response.headers.get('traceresponse')), 8);
    const keys = new Set(trace.spans.flatMap((span) => span.tags.map((tag) => tag.key)));
    for (const key of ['client.address', 'client.port', 'network.peer.address', 'user_agent.original', 'url.query']) {
      t.false(keys.has(key), key);
    }
    const text = JSON.stringify(trace);
    t.false(text.includes('secret-agent'));
    t.false(text.includes('someone@example.com'));
    t.true(keys.has('http.request.method'), 'the rest of the HTTP attributes stay');
  });
}
