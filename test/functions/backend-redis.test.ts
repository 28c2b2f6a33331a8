// The backend in Redis mode (COUNTER_STORE=redis://...) as a real process of each entry against a
// real redis-server: not ready while Redis has never answered, 503 while it is down, 504 when it is
// too slow, and back by itself each time.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { ENTRIES, type ProcessEntry } from '../../tools/functions/run.ts';
import { findFreePort } from '../../tools/processes/ports.ts';
import { type Child, waitFor } from '../../tools/processes/process.ts';
import { baseEnv, spawnTestFunction, startTestFunction, startTestRedis } from '../helpers/system.ts';

const quick = { LAG_MIN_MS: '0', LAG_MAX_MS: '0', OTEL_SDK_DISABLED: 'true' };

/** The backend's own address, from the line it says it listens on. */
async function listeningUrl(child: Child): Promise<string> {
  return waitFor(
    'the backend to say where it listens',
    async () => /backend listening on (http:\/\/localhost:\d+)\//.exec(child.output())?.[1],
    { timeoutMs: 20_000, child },
  );
}

async function answer(url: string, init: RequestInit = {}) {
  const started = performance.now();
  const response = await fetch(url, init);
  return {
    status: response.status,
    headers: response.headers,
    body: await response.text(),
    ms: performance.now() - started,
  };
}

async function redisBackend(t: ExecutionContext, entry: ProcessEntry, url: string, extra: NodeJS.ProcessEnv = {}) {
  return startTestFunction(t, 'backend', baseEnv({ ...quick, COUNTER_STORE: url, ...extra }), { entry });
}

for (const entry of ENTRIES) {
  test(`${entry}: Redis down at start: it serves, but is not ready, and says why; ready by itself once Redis answers`, async (t) => {
    const port = await findFreePort();
    const store = `redis://127.0.0.1:${port}`;
    const child = await spawnTestFunction(t, 'backend', entry, baseEnv({ ...quick, COUNTER_STORE: store }));
    const url = await listeningUrl(child);
    const readiness = await answer(`${url}/health/readiness`);
    t.is(readiness.status, 503);
    t.regex(
      readiness.body,
      new RegExp(
        `^Not ready: the counter store ${store} has not answered yet \\(connect ECONNREFUSED 127\\.0\\.0\\.1:${port}\\)\\.\\n$`,
      ),
    );
    t.is((await answer(`${url}/health/liveness`)).status, 200, 'alive: restarting it would not bring Redis');
    const visit = await answer(url, { method: 'POST' });
    t.is(visit.status, 503);
    t.is(visit.body, 'Service Unavailable: the counter store is unreachable.\n');
    t.regex(
      child.output(),
      new RegExp(`^backend: The counter store ${store} cannot be reached \\(connect ECONNREFUSED`, 'm'),
    );

    await startTestRedis(t, { port });
    await waitFor(
      'the backend to be ready',
      async () => ((await answer(`${url}/health/readiness`)).status === 200 ? true : undefined),
      {
        timeoutMs: 10_000,
        child,
      },
    );
    t.is((await answer(url, { method: 'POST' })).body, '2\n', 'the first visit is visitor 1, as in memory');
    t.regex(child.output(), new RegExp(`^backend: The counter store is Redis at ${store}: ready\\.$`, 'm'));
  });

  test(`${entry}: Redis with a password: counts with COUNTER_STORE_PASSWORD; without it, not ready, and says why`, async (t) => {
    const redis = await startTestRedis(t, { password: 'from-the-secret' });
    const backend = await redisBackend(t, entry, redis.url, { COUNTER_STORE_PASSWORD: 'from-the-secret' });
    t.is((await answer(backend.url, { method: 'POST' })).body, '2\n');
    const child = await spawnTestFunction(t, 'backend', entry, baseEnv({ ...quick, COUNTER_STORE: redis.url }));
    const url = await listeningUrl(child);
    const readiness = await waitFor(
      'the refused backend to say why it is not ready',
      async () => {
        const answered = await answer(`${url}/health/readiness`);
        return answered.body.includes('NOAUTH') ? answered : undefined;
      },
      { timeoutMs: 10_000, child },
    );
    t.is(readiness.status, 503);
    t.regex(readiness.body, /Redis asks for a password and none was given: set COUNTER_STORE_PASSWORD/);
    t.regex(child.output(), /^backend: The counter store \S+ refuses the backend \(Redis asks for a password/m);
    t.is((await answer(url, { method: 'POST' })).status, 503);
    t.is((await answer(backend.url)).body, '2\n', 'the refused backend counted nothing');
  });

  test(`${entry}: Redis down during visits: 503 with a short body, the count unchanged, back by itself`, async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'redis-kept-'));
    t.teardown(() => rm(dir, { recursive: true, force: true }));
    const redis = await startTestRedis(t, { persistence: { dir } });
    const backend = await redisBackend(t, entry, redis.url);
    t.is((await answer(backend.url, { method: 'POST' })).body, '2\n');
    await redis.stop();
    const failures = await Promise.all([answer(backend.url, { method: 'POST' }), answer(backend.url)]);
    for (const failure of failures) {
      t.is(failure.status, 503);
      t.is(failure.headers.get('retry-after'), '1');
      t.is(failure.body, 'Service Unavailable: the counter store is unreachable.\n');
      t.true(failure.ms < 1000, `answered in ${failure.ms.toFixed(0)} ms`);
    }
    t.is(
      (await answer(`${backend.url}/health/readiness`)).status,
      200,
      'still ready: another replica would do no better',
    );
    await startTestRedis(t, { port: redis.port, persistence: { dir } });
    const back = await waitFor(
      'a visit to be counted again',
      async () => {
        const visit = await answer(backend.url, { method: 'POST' });
        return visit.status === 200 ? visit.body : undefined;
      },
      { timeoutMs: 10_000, child: backend.child },
    );
    t.is(back, '3\n', 'the failed visits counted nothing');
    t.regex(
      backend.child.output(),
      /^backend: Lost the counter store .*\n(.*\n)*backend: The counter store .* is back/m,
    );
  });

  test(`${entry}: Redis frozen: 504 once COUNTER_STORE_TIMEOUT_MS has passed; SIGTERM still ends it at once`, async (t) => {
    const redis = await startTestRedis(t);
    // A second, not 300 ms: on a loaded machine a 300 ms timeout's answer took 624 ms, and the bound
    // below must stay under twice the timeout.
    const backend = await redisBackend(t, entry, redis.url, { COUNTER_STORE_TIMEOUT_MS: '1000' });
    // The first request of a process pays for loading what it has not run yet: measured is the second.
    t.is((await answer(backend.url)).status, 200);
    redis.pause();
    const slow = await answer(backend.url);
    t.is(slow.status, 504);
    t.is(slow.body, 'Gateway Timeout: the counter store did not answer within 1000 ms.\n');
    // Below twice COUNTER_STORE_TIMEOUT_MS: a timeout doubled by mistake must fail this.
    t.true(slow.ms >= 990 && slow.ms < 2000, `answered in ${slow.ms.toFixed(0)} ms`);
    const started = performance.now();
    const exit = await backend.child.stop('SIGTERM', 10_000);
    t.like(exit, { code: 0, signal: null });
    t.true(performance.now() - started < 5000, 'a frozen Redis does not hold the exit');
  });
}

const badStores: [Record<string, string>, RegExp][] = [
  [{ COUNTER_STORE: 'redis' }, /^backend did not start: COUNTER_STORE is "redis": expected unset or "memory"/m],
  [{ COUNTER_STORE: 'rediss://cache:6380' }, /^backend did not start: COUNTER_STORE is "rediss:\/\/cache:6380"/m],
  [
    { COUNTER_STORE: 'redis://:hunter2@cache/x' },
    /^backend did not start: COUNTER_STORE is "redis:\/\/:\*\*\*@cache\/x"/m,
  ],
  [{ COUNTER_STORE_TIMEOUT_MS: 'soon' }, /^backend did not start: COUNTER_STORE_TIMEOUT_MS is "soon"/m],
  [
    { COUNTER_STORE: 'redis://:hunter2@cache:6379', COUNTER_STORE_PASSWORD: 'hunter2' },
    /^backend did not start: COUNTER_STORE_PASSWORD is "\*\*\*": expected unset while COUNTER_STORE/m,
  ],
];
for (const entry of ENTRIES) {
  for (const [env, message] of badStores) {
    test(`${entry}: start-up fails with status 1 on ${JSON.stringify(env)}, naming the variable and no password`, async (t) => {
      const child = await spawnTestFunction(t, 'backend', entry, baseEnv({ ...env, OTEL_SDK_DISABLED: 'true' }));
      t.is((await child.exited).code, 1);
      t.regex(child.output(), message);
      t.notRegex(child.output(), /hunter2/);
    });
  }
}
