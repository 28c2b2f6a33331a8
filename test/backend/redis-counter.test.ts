// The counter in Redis against real redis-server processes (never a mock): it starts at 1, counts
// atomically across clients, starts again when Redis lost the count, and fails in the two typed ways
// the reply turns into 503 and 504, recovering by itself.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { CounterStoreTimeoutError, CounterStoreUnavailableError } from '../../functions/backend/src/counter-store.ts';
import { COUNTER_KEY, createRedisCounter } from '../../functions/backend/src/redis-counter.ts';
import { findFreePort } from '../../tools/processes/ports.ts';
import { waitFor } from '../../tools/processes/process.ts';
import { authenticatedCommand, redisCommand } from '../../tools/redis/client.ts';
import type { RunningRedis } from '../../tools/redis/server.ts';
import { startTestRedis } from '../helpers/system.ts';

/** A store on `url`, closed in teardown, whose log lines the test reads. */
function storeOn(t: ExecutionContext, url: string, timeoutMs = 2000, password?: string) {
  const lines: string[] = [];
  const store = createRedisCounter({ url: new URL(url), timeoutMs, password, log: (line) => lines.push(line) });
  t.teardown(() => store.close());
  return { store, lines };
}

const untilReady = (store: ReturnType<typeof storeOn>['store']) =>
  waitFor('the store to be ready', async () => (store.notReadyReason() === undefined ? true : undefined), {
    timeoutMs: 10_000,
  });

const redisCommandAs = (redis: RunningRedis, ...args: string[]) =>
  authenticatedCommand(redis.port, redis.password, ...args);

/** How many commands Redis has refused for want of the right password since its last CONFIG RESETSTAT. */
async function authRefusals(redis: RunningRedis): Promise<number> {
  const stats = String(await redisCommandAs(redis, 'INFO', 'errorstats'));
  return [...stats.matchAll(/^errorstat_(?:NOAUTH|WRONGPASS):count=(\d+)/gm)].reduce(
    (sum, match) => sum + Number(match[1]),
    0,
  );
}

const sequence = (length: number, first: number) => Array.from({ length }, (_, index) => index + first);

test('a fresh count reads 1 and the first increase answers 2, as in memory', async (t) => {
  const redis = await startTestRedis(t);
  const { store, lines } = storeOn(t, redis.url);
  t.is(store.kind, 'redis');
  await untilReady(store);
  t.is(await store.read(), 1);
  t.is(await store.increase(), 2);
  t.is(await store.increase(), 3);
  t.is(await store.read(), 3);
  t.is(await redisCommand(redis.port, 'GET', COUNTER_KEY), '3', 'one key holds the count');
  t.deepEqual(lines, [`The counter store is Redis at ${redis.url}: ready.`]);
});

test('a Redis that requires a password: counts with it; without it or with another, not ready, told once why', async (t) => {
  const redis = await startTestRedis(t, { password: 'the-right-one' });
  const { store, lines } = storeOn(t, redis.url, 2000, 'the-right-one');
  await untilReady(store);
  t.is(await store.increase(), 2);
  t.deepEqual(lines, [`The counter store is Redis at ${redis.url}: ready.`]);
  const refusals = [
    [undefined, /^Redis asks for a password and none was given: set COUNTER_STORE_PASSWORD \(NOAUTH /],
    ['a-wrong-one', /^Redis refused the password: COUNTER_STORE_PASSWORD is not the one Redis requires \(WRONGPASS /],
  ] as const;
  for (const [password, problem] of refusals) {
    const refused = storeOn(t, redis.url, 2000, password);
    // Each attempt connects and is refused again, every 100 ms at first: wait for the fifth, at least.
    await waitFor('five refused attempts', async () => (await authRefusals(redis)) >= 5 || undefined, {
      timeoutMs: 10_000,
    });
    t.regex(refused.store.notReadyReason() ?? '', new RegExp(`has not answered yet \\(${problem.source.slice(1)}`));
    t.is(refused.lines.length, 1, `told once, not at every attempt: ${refused.lines.join(' | ')}`);
    t.regex(refused.lines[0] ?? '', new RegExp(`^The counter store ${redis.url} refuses the backend \\(`));
    t.notRegex(refused.lines.join('\n'), /a-wrong-one|the-right-one/);
    await t.throwsAsync(async () => refused.store.increase(), { instanceOf: CounterStoreUnavailableError });
    await refused.store.close();
    await redisCommandAs(redis, 'CONFIG', 'RESETSTAT');
  }
  t.is(await redisCommandAs(redis, 'GET', COUNTER_KEY), '2', 'the refused clients changed nothing');
});

test('500 increases at once from three clients: 2 to 501, each once', async (t) => {
  const redis = await startTestRedis(t);
  const stores = [storeOn(t, redis.url).store, storeOn(t, redis.url).store, storeOn(t, redis.url).store];
  for (const store of stores) await untilReady(store);
  const values = await Promise.all(sequence(500, 0).map((index) => stores[index % 3]?.increase()));
  t.deepEqual(
    values.map(Number).sort((a, b) => a - b),
    sequence(500, 2),
  );
  t.is(await stores[0]?.read(), 501);
});

test('a count Redis lost starts again: the next increase answers 2, a read 1, even from clients at once', async (t) => {
  const redis = await startTestRedis(t);
  const { store } = storeOn(t, redis.url);
  const other = storeOn(t, redis.url).store;
  await untilReady(store);
  await untilReady(other);
  for (let visit = 0; visit < 5; visit += 1) await store.increase();
  await redisCommand(redis.port, 'DEL', COUNTER_KEY);
  t.is(await store.read(), 1);
  const values = await Promise.all([store.increase(), other.increase(), store.increase(), other.increase()]);
  t.deepEqual(
    values.sort((a, b) => a - b),
    [2, 3, 4, 5],
  );
});

test('Redis down at start: not ready, with the reason, and a clear line; ready by itself once it answers', async (t) => {
  const port = await findFreePort();
  const { store, lines } = storeOn(t, `redis://127.0.0.1:${port}`);
  const reason = await waitFor(
    'the store to say why it is not ready',
    async () => (store.notReadyReason()?.includes('ECONNREFUSED') ? store.notReadyReason() : undefined),
    { timeoutMs: 10_000 },
  );
  t.is(
    reason,
    `the counter store redis://127.0.0.1:${port} has not answered yet (connect ECONNREFUSED 127.0.0.1:${port})`,
  );
  t.deepEqual(lines, [
    `The counter store redis://127.0.0.1:${port} cannot be reached (connect ECONNREFUSED 127.0.0.1:${port}): not ready until it answers; trying again every second.`,
  ]);
  await t.throwsAsync(async () => store.increase(), { instanceOf: CounterStoreUnavailableError });
  await startTestRedis(t, { port });
  await untilReady(store);
  t.is(await store.increase(), 2);
  t.is(lines.at(-1), `The counter store is Redis at redis://127.0.0.1:${port}: ready.`);
});

test('Redis down while counting: increases fail at once and change nothing; back by itself, the count kept', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'redis-kept-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const redis = await startTestRedis(t, { persistence: { dir } });
  const { store, lines } = storeOn(t, redis.url);
  await untilReady(store);
  t.is(await store.increase(), 2);
  await redis.stop();
  const started = performance.now();
  const error = await t.throwsAsync(async () => store.increase(), { instanceOf: CounterStoreUnavailableError });
  t.true(performance.now() - started < 500, 'no waiting for a connection');
  t.regex(error?.message ?? '', new RegExp(`^The counter store ${redis.url} is unreachable: `));
  t.is(store.notReadyReason(), undefined, 'still ready: every replica shares the one Redis, none would do better');
  await startTestRedis(t, { port: redis.port, persistence: { dir } });
  const value = await waitFor('an increase to succeed again', async () => store.increase().catch(() => undefined), {
    timeoutMs: 10_000,
  });
  t.is(value, 3, 'the failed increases counted nothing');
  t.deepEqual(lines.slice(1), [
    `Lost the counter store ${redis.url}: visits answer 503 until it is back; trying again every second.`,
    `The counter store ${redis.url} is back: visits are counted again.`,
  ]);
});

test('Redis frozen: a command fails with the timeout, and works again once Redis does', async (t) => {
  const redis = await startTestRedis(t);
  const { store } = storeOn(t, redis.url, 300);
  await untilReady(store);
  redis.pause();
  const started = performance.now();
  const error = await t.throwsAsync(async () => store.read(), { instanceOf: CounterStoreTimeoutError });
  const ms = performance.now() - started;
  // Below twice the timeout: a timeout doubled by mistake must fail this.
  t.true(ms >= 290 && ms < 600, `failed after ${ms.toFixed(0)} ms`);
  t.is(error?.timeoutMs, 300);
  redis.resume();
  t.is(await store.read(), 1);
});
