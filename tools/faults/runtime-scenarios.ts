// Fault scenarios of the running system: visits at once, a backend dead, slow or killed, SIGTERM with
// visits in flight, an uncaught error. Each scenario runs both process entries where the test it
// replaced did, and its rows hold everything that test asserted.
import { join } from 'node:path';
import { ENTRIES, functionCommand, functionDirectory, type ProcessEntry, REPOSITORY_ROOT } from '../functions/run.ts';
import { fetchTrace } from '../jaeger/query.ts';
import { runLoad } from '../load/run.ts';
import { cleanEnv, type Processes } from '../local/system.ts';
import { findFreePort } from '../processes/ports.ts';
import { spawnChild, waitFor } from '../processes/process.ts';
import { formatMs } from '../report/durations.ts';
import { countReceivedRequests, requestProbeEnv } from './in-flight.ts';
import type { Row, Scenario } from './scenario.ts';
import { wholeTrace } from './whole-trace.ts';

export { deadCollector } from './collector-scenario.ts';

const sequence = (length: number, first: number) => Array.from({ length }, (_, index) => index + first);
const same = (a: readonly unknown[], b: readonly unknown[]) => JSON.stringify(a) === JSON.stringify(b);

/** Many visits at once, and many increases at once, on each entry: the counter never loses or repeats one. */
export const concurrency: Scenario = {
  name: 'concurrency',
  run: async (processes) => {
    const rows: Row[] = [];
    for (const entry of ENTRIES) {
      const { frontend, backend } = await processes.tracedSystem({
        entry,
        backendEnv: { LAG_MIN_MS: '0', LAG_MAX_MS: '50' },
      });
      const results = await runLoad({ url: frontend.url, visits: 200, concurrency: 50 });
      const failed = results.filter((result) => result.status !== 200).length;
      const numbers = results.map((result) => result.visitor ?? 0).sort((a, b) => a - b);
      const counter = (await (await fetch(backend.url)).text()).trim();
      const increases = await Promise.all(
        Array.from({ length: 500 }, async () => Number(await (await fetch(backend.url, { method: 'POST' })).text())),
      );
      const after = (await (await fetch(backend.url)).text()).trim();
      rows.push(
        {
          scenario: `200 visits at concurrency 50 (${entry})`,
          expected: 'all 200; numbers 1 to 200, each once; counter 201',
          observed:
            `${results.length - failed} answered 200; ${new Set(numbers).size} distinct, ` +
            `${same(numbers, sequence(200, 1)) ? 'contiguous' : 'with gaps'}; counter ${counter}`,
          pass: failed === 0 && same(numbers, sequence(200, 1)) && counter === '201',
        },
        {
          scenario: `500 direct increases at once (${entry})`,
          expected: 'answers 202 to 701, each once; counter 701',
          observed: `${new Set(increases).size} distinct; counter ${after}`,
          pass:
            same(
              increases.sort((a, b) => a - b),
              sequence(500, 202),
            ) && after === '701',
        },
      );
    }
    return rows;
  },
};

/** A backend not running, slower than the frontend's timeout, killed mid-visit, then back, on one entry. */
async function deadOrSlowBackendOn(processes: Processes, entry: ProcessEntry): Promise<Row[]> {
  const jaeger = await processes.jaeger();
  const telemetry = { OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpEndpoint, OTEL_BSP_SCHEDULE_DELAY: '100' };
  const port = await findFreePort();
  const frontend = await processes.fn(
    'frontend',
    cleanEnv({ ...telemetry, COUNTER_ENDPOINT: `http://localhost:${port}`, BACKEND_TIMEOUT_MS: '500' }),
    { entry },
  );
  // A frontend with the default timeout (15 s), so that only the kill can end the visit.
  const patient = await processes.fn(
    'frontend',
    cleanEnv({ ...telemetry, COUNTER_ENDPOINT: `http://localhost:${port}` }),
    { entry },
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
    { entry, port },
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
  await processes.fn('backend', cleanEnv({ ...telemetry, LAG_MIN_MS: '0', LAG_MAX_MS: '0' }), { entry, port });
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
      scenario: `backend not running (${entry})`,
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
      expected: 'visits answered 200 again, by itself; the new backend counts from 1',
      observed: `${back.status}: ${JSON.stringify(back.body.split('\n')[2] ?? '')}`,
      pass: back.status === 200 && back.body.includes("You're visitor number 1 in here!"),
    },
  ];
}

export const deadOrSlowBackend: Scenario = {
  name: 'dead or slow backend',
  run: async (processes) => {
    const rows: Row[] = [];
    for (const entry of ENTRIES) rows.push(...(await deadOrSlowBackendOn(processes, entry)));
    return rows;
  },
};

const VISITS_IN_FLIGHT = 10;

/**
 * SIGTERM to both functions once the backend has received the increase of every visit (a condition
 * read from the backend itself, not a guessed delay) and before any is answered: those visits are each
 * answered 200 and counted once, each has all its spans in Jaeger (held until the shutdown flush), and
 * both processes exit 0 well within Knative's grace period.
 */
export const stopUnderLoad: Scenario = {
  name: 'stopping under load',
  run: async (processes) => {
    const rows: Row[] = [];
    const visits = VISITS_IN_FLIGHT;
    for (const entry of ENTRIES) {
      const hold = { OTEL_BSP_SCHEDULE_DELAY: '600000' };
      const { frontend, backend, jaeger } = await processes.tracedSystem({
        entry,
        // A lag far longer than the time from the last increase received to the signal.
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
      const numbers = results.map((result) => result.visitor ?? 0).sort((a, b) => a - b);
      const whole = (await Promise.all(ok.map((result) => wholeTrace(jaeger.queryUrl, result.traceId)))).filter(
        Boolean,
      ).length;
      rows.push(
        {
          scenario: `SIGTERM with visits in flight (${entry})`,
          expected: 'both exit 0 within 25 s',
          observed: `exit ${exits.map((exit) => exit.code ?? exit.signal).join(' and ')} in ${seconds.toFixed(1)} s`,
          pass: exits.every((exit) => exit.code === 0 && exit.signal === null) && seconds < 25,
        },
        {
          scenario: '  the visits in flight',
          expected: `${visits} in the backend at SIGTERM: each 200, counted once, 8 spans in Jaeger`,
          observed:
            `${inFlight} in flight; ${ok.length} answered 200, ` +
            `${same(numbers, sequence(visits, 1)) ? 'each counted once' : `numbers ${numbers.join(' ')}`}, ` +
            `${whole} whole traces`,
          pass: inFlight === visits && ok.length === visits && same(numbers, sequence(visits, 1)) && whole === visits,
        },
      );
    }
    return rows;
  },
};

/**
 * An uncaught exception outside any request ends the process with status 1 and a line that says so,
 * never silently with 0 (as faas-js-runtime alone would), so that Kubernetes sees a crash and restarts it.
 */
export const uncaughtError: Scenario = {
  name: 'uncaught errors',
  run: async () =>
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
            // Telemetry on, towards a collector that is not there: the crash must not wait on it.
            env: cleanEnv({
              FUNC_PORT: port,
              PORT: port,
              OTEL_EXPORTER_OTLP_ENDPOINT: `http://localhost:${await findFreePort()}`,
            }),
          },
        );
        try {
          const exit = await child.exited;
          const listened = /backend listening on/.test(child.output());
          const said = /backend is stopping on an uncaught error: Error: a bug outside any request/.test(
            child.output(),
          );
          return {
            scenario: `uncaught exception (${entry})`,
            expected: 'started, then logged, exit status 1',
            observed: `${listened ? 'started' : 'never listened'}, ${said ? 'logged' : 'silent'}, exit ${exit.code ?? exit.signal}`,
            pass: listened && said && exit.code === 1 && exit.signal === null,
          };
        } finally {
          await child.stop('SIGKILL');
        }
      }),
    ),
};
