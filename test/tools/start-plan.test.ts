import { resolve } from 'node:path';
import test from 'ava';
import { DEFAULT_JAEGER_PORTS, DEFAULT_SAMPLING_STRATEGIES } from '../../tools/jaeger/run.ts';
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

test('COUNTER_STORE=redis: a redis-server of its own on REDIS_PORT (6380 by default), named to the backend', (t) => {
  t.like(planStart({ COUNTER_STORE: 'redis' }), {
    redis: { port: 6380 },
    backendEnv: { COUNTER_STORE: 'redis://127.0.0.1:6380' },
    backendReplicas: 1,
  });
  t.like(planStart({ COUNTER_STORE: ' redis ', REDIS_PORT: '7000' }), {
    redis: { port: 7000 },
    backendEnv: { COUNTER_STORE: 'redis://127.0.0.1:7000' },
  });
});

test('the counter in memory or in a Redis of the user: no redis-server of ours, nothing added for the backend', (t) => {
  for (const env of [{}, { COUNTER_STORE: 'memory' }, { COUNTER_STORE: 'redis://cache.example:6379/1' }]) {
    t.like(planStart(env), { redis: undefined, backendEnv: {}, backendReplicas: 1 }, JSON.stringify(env));
  }
});

test("BACKEND_REPLICAS: that many backends with the counter in Redis, ours or the user's", (t) => {
  t.is(planStart({ COUNTER_STORE: 'redis', BACKEND_REPLICAS: '3' }).backendReplicas, 3);
  t.is(planStart({ COUNTER_STORE: 'redis://cache.example:6379', BACKEND_REPLICAS: '8' }).backendReplicas, 8);
});

test('COUNTER_ENDPOINT names the backend: none of ours, so no Redis and no replicas either', (t) => {
  t.like(planStart({ COUNTER_ENDPOINT: 'http://elsewhere:9000', COUNTER_STORE: 'redis', BACKEND_REPLICAS: '3' }), {
    startBackend: false,
    redis: undefined,
    backendReplicas: 1,
  });
});

for (const [env, message] of [
  [
    { BACKEND_REPLICAS: '2' },
    /^BACKEND_REPLICAS is "2": expected 1 while the counter is in memory: each backend would count on its own/,
  ],
  [
    { COUNTER_STORE: 'memory', BACKEND_REPLICAS: '3' },
    /^BACKEND_REPLICAS is "3": expected 1 while the counter is in memory/,
  ],
  [{ COUNTER_STORE: 'redis', BACKEND_REPLICAS: '9' }, /^BACKEND_REPLICAS is "9": expected a whole number from 1 to 8/],
  [{ COUNTER_STORE: 'redis', BACKEND_REPLICAS: '0' }, /^BACKEND_REPLICAS is "0"/],
  [{ COUNTER_STORE: 'redis', REDIS_PORT: 'x' }, /^REDIS_PORT is "x"/],
] as const) {
  test(`refuses ${JSON.stringify(env)}`, (t) => {
    t.throws(() => planStart(env), { instanceOf: ConfigError, message });
  });
}

test("Jaeger's sampling strategies: port 5778 and tools/jaeger/sampling-strategies.json, or JAEGER_SAMPLING_*", (t) => {
  const plan = planStart({});
  t.is(plan.jaeger?.sampling, 5778);
  t.is(plan.samplingStrategies, DEFAULT_SAMPLING_STRATEGIES);
  const moved = planStart({ JAEGER_SAMPLING_PORT: '6778', JAEGER_SAMPLING_STRATEGIES: 'mine.json' });
  t.is(moved.jaeger?.sampling, 6778);
  t.is(moved.samplingStrategies, resolve('mine.json'));
  t.throws(() => planStart({ JAEGER_SAMPLING_PORT: 'many' }), { message: /^JAEGER_SAMPLING_PORT is "many"/ });
});

test('functions told to follow Jaeger remotely, with no endpoint, are given the local Jaeger', (t) => {
  const remote = (extra: NodeJS.ProcessEnv) =>
    planStart({ OTEL_TRACES_SAMPLER: 'parentbased_jaeger_remote', ...extra });
  t.is(remote({}).functionEnv.OTEL_TRACES_SAMPLER_ARG, 'endpoint=http://localhost:5778');
  t.is(
    remote({ JAEGER_SAMPLING_PORT: '6778', OTEL_TRACES_SAMPLER_ARG: 'pollingIntervalMs=5000' }).functionEnv
      .OTEL_TRACES_SAMPLER_ARG,
    'endpoint=http://localhost:6778,pollingIntervalMs=5000',
  );
  // An endpoint of the user's, another sampler, or no local Jaeger: the variable is left alone.
  t.is(
    remote({ OTEL_TRACES_SAMPLER_ARG: 'endpoint=http://jaeger:5778' }).functionEnv.OTEL_TRACES_SAMPLER_ARG,
    undefined,
  );
  t.is(
    planStart({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1' }).functionEnv
      .OTEL_TRACES_SAMPLER_ARG,
    undefined,
  );
  t.is(remote({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4317' }).functionEnv.OTEL_TRACES_SAMPLER_ARG, undefined);
});
