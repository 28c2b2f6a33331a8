import test from 'ava';
import { DEFAULT_JAEGER_PORTS } from '../../tools/jaeger/run.ts';
import { ConfigError } from '../../tools/local/settings.ts';
import { planStart } from '../../tools/local/start-plan.ts';

test('by default: Jaeger, backend on 8081, frontend on 8080 and the trace page on 8090', (t) => {
  t.like(planStart({}), {
    frontendPort: 8080,
    backendPort: 8081,
    pagePort: 8090,
    jaeger: DEFAULT_JAEGER_PORTS,
    startBackend: true,
    counterEndpoint: 'http://localhost:8081',
    notes: [],
  });
});

test('spans reach its own Jaeger every second, unless OTEL_BSP_SCHEDULE_DELAY says otherwise', (t) => {
  t.deepEqual(planStart({}).functionEnv, { OTEL_BSP_SCHEDULE_DELAY: '1000' });
  t.deepEqual(planStart({ OTEL_BSP_SCHEDULE_DELAY: ' ' }).functionEnv, { OTEL_BSP_SCHEDULE_DELAY: '1000' });
  t.deepEqual(planStart({ OTEL_BSP_SCHEDULE_DELAY: '5000' }).functionEnv, {});
  // Another collector, or no tracing: the SDK's own default.
  t.deepEqual(planStart({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4317' }).functionEnv, {});
  t.deepEqual(planStart({ OTEL_SDK_DISABLED: 'true' }).functionEnv, {});
});

test('OTEL_SDK_DISABLED=true: no Jaeger', (t) => {
  const plan = planStart({ OTEL_SDK_DISABLED: 'true' });
  t.is(plan.jaeger, undefined);
  t.true(plan.startBackend);
  t.regex(plan.notes.join(), /tracing is off/);
  t.regex(plan.notes.join(), /No trace page either: it reads the local Jaeger/);
});

for (const variable of ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']) {
  test(`${variable} set: spans go there, no local Jaeger`, (t) => {
    const plan = planStart({ [variable]: 'http://collector:4317' });
    t.is(plan.jaeger, undefined);
    t.regex(plan.notes.join(), /Spans go to http:\/\/collector:4317/);
  });
}

test('COUNTER_ENDPOINT set: no backend of ours, the frontend uses that one', (t) => {
  const plan = planStart({ COUNTER_ENDPOINT: 'http://elsewhere:9000/' });
  t.false(plan.startBackend);
  t.is(plan.counterEndpoint, 'http://elsewhere:9000');
});

test('ports come from FRONTEND_PORT, BACKEND_PORT, PAGE_PORT and the JAEGER_*_PORT variables', (t) => {
  const plan = planStart({ FRONTEND_PORT: '9080', BACKEND_PORT: '9081', PAGE_PORT: '9090', JAEGER_QUERY_PORT: '9686' });
  t.like(plan, { frontendPort: 9080, backendPort: 9081, pagePort: 9090, counterEndpoint: 'http://localhost:9081' });
  t.is(plan.jaeger?.query, 9686);
  t.is(plan.jaeger?.otlpGrpc, 4317);
});

for (const [env, message] of [
  [{ FRONTEND_PORT: 'eighty' }, /^FRONTEND_PORT is "eighty"/],
  [{ BACKEND_PORT: '0' }, /^BACKEND_PORT is "0"/],
  [{ PAGE_PORT: 'page' }, /^PAGE_PORT is "page"/],
  [{ JAEGER_OTLP_GRPC_PORT: '70000' }, /^JAEGER_OTLP_GRPC_PORT is "70000"/],
  [{ COUNTER_ENDPOINT: 'nowhere' }, /^COUNTER_ENDPOINT is "nowhere"/],
] as const) {
  test(`refuses ${JSON.stringify(env)}`, (t) => {
    t.throws(() => planStart(env), { instanceOf: ConfigError, message });
  });
}
