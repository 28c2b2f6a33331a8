// What the spans say about where they come from, and that nothing but traces is sent to Jaeger.
import test from 'ava';
import { traceIdOf, waitForTrace } from '../helpers/jaeger-api.ts';
import { startTestSystem } from '../helpers/system.ts';

test('resources name the service, its version and its Knative revision; only traces are exported', async (t) => {
  // A metrics reader would now export every 100 ms, and Jaeger, which takes traces only, would refuse.
  const exportOften = { OTEL_METRIC_EXPORT_INTERVAL: '100', OTEL_METRIC_EXPORT_TIMEOUT: '50' };
  const { frontend, backend, jaeger } = await startTestSystem(t, {
    backendEnv: {
      LAG_MIN_MS: '300',
      LAG_MAX_MS: '300',
      K_SERVICE: 'backend',
      K_REVISION: 'backend-00001',
      ...exportOften,
    },
    frontendEnv: exportOften,
  });
  if (!jaeger) throw new Error('tracing is on in this test');
  const response = await fetch(frontend.url);
  const trace = await waitForTrace(jaeger.queryUrl, traceIdOf(response.headers.get('traceresponse')), 8);

  const tagsOf = (service: string) => {
    const process = Object.values(trace.processes).find((candidate) => candidate.serviceName === service) as
      | { tags: { key: string; value: unknown }[] }
      | undefined;
    return Object.fromEntries((process?.tags ?? []).map((tag) => [tag.key, tag.value]));
  };
  t.like(tagsOf('backend'), {
    'service.version': '0.1.0',
    'faas.name': 'backend',
    'faas.version': 'backend-00001',
    'telemetry.sdk.language': 'nodejs',
  });
  t.like(tagsOf('frontend'), { 'service.version': '0.1.0' });
  t.false('faas.name' in tagsOf('frontend'), 'no K_SERVICE, no faas.name');

  for (const running of [frontend, backend]) {
    t.notRegex(running.child.output(), /opentelemetry (error|warn)/, `${running.child.name} exported only traces`);
  }
});
