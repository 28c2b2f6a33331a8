// OTEL_TRACES_SAMPLER=parentbased_jaeger_remote on the real functions, against a real Jaeger and its
// file strategy: probability 0 samples none, 1 samples all, the function asks at start (not after its
// first interval) and follows a changed strategy after its polling interval; and a Jaeger that never
// answers delays neither start-up nor a visit, nor the exit on SIGTERM.
import { createServer, type Socket } from 'node:net';
import test, { type ExecutionContext } from 'ava';
import { ENTRIES } from '../../tools/functions/run.ts';
import { fetchTraces } from '../../tools/jaeger/query.ts';
import type { RunningJaeger } from '../../tools/jaeger/run.ts';
import { runLoad } from '../../tools/load/run.ts';
import { waitForWholeTraces } from '../../tools/load/traces.ts';
import { waitFor } from '../../tools/processes/process.ts';
import { parentOf, serviceOf, tag } from '../helpers/jaeger-api.ts';
import { strategiesFile } from '../helpers/strategies.ts';
import { baseEnv, startTestFunction, startTestJaeger } from '../helpers/system.ts';

const NO_LAG = { LAG_MIN_MS: '0', LAG_MAX_MS: '0' };

function remoteSampler(endpoint: string, pollingIntervalMs: number, initialSamplingRate: number) {
  return {
    OTEL_TRACES_SAMPLER: 'parentbased_jaeger_remote',
    OTEL_TRACES_SAMPLER_ARG: `endpoint=${endpoint},pollingIntervalMs=${pollingIntervalMs},initialSamplingRate=${initialSamplingRate}`,
  };
}

/** Backend and frontend on `jaeger`, the frontend sampling by Jaeger's strategy (`sampler`). */
async function startPair(t: ExecutionContext, jaeger: RunningJaeger, sampler: NodeJS.ProcessEnv) {
  const telemetry = { OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpEndpoint, OTEL_BSP_SCHEDULE_DELAY: '100' };
  const backend = await startTestFunction(t, 'backend', baseEnv({ ...telemetry, ...NO_LAG }));
  const frontend = await startTestFunction(
    t,
    'frontend',
    baseEnv({ ...telemetry, ...sampler, COUNTER_ENDPOINT: backend.url }),
  );
  return { backend, frontend };
}

/** One visit: whether the frontend sampled it, from its traceresponse. */
async function sampledVisit(url: string, headers: Record<string, string> = {}): Promise<boolean> {
  const response = await fetch(url, { headers });
  await response.body?.cancel();
  if (response.status !== 200) throw new Error(`the visit answered ${response.status}`);
  return (response.headers.get('traceresponse') ?? '').endsWith('-01');
}

test('probability 1: asked for at start, every visit sampled, sampler.param 1 on the root alone', async (t) => {
  const strategies = await strategiesFile(t, 1);
  const jaeger = await startTestJaeger(t, undefined, strategies.path);
  // An initial rate of 0 and an hour between polls: a visit is sampled only if the strategy was
  // fetched at start.
  const { frontend } = await startPair(t, jaeger, remoteSampler(jaeger.samplingUrl, 3_600_000, 0));
  const started = performance.now();
  await waitFor('a sampled visit', async () => (await sampledVisit(frontend.url)) || undefined, {
    timeoutMs: 10_000,
    intervalMs: 50,
  });
  t.log(`the strategy held ${Math.round(performance.now() - started)} ms after the frontend was ready`);
  const results = await runLoad({ url: frontend.url, visits: 20, concurrency: 4 });
  t.deepEqual(
    results.map((result) => result.sampled),
    results.map(() => true),
  );
  const ids = results.map((result) => result.traceId ?? '');
  const wait = await waitForWholeTraces({ queryUrl: jaeger.queryUrl, traceIds: ids, timeoutMs: 20_000 });
  t.is(wait.whole, 20, JSON.stringify(wait));
  const traces = (await fetchTraces(jaeger.queryUrl, 'frontend', 100)).filter((trace) => ids.includes(trace.traceID));
  t.is(traces.length, 20);
  for (const trace of traces) {
    const tagged = trace.spans.filter((span) => tag(span, 'sampler.param') !== undefined);
    t.deepEqual(
      tagged.map((span) => [
        serviceOf(trace, span),
        span.operationName,
        tag(span, 'sampler.type'),
        tag(span, 'sampler.param'),
      ]),
      [['frontend', 'GET /', 'probabilistic', 1]],
    );
    const [root] = tagged;
    t.true(root !== undefined && parentOf(trace, root) === undefined, 'the tagged span is the root');
  }
});

test("probability 0: no visit sampled, none in Jaeger; a caller's sampled traceparent is still followed", async (t) => {
  const strategies = await strategiesFile(t, 0);
  const jaeger = await startTestJaeger(t, undefined, strategies.path);
  const { frontend } = await startPair(t, jaeger, remoteSampler(jaeger.samplingUrl, 3_600_000, 1));
  await waitFor('an unsampled visit', async () => !(await sampledVisit(frontend.url)) || undefined, {
    timeoutMs: 10_000,
    intervalMs: 50,
  });
  const results = await runLoad({ url: frontend.url, visits: 20, concurrency: 4 });
  t.deepEqual(
    results.map((result) => result.sampled),
    results.map(() => false),
  );
  // The control: a visit whose caller sampled it. Parent-based, the frontend follows the caller; once
  // its spans from both functions are in Jaeger, the twenty before it would be there too, had they
  // been recorded: each function sends its spans in the order they ended. (Each sends on its own
  // clock: the backend's may come first.)
  const caller = '0af7651916cd43dd8448eb211c80319c';
  t.true(await sampledVisit(frontend.url, { traceparent: `00-${caller}-b7ad6b7169203331-01` }));
  const idsOf = async (service: string) =>
    (await fetchTraces(jaeger.queryUrl, service, 100)).map((trace) => trace.traceID);
  await waitFor(
    "the caller's visit in Jaeger, from both functions",
    async () => ((await idsOf('frontend')).includes(caller) && (await idsOf('backend')).includes(caller)) || undefined,
    { timeoutMs: 20_000, intervalMs: 100 },
  );
  const traces = await fetchTraces(jaeger.queryUrl, 'frontend', 100);
  t.deepEqual(
    traces.map((trace) => trace.traceID),
    [caller],
  );
  t.deepEqual(await idsOf('backend'), [caller]);
  // It followed its caller: no span of it says it was sampled by a probability of its own.
  t.true(traces[0]?.spans.every((span) => tag(span, 'sampler.param') === undefined));
});

test('a changed strategy: followed after the polling interval (1 s), not before the next poll of one that waits a minute', async (t) => {
  const strategies = await strategiesFile(t, 1);
  const jaeger = await startTestJaeger(t, undefined, strategies.path);
  const { backend, frontend: quick } = await startPair(t, jaeger, remoteSampler(jaeger.samplingUrl, 1000, 0));
  const telemetry = { OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpEndpoint, OTEL_BSP_SCHEDULE_DELAY: '100' };
  const slow = await startTestFunction(
    t,
    'frontend',
    baseEnv({ ...telemetry, ...remoteSampler(jaeger.samplingUrl, 60_000, 0), COUNTER_ENDPOINT: backend.url }),
  );
  for (const frontend of [quick, slow]) {
    await waitFor('the strategy of 1', async () => (await sampledVisit(frontend.url)) || undefined, {
      timeoutMs: 10_000,
      intervalMs: 50,
    });
  }
  // Jaeger reads its file again every second; the quick frontend asks every second.
  await strategies.rewrite(0);
  const changed = performance.now();
  await waitFor(
    'the quick frontend to follow probability 0',
    async () => !(await sampledVisit(quick.url)) || undefined,
    {
      timeoutMs: 10_000,
      intervalMs: 50,
    },
  );
  const followedMs = performance.now() - changed;
  t.log(`the quick frontend followed the new strategy ${Math.round(followedMs)} ms after the file changed`);
  t.true(
    followedMs < 1000 + 1000 + 2000,
    `${Math.round(followedMs)} ms: Jaeger's reload (1 s), a poll (1 s) and a margin`,
  );
  const after = await runLoad({ url: quick.url, visits: 10, concurrency: 2 });
  t.true(after.every((result) => result.sampled === false));
  // The other asked at its start and asks again only in a minute: it still samples every visit.
  const meanwhile = await runLoad({ url: slow.url, visits: 10, concurrency: 2 });
  t.true(
    meanwhile.every((result) => result.sampled === true),
    'the slow frontend changed before its next poll',
  );
});

/** A TCP server on loopback that accepts every connection and never answers. */
async function silentServer(t: ExecutionContext): Promise<string> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    for (const socket of sockets) socket.destroy();
    server.close();
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return `http://127.0.0.1:${address.port}`;
}

for (const entry of ENTRIES) {
  test(`${entry}: Jaeger that never answers delays neither start-up nor a visit, and SIGTERM still exits at once`, async (t) => {
    const endpoint = await silentServer(t);
    const started = performance.now();
    const backend = await startTestFunction(
      t,
      'backend',
      baseEnv({ ...NO_LAG, ...remoteSampler(endpoint, 100, 1), OTEL_TRACES_EXPORTER: 'none' }),
      { entry },
    );
    const readyMs = performance.now() - started;
    const visit = performance.now();
    // The initial rate (1) holds while the strategy is asked for, for ever.
    t.true(await sampledVisit(backend.url));
    const visitMs = performance.now() - visit;
    const stopping = performance.now();
    const exit = await backend.child.stop('SIGTERM', 10_000);
    const stopMs = performance.now() - stopping;
    t.deepEqual(exit, { code: 0, signal: null }, backend.child.output());
    t.log(
      `ready in ${Math.round(readyMs)} ms, a visit in ${Math.round(visitMs)} ms, exit ${Math.round(stopMs)} ms after SIGTERM`,
    );
    t.true(readyMs < 10_000, `ready in ${Math.round(readyMs)} ms`);
    t.true(visitMs < 1000, `a visit took ${Math.round(visitMs)} ms`);
    t.true(stopMs < 2000, `exit ${Math.round(stopMs)} ms after SIGTERM`);
  });
}
