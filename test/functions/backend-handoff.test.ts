// The count in memory handed from one backend process to the next, as on a Knative rollout
// (src/handoff-counter.ts): real processes of each entry, real HTTP between them. A new backend with
// COUNTER_HANDOFF_URL asks the old one for the count before it is ready; the old one then passes
// every visit on to it; no number is given twice, even with increases in flight during the handover.
import { createServer } from 'node:http';
import test, { type ExecutionContext } from 'ava';
import { ownAddress } from '../../functions/backend/src/handoff-counter.ts';
import { ENTRIES, type ProcessEntry } from '../../tools/functions/run.ts';
import { findFreePort } from '../../tools/processes/ports.ts';
import { waitFor } from '../../tools/processes/process.ts';
import { baseEnv, spawnTestFunction, startTestFunction } from '../helpers/system.ts';

const quiet = { OTEL_SDK_DISABLED: 'true' };

function backend(t: ExecutionContext, entry: ProcessEntry, env: NodeJS.ProcessEnv = {}) {
  return startTestFunction(t, 'backend', baseEnv({ ...quiet, LAG_MIN_MS: '0', LAG_MAX_MS: '0', ...env }), { entry });
}

async function post(url: string): Promise<number> {
  const response = await fetch(url, { method: 'POST' });
  const body = await response.text();
  if (response.status !== 200) throw new Error(`POST ${url}: ${response.status} ${body}`);
  return Number(body);
}

async function get(url: string): Promise<number> {
  return Number(await (await fetch(url)).text());
}

const untilReady = (url: string) =>
  waitFor(
    'the new backend to be ready',
    async () => ((await fetch(new URL('/health/readiness', url))).status === 200 ? true : undefined),
    { timeoutMs: 20_000 },
  );

const sequence = (length: number, first: number) => Array.from({ length }, (_, index) => first + index);

for (const entry of ENTRIES) {
  test(`${entry}: a new backend takes the count over before it is ready; the old one passes visits on to it`, async (t) => {
    const old = await backend(t, entry);
    for (let visit = 0; visit < 5; visit += 1) await post(old.url);
    const next = await backend(t, entry, { COUNTER_HANDOFF_URL: old.url });
    await untilReady(next.url);
    t.regex(
      next.child.output(),
      /^backend: Took the count over from the backend at http:\/\/localhost:\d+: 6; ready\.$/m,
    );
    t.regex(
      old.child.output(),
      /^backend: Handed the count \(6\) over to the backend at http:\/\/[\d.]+:\d+: passing every visit on to it\.$/m,
    );
    t.is(await post(old.url), 7, 'the old one passes an increase on');
    t.is(await post(next.url), 8);
    t.is(await get(old.url), 8, 'and a read');
    t.is(await get(next.url), 8);
  });

  test(`${entry}: increases in flight across the handover are each counted once`, async (t) => {
    const old = await backend(t, entry, { LAG_MIN_MS: '50', LAG_MAX_MS: '400' });
    const before = Array.from({ length: 40 }, () => post(old.url));
    const next = await backend(t, entry, { LAG_MIN_MS: '50', LAG_MAX_MS: '400', COUNTER_HANDOFF_URL: old.url });
    const during = Array.from({ length: 40 }, () => post(old.url));
    await untilReady(next.url);
    const after = Array.from({ length: 40 }, (_, index) => post(index % 2 ? old.url : next.url));
    const numbers = await Promise.all([...before, ...during, ...after]);
    t.deepEqual(
      numbers.sort((a, b) => a - b),
      sequence(120, 2),
    );
    t.is(await get(next.url), 121);
  });

  test(`${entry}: a third backend takes the count from the second through the first, which passes on to the second`, async (t) => {
    const first = await backend(t, entry);
    await post(first.url);
    const second = await backend(t, entry, { COUNTER_HANDOFF_URL: first.url });
    await untilReady(second.url);
    t.is(await post(first.url), 3);
    // The first is still what the Service's address reaches: it asks the second to hand over.
    const third = await backend(t, entry, { COUNTER_HANDOFF_URL: first.url });
    await untilReady(third.url);
    t.regex(third.child.output(), /Took the count over from the backend at http:\/\/localhost:\d+: 3; ready\./);
    t.is(await post(first.url), 4);
    t.is(await post(second.url), 5);
    t.is(await post(third.url), 6);
  });

  test(`${entry}: with no backend to answer, it waits COUNTER_HANDOFF_WAIT_MS, then starts at 1 and says so`, async (t) => {
    const nobody = `http://127.0.0.1:${await findFreePort()}`;
    const child = await spawnTestFunction(
      t,
      'backend',
      entry,
      baseEnv({
        ...quiet,
        LAG_MIN_MS: '0',
        LAG_MAX_MS: '0',
        COUNTER_HANDOFF_URL: nobody,
        COUNTER_HANDOFF_WAIT_MS: '1500',
      }),
    );
    const url = await waitFor(
      'the backend to listen',
      async () => /backend listening on (\S+)/.exec(child.output())?.[1],
      {
        timeoutMs: 20_000,
        child,
      },
    );
    const started = performance.now();
    const readiness = await fetch(new URL('/health/readiness', url));
    t.is(readiness.status, 503);
    t.regex(await readiness.text(), /^Not ready: taking the count over from http:\/\/127\.0\.0\.1:\d+/);
    await untilReady(url);
    const waited = performance.now() - started;
    // The wait begins once it serves, a moment before it says so: a doubled wait must fail this.
    t.true(waited >= 1000 && waited < 3000, `ready after ${waited.toFixed(0)} ms`);
    // Said as it turns ready: its line may reach this process's pipe a moment after the readiness answer.
    const said = /^backend: No backend handed its count over \(.*ECONNREFUSED.*\): the count starts again at 1\.$/m;
    await waitFor(
      'the backend to say the count starts again at 1',
      async () => said.test(child.output()) || undefined,
      {
        timeoutMs: 5000,
        child,
      },
    );
    t.is(await post(url), 2);
  });

  test(`${entry}: a Service with nothing behind it yet (404, the first revision) starts at 1 at once`, async (t) => {
    const empty = createServer((_request, response) => response.writeHead(404).end('no route\n'));
    await new Promise<void>((resolve) => empty.listen(0, '127.0.0.1', resolve));
    t.teardown(() => new Promise<void>((resolve) => empty.close(() => resolve())));
    const { port } = empty.address() as { port: number };
    const first = await backend(t, entry, { COUNTER_HANDOFF_URL: `http://127.0.0.1:${port}` });
    await untilReady(first.url);
    t.regex(first.child.output(), /No backend handed its count over \(http:\/\/127\.0\.0\.1:\d+ has no backend yet\)/);
    t.is(await post(first.url), 2);
  });
}

test('COUNTER_HANDOFF_URL in Redis mode is refused at start-up: there is no count to hand over', async (t) => {
  const child = await startTestFunction(
    t,
    'backend',
    baseEnv({ ...quiet, COUNTER_STORE: 'redis://127.0.0.1:1', COUNTER_HANDOFF_URL: 'http://backend' }),
  ).catch((error: Error) => error);
  t.regex(
    String(child instanceof Error ? child.message : ''),
    /COUNTER_HANDOFF_URL is "http:\/\/backend": expected unset in Redis mode/,
  );
});

test('a handover to an address that is no backend address is refused with 400, the count kept', async (t) => {
  const old = await backend(t, 'faas');
  await post(old.url);
  for (const address of ['not a url', 'https://10.0.0.1:8080/', 'http://10.0.0.1:8080/x', 'http://u:p@10.0.0.1/']) {
    const response = await fetch(old.url, { method: 'POST', headers: { 'counter-handoff-to': address } });
    t.is(response.status, 400, address);
    t.is(await response.text(), "counter-handoff-to must be a backend's address, http://host:port/.\n");
  }
  t.is(await post(old.url), 3, 'still counting here');
});

test('a handover whose answer is lost: asked again, the old backend gives the same count, and the visits passed on meanwhile wait for it', async (t) => {
  const old = await backend(t, 'faas');
  for (let visit = 0; visit < 3; visit += 1) await post(old.url);
  // Between the new backend and the old one: the first request for the count reaches the old backend,
  // which hands over, but its answer never comes back; the next goes through.
  let asked = 0;
  let lostAnswerArrived: () => void = () => {};
  const lostAnswer = new Promise<void>((resolve) => {
    lostAnswerArrived = resolve;
  });
  const lossy = createServer((request, response) => {
    asked += 1;
    const first = asked === 1;
    const headers = { 'counter-handoff-to': String(request.headers['counter-handoff-to']) };
    fetch(old.url, { method: 'POST', headers }).then(async (answer) => {
      const body = await answer.text();
      if (first) lostAnswerArrived();
      else response.writeHead(answer.status).end(body);
    });
  });
  await new Promise<void>((resolve) => lossy.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    lossy.closeAllConnections();
    return new Promise<void>((resolve) => lossy.close(() => resolve()));
  });
  const { port } = lossy.address() as { port: number };
  const next = await spawnTestFunction(
    t,
    'backend',
    'faas',
    baseEnv({ ...quiet, LAG_MIN_MS: '0', LAG_MAX_MS: '0', COUNTER_HANDOFF_URL: `http://127.0.0.1:${port}` }),
  );
  await lostAnswer;
  // The old backend passes these on already; the new one does not hold the count yet, and asks again
  // only once its first request has waited its 2 s.
  const meanwhile = Promise.all([post(old.url), post(old.url)]);
  const nextUrl = /backend listening on (\S+)/.exec(next.output())?.[1] ?? '';
  await untilReady(nextUrl);
  t.is(asked, 2, 'asked twice');
  t.deepEqual(
    (await meanwhile).sort((a, b) => a - b),
    [5, 6],
  );
  t.is(await post(nextUrl), 7);
});

test('a request for the count naming the backend itself is refused (409), the count kept here', async (t) => {
  const lone = await backend(t, 'faas');
  await post(lone.url);
  const itself = ownAddress(Number(new URL(lone.url).port)).href;
  const response = await fetch(lone.url, { method: 'POST', headers: { 'counter-handoff-to': itself } });
  t.is(response.status, 409);
  t.is(await response.text(), `No handover: ${itself.replace(/\/$/, '')} is this backend itself.\n`);
  t.is(await post(lone.url), 3, 'still counting here, not passing visits on to itself');
});
