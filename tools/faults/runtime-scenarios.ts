import { join } from 'node:path';
import { ENTRIES, functionCommand, functionDirectory, REPOSITORY_ROOT } from '../functions.ts';
import { fetchTrace } from '../jaeger/query.ts';
import { freeJaegerPorts } from '../jaeger/run.ts';
import { formatMs } from '../load/report.ts';
import { runLoad, type VisitResult } from '../load/run.ts';
import { findFreePort } from '../ports.ts';
import { spawnChild, waitFor } from '../process.ts';
import { percentile } from '../stats.ts';
import { cleanEnv, type Processes, residentMb } from '../system.ts';

import { countReceivedRequests, requestProbeEnv } from './in-flight.ts';
import type { Scenario } from './scenarios.ts';

export const wholeTrace = async (queryUrl: string, traceId: string | undefined, timeoutMs = 15_000) =>
  traceId !== undefined &&
  (await waitFor(
    `trace ${traceId}`,
    async () => ((await fetchTrace(queryUrl, traceId))?.spans.length === 8 ? true : undefined),
    {
      timeoutMs,
      intervalMs: 100,
    },
  ).catch(() => false));

export const concurrency: Scenario = async (processes) => {
  const { frontend, backend } = await processes.tracedSystem({ backendEnv: { LAG_MIN_MS: '0', LAG_MAX_MS: '50' } });
  const results = await runLoad({ url: frontend.url, visits: 200, concurrency: 50 });
  const numbers = results.map((result) => result.visitor ?? 0).sort((a, b) => a - b);
  const contiguous = numbers.every((number, index) => number === index + 1);
  const counter = (await (await fetch(backend.url)).text()).trim();
  const increases = await Promise.all(
    Array.from({ length: 500 }, async () => Number(await (await fetch(backend.url, { method: 'POST' })).text())),
  );
  const distinct = new Set(increases).size;
  const after = (await (await fetch(backend.url)).text()).trim();
  return [
    {
      scenario: '200 visits at concurrency 50',
      expected: 'numbers 1 to 200, each once; counter 201',
      observed: `${new Set(numbers).size} distinct, ${contiguous ? 'contiguous' : 'with gaps'}; counter ${counter}`,
      pass: contiguous && numbers.length === 200 && counter === '201',
    },
    {
      scenario: '500 direct increases at once',
      expected: '500 distinct answers; counter 701',
      observed: `${distinct} distinct; counter ${after}`,
      pass: distinct === 500 && after === '701',
    },
  ];
};

export const deadOrSlowBackend: Scenario = async (processes) => {
  const jaeger = await processes.jaeger();
  const telemetry = { OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpEndpoint, OTEL_BSP_SCHEDULE_DELAY: '100' };
  const port = await findFreePort();
  const frontend = await processes.fn(
    'frontend',
    cleanEnv({ ...telemetry, COUNTER_ENDPOINT: `http://localhost:${port}`, BACKEND_TIMEOUT_MS: '500' }),
  );
  // As in test/e2e/backend-killed.test.ts: a frontend with the default timeout (15 s), so that only
  // the kill can end the visit.
  const patient = await processes.fn(
    'frontend',
    cleanEnv({ ...telemetry, COUNTER_ENDPOINT: `http://localhost:${port}` }),
  );
  const timed = async (url = frontend.url) => {
    const started = performance.now();
    const response = await fetch(url);
    return { status: response.status, body: await response.text(), ms: performance.now() - started, response };
  };
  const down = await timed();
  const slowBackend = await processes.fn(
    'backend',
    cleanEnv({ ...telemetry, LAG_MIN_MS: '3000', LAG_MAX_MS: '3000', ...requestProbeEnv() }),
    { port },
  );
  const received = countReceivedRequests(slowBackend.child, 'POST');
  const slow = await timed();
  const increases = received();
  const killedVisit = timed(patient.url);
  // Killed once it serves the visit's increase, in the middle of the lag.
  await waitFor(
    "the backend to receive the visit's increase",
    async () => (received() > increases ? true : undefined),
    { timeoutMs: 10_000, intervalMs: 10, child: slowBackend.child },
  );
  await slowBackend.stop('SIGKILL');
  const killed = await killedVisit;
  await processes.fn('backend', cleanEnv({ ...telemetry, LAG_MIN_MS: '0', LAG_MAX_MS: '0' }), { port });
  const back = await timed();
  const traceId = /^00-([0-9a-f]{32})-/.exec(down.response.headers.get('traceresponse') ?? '')?.[1] ?? '';
  const root = await waitFor(
    'the failed visit in Jaeger',
    async () => (await fetchTrace(jaeger.queryUrl, traceId))?.spans.find((span) => span.references.length === 0),
    { timeoutMs: 15_000 },
  ).catch(() => undefined);
  const error = root?.tags.some((tag) => tag.key === 'otel.status_code' && tag.value === 'ERROR');
  const exception = root?.logs.some((log) => log.fields.some((field) => field.value === 'exception'));
  return [
    {
      scenario: 'backend not running',
      expected: '502, short body',
      observed: `${down.status} in ${formatMs(down.ms)}: ${JSON.stringify(down.body.trim())}`,
      pass: down.status === 502 && down.body.length < 100,
    },
    {
      scenario: '  its span',
      expected: 'status ERROR, exception event',
      observed: `${error ? 'ERROR' : 'no error status'}, ${exception ? 'exception recorded' : 'no exception'}`,
      pass: Boolean(error && exception),
    },
    {
      scenario: 'backend slower than the timeout (500 ms)',
      expected: '504 within 500 ms + 300 ms',
      observed: `${slow.status} in ${formatMs(slow.ms)}`,
      pass: slow.status === 504 && slow.ms < 800,
    },
    {
      scenario: 'backend killed mid-request',
      expected: '502 with its short body, before the lag (3 s) would end',
      observed: `${killed.status} in ${formatMs(killed.ms)}: ${JSON.stringify(killed.body.trim())}`,
      pass: killed.status === 502 && killed.body === 'Bad Gateway: the counter backend failed.\n' && killed.ms < 1000,
    },
    {
      scenario: 'backend back',
      expected: 'visits answered 200 again, by itself',
      observed: `${back.status}: ${JSON.stringify(back.body.split('\n')[2] ?? '')}`,
      pass: back.status === 200,
    },
  ];
};

async function latencyPair(processes: Processes, otlpEndpoint: string) {
  const env = { OTEL_EXPORTER_OTLP_ENDPOINT: otlpEndpoint, OTEL_BSP_SCHEDULE_DELAY: '100' };
  const backend = await processes.fn('backend', cleanEnv({ ...env, LAG_MIN_MS: '20', LAG_MAX_MS: '20' }));
  const frontend = await processes.fn('frontend', cleanEnv({ ...env, COUNTER_ENDPOINT: backend.url }));
  await runLoad({ url: frontend.url, visits: 100, concurrency: 10 }); // warm-up
  return { frontend, backend };
}

/**
 * Loads the systems at `urls` in turns, 100 visits at a time, so that a slower minute of a shared machine
 * falls on both (one run after the other once read 11.8 % apart on noise alone).
 */
async function loadInTurns(urls: readonly string[], visits: number): Promise<VisitResult[][]> {
  const results = urls.map((): VisitResult[] => []);
  for (let done = 0; done < visits; done += 100) {
    for (const [index, url] of urls.entries()) {
      results[index]?.push(...(await runLoad({ url, visits: 100, concurrency: 10 })));
    }
  }
  return results;
}

const medianMs = (results: readonly VisitResult[]) =>
  percentile(
    results.map((result) => result.ms),
    50,
  ) ?? 0;

export const deadCollector: Scenario = async (processes) => {
  const up = await processes.jaeger();
  const withJaeger = await latencyPair(processes, up.otlpEndpoint);
  const ports = await freeJaegerPorts();
  const without = await latencyPair(processes, `http://localhost:${ports.otlpGrpc}`);
  const [upResults = [], downResults = []] = await loadInTurns([withJaeger.frontend.url, without.frontend.url], 600);
  const p50 = { up: medianMs(upResults), down: medianMs(downResults) };
  const failed = downResults.filter((result) => result.status !== 200).length;
  // Spans that cannot be sent wait in the batch processor's queue (2,048 at most), then are dropped:
  // memory must level off, not grow with the visits. The heap is capped as a 256 MiB container caps it,
  // so that V8's lazy collection on this large machine does not pass for growth.
  const capped = { NODE_OPTIONS: '--max-old-space-size=96' };
  const memoryBackend = await processes.fn(
    'backend',
    cleanEnv({
      ...capped,
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://localhost:${ports.otlpGrpc}`,
      LAG_MIN_MS: '0',
      LAG_MAX_MS: '0',
    }),
  );
  const memoryFrontend = await processes.fn(
    'frontend',
    cleanEnv({
      ...capped,
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://localhost:${ports.otlpGrpc}`,
      COUNTER_ENDPOINT: memoryBackend.url,
    }),
  );
  const rss: number[] = [];
  let memoryFailures = 0;
  for (let round = 0; round < 4; round += 1) {
    const results = await runLoad({ url: memoryFrontend.url, visits: 2000, concurrency: 20 });
    memoryFailures += results.filter((result) => result.status !== 200).length;
    rss.push(await residentMb(memoryFrontend.child.process.pid));
  }
  const [, , rssBefore = 0, rssAfter = 0] = rss;
  const logLines = [without.frontend, without.backend]
    .map((running) => (running.child.output().match(/^opentelemetry error/gm) ?? []).length)
    .reduce((sum, count) => sum + count, 0);
  const alive = !without.frontend.child.hasExited() && !without.backend.child.hasExited();
  const jaeger = await processes.jaeger(ports);
  const arrived = await waitFor(
    'a whole trace once Jaeger is back',
    async () => {
      const [visit] = await runLoad({ url: without.frontend.url, visits: 1, concurrency: 1 });
      return (await wholeTrace(jaeger.queryUrl, visit?.traceId, 2000)) ? true : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 0 },
  ).catch(() => false);
  const ratio = p50.down / p50.up;
  return [
    {
      scenario: 'Jaeger down: visits answered',
      expected: 'all 200, no crash',
      observed: `${downResults.length - failed} of ${downResults.length} answered 200; ${alive ? 'both alive' : 'a process died'}`,
      pass: failed === 0 && alive,
    },
    {
      scenario: 'Jaeger down: latency',
      expected: 'p50 within 10 % of Jaeger up',
      observed: `p50 ${formatMs(p50.up)} up, ${formatMs(p50.down)} down (${((ratio - 1) * 100).toFixed(1)} %)`,
      pass: ratio <= 1.1,
    },
    {
      scenario: 'Jaeger down: export errors logged',
      expected: 'at most 1 line per 30 s per process',
      observed: `${logLines} lines from 2 processes`,
      pass: logLines >= 1 && logLines <= 4,
    },
    {
      scenario: 'Jaeger down: memory',
      expected: 'levels off: < 25 MB more from 6,000 to 8,000 visits',
      observed: `frontend RSS ${rss.map((mb) => mb.toFixed(0)).join(' → ')} MB every 2,000; ${memoryFailures} failed`,
      pass: rssAfter - rssBefore < 25 && memoryFailures === 0 && !memoryFrontend.child.hasExited(),
    },
    {
      scenario: 'Jaeger back',
      expected: "a new visit's whole trace arrives",
      observed: arrived ? 'arrived' : 'none within 60 s',
      pass: arrived === true,
    },
  ];
};

/**
 * As test/e2e/stop-under-load.test.ts: SIGTERM to both functions once the backend has received the
 * increase of every visit and before any is answered; those visits in flight are the ones judged.
 */
export const stopUnderLoad: Scenario = async (processes) => {
  const visits = 10;
  const hold = { OTEL_BSP_SCHEDULE_DELAY: '600000' };
  const { frontend, backend, jaeger } = await processes.tracedSystem({
    backendEnv: { LAG_MIN_MS: '3000', LAG_MAX_MS: '4000', ...hold, ...requestProbeEnv() },
    frontendEnv: hold,
  });
  const received = countReceivedRequests(backend.child, 'POST');
  let answered = 0;
  const load = runLoad({
    url: frontend.url,
    visits,
    concurrency: visits,
    onProgress: (progress) => (answered = progress.done),
  });
  await waitFor(
    `the backend to receive the increases of all ${visits} visits`,
    async () => (received() >= visits ? true : undefined),
    { timeoutMs: 15_000, intervalMs: 10, child: backend.child },
  );
  const inFlight = visits - answered;
  const started = performance.now();
  const exits = await Promise.all([frontend.child.stop('SIGTERM', 30_000), backend.child.stop('SIGTERM', 30_000)]);
  const seconds = (performance.now() - started) / 1000;
  const results = await load;
  const ok = results.filter((result) => result.status === 200);
  const whole = (await Promise.all(ok.map((result) => wholeTrace(jaeger.queryUrl, result.traceId)))).filter(
    Boolean,
  ).length;
  return [
    {
      scenario: 'SIGTERM with visits in flight',
      expected: 'both exit 0 within 30 s',
      observed: `exit ${exits.map((exit) => exit.code ?? exit.signal).join(' and ')} in ${seconds.toFixed(1)} s`,
      pass: exits.every((exit) => exit.code === 0) && seconds < 30,
    },
    {
      scenario: '  the visits in flight',
      expected: `${visits} in the backend at SIGTERM: each 200, 8 spans in Jaeger`,
      observed: `${inFlight} in flight; ${ok.length} answered 200, ${whole} whole traces`,
      pass: inFlight === visits && ok.length === visits && whole === visits,
    },
  ];
};

export const uncaughtError: Scenario = async () =>
  Promise.all(
    ENTRIES.map(async (entry) => {
      const port = String(await findFreePort());
      const [, , , main] = functionCommand(entry);
      const child = spawnChild(
        'backend',
        process.execPath,
        [
          '--import',
          './src/lib/telemetry.ts',
          '--import',
          join(REPOSITORY_ROOT, 'test/fixtures/throw-later.ts'),
          main ?? '',
        ],
        {
          cwd: functionDirectory('backend'),
          env: cleanEnv({ FUNC_PORT: port, PORT: port, OTEL_SDK_DISABLED: 'true' }),
        },
      );
      const exit = await child.exited;
      const said = /stopping on an uncaught error/.test(child.output());
      return {
        scenario: `uncaught exception (${entry})`,
        expected: 'logged, exit status 1',
        observed: `${said ? 'logged' : 'silent'}, exit ${exit.code ?? exit.signal}`,
        pass: said && exit.code === 1,
      };
    }),
  );
