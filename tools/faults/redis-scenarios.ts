// Fault scenarios of the counter's Redis mode (COUNTER_STORE=redis://...), against real redis-server
// processes: Redis down at start, down during visits, frozen, and restarted without persistence.
// (Many visits over several backends are test/e2e/redis.test.ts's: one such load in npm test is enough.)
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENTRIES } from '../functions/run.ts';
import { cleanEnv, type Processes } from '../local/system.ts';
import { findFreePort } from '../processes/ports.ts';
import { waitFor } from '../processes/process.ts';
import { formatMs } from '../report/durations.ts';
import type { Row, Scenario } from './scenario.ts';

const noLag = { LAG_MIN_MS: '0', LAG_MAX_MS: '0' };
const same = (a: readonly unknown[], b: readonly unknown[]) => JSON.stringify(a) === JSON.stringify(b);

async function answer(url: string, init: RequestInit = {}) {
  const started = performance.now();
  const response = await fetch(url, init);
  return { status: response.status, body: await response.text(), ms: performance.now() - started };
}

const visitorOf = (body: string) => Number(/visitor number (\d+)/.exec(body)?.[1] ?? Number.NaN);
const shown = (body: string) => JSON.stringify(body.trim().split('\n')[0]);

/** Polls `url` until it answers 200; its body. */
const until200 = (url: string, init: RequestInit = {}) =>
  waitFor(
    `${url} to answer 200`,
    async () => {
      const reply = await answer(url, init);
      return reply.status === 200 ? reply.body : undefined;
    },
    { timeoutMs: 10_000, intervalMs: 100 },
  );

async function downAtStart(processes: Processes): Promise<Row[]> {
  const rows: Row[] = [];
  for (const entry of ENTRIES) {
    const port = await findFreePort();
    const backend = await processes.unready(
      'backend',
      cleanEnv({ ...noLag, OTEL_SDK_DISABLED: 'true', COUNTER_STORE: `redis://127.0.0.1:${port}` }),
      entry,
    );
    const readiness = await answer(`${backend.url}/health/readiness`);
    const visit = await answer(backend.url, { method: 'POST' });
    const said = /^backend: The counter store \S+ cannot be reached \(connect ECONNREFUSED/m.test(
      backend.child.output(),
    );
    await processes.redis({ port });
    const started = performance.now();
    await until200(`${backend.url}/health/readiness`).catch(() => undefined);
    const readyMs = performance.now() - started;
    const first = await answer(backend.url, { method: 'POST' });
    rows.push({
      scenario: `Redis down at start (${entry})`,
      expected: 'not ready (503, why); a line says so; visits 503; ready by itself once Redis is up, counting from 1',
      observed:
        `readiness ${readiness.status} (${/has not answered yet/.test(readiness.body) ? 'not answered yet' : shown(readiness.body)}); ` +
        `${said ? 'said' : 'silent'}; ` +
        `visit ${visit.status}; ready ${formatMs(readyMs)} after Redis; increase ${first.body.trim()}`,
      pass:
        readiness.status === 503 &&
        readiness.body.includes('has not answered yet') &&
        said &&
        visit.status === 503 &&
        readyMs < 3000 &&
        first.body === '2\n',
    });
  }
  return rows;
}

async function downDuringVisits(processes: Processes): Promise<Row> {
  // Persistence on for this one, so that only the outage is seen, not a lost count.
  const dir = await mkdtemp(join(tmpdir(), 'redis-kept-'));
  try {
    const redis = await processes.redis({ persistence: { dir } });
    const { frontend, backends } = await processes.redisSystem({ redis, backendEnv: noLag });
    const backend = backends[0]?.url ?? '';
    for (let visit = 0; visit < 3; visit += 1) await answer(frontend.url);
    await redis.stop();
    const direct = await answer(backend, { method: 'POST' });
    const visit = await answer(frontend.url);
    await processes.redis({ port: redis.port, persistence: { dir } });
    const started = performance.now();
    const back = await until200(frontend.url).catch(() => '');
    const backMs = performance.now() - started;
    return {
      scenario: 'Redis down during visits',
      expected: 'backend 503 at once, short body; the visit 502; back by itself, the count unchanged',
      observed:
        `backend ${direct.status} in ${formatMs(direct.ms)}: ${shown(direct.body)}; visit ${visit.status}; ` +
        `back after ${formatMs(backMs)}: visitor ${visitorOf(back)}`,
      pass:
        direct.status === 503 &&
        direct.body === 'Service Unavailable: the counter store is unreachable.\n' &&
        direct.ms < 1000 &&
        visit.status === 502 &&
        visitorOf(back) === 4,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function frozen(processes: Processes): Promise<Row[]> {
  // The frontend waits 500 ms; its backend, the default 15 s: the visit's own deadline answers.
  const { frontend, redis } = await processes.redisSystem({
    backendEnv: noLag,
    frontendEnv: { BACKEND_TIMEOUT_MS: '500' },
  });
  // A backend of its own with a short bound on each Redis command.
  const bounded = await processes.fn(
    'backend',
    cleanEnv({ ...noLag, OTEL_SDK_DISABLED: 'true', COUNTER_STORE: redis.url, COUNTER_STORE_TIMEOUT_MS: '300' }),
  );
  const before = await answer(frontend.url);
  redis.pause();
  const visit = await answer(frontend.url);
  const direct = await answer(bounded.url);
  redis.resume();
  const after = await until200(frontend.url).catch(() => '');
  return [
    {
      scenario: 'Redis frozen (SIGSTOP): the visit',
      expected: "504 at the frontend's timeout (500 ms)",
      observed: `${visit.status} in ${formatMs(visit.ms)}`,
      pass: visit.status === 504 && visit.ms >= 490 && visit.ms < 1000,
    },
    {
      scenario: '  the backend itself',
      expected: '504 once COUNTER_STORE_TIMEOUT_MS (300 ms) passed',
      observed: `${direct.status} in ${formatMs(direct.ms)}: ${shown(direct.body)}`,
      pass: direct.status === 504 && direct.ms >= 290 && direct.ms < 1000,
    },
    {
      scenario: '  Redis running again',
      expected: 'the next visit 200, the next number',
      observed: `visitor ${visitorOf(before.body)}, then ${visitorOf(after)}`,
      pass: visitorOf(before.body) === 1 && visitorOf(after) === 2,
    },
  ];
}

async function restartedWithoutPersistence(processes: Processes): Promise<Row> {
  const { frontend, redis } = await processes.redisSystem({ backendEnv: noLag });
  const before: number[] = [];
  for (let visit = 0; visit < 3; visit += 1) before.push(visitorOf((await answer(frontend.url)).body));
  await redis.stop();
  await processes.redis({ port: redis.port });
  const after = await until200(frontend.url).catch(() => '');
  return {
    scenario: 'Redis restarted, persistence off',
    expected: 'the count is lost: it starts again at visitor 1',
    observed: `visitors ${before.join(', ')}; after the restart ${visitorOf(after)}`,
    pass: same(before, [1, 2, 3]) && visitorOf(after) === 1,
  };
}

export const redisStore: Scenario = {
  name: 'counter in Redis',
  run: async (processes) => [
    ...(await downAtStart(processes)),
    await downDuringVisits(processes),
    ...(await frozen(processes)),
    await restartedWithoutPersistence(processes),
  ],
};
