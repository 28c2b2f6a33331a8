// The trace page in a real Chromium, against the real system: Jaeger, backend and frontend, 30 visits
// with a lag of 20 to 200 ms and one visit whose backend is not there (502, error spans). The README's
// screenshots are screenshots.test.ts's, at the default lag.
import test from 'ava';
import { diagnose } from '../../tools/diagnose/analyze.ts';
import { criticalPath } from '../../tools/diagnose/critical-path.ts';
import { verdictLines } from '../../tools/diagnose/report.ts';
import { type JaegerTrace, serviceOf } from '../../tools/jaeger/query.ts';
import { waitForTraces } from '../../tools/jaeger/wait.ts';
import { runLoad } from '../../tools/load/run.ts';
import { cleanEnv, Processes } from '../../tools/local/system.ts';
import { startTracePage, type TracePage } from '../../tools/page/server.ts';
import { findFreePort } from '../../tools/processes/ports.ts';
import { isErrorSpan } from '../../tools/report/waterfall.ts';
import { openTab, sharedBrowser } from '../helpers/browser.ts';
import { traceIdOf } from '../helpers/jaeger-api.ts';

const VISITS = 30;
const browser = sharedBrowser(test);
const processes = new Processes();
let system: Awaited<ReturnType<Processes['tracedSystem']>>;
let page: TracePage;
let traces: JaegerTrace[];
let failedTraceId: string;
/** Each visit's trace id and the number its answer told the visitor. */
let toldVisitors: Map<string | undefined, number | undefined>;

test.before(async () => {
  system = await processes.tracedSystem({ backendEnv: { LAG_MIN_MS: '20', LAG_MAX_MS: '200' } });
  const results = await runLoad({ url: system.frontend.url, visits: VISITS, concurrency: 3 });
  if (results.some((result) => result.status !== 200)) throw new Error(`a visit failed: ${JSON.stringify(results)}`);
  toldVisitors = new Map(results.map((result) => [result.traceId, result.visitor]));
  // A frontend whose backend is not there: its visit fails with 502 and error spans, in the same Jaeger.
  const nowhere = `http://127.0.0.1:${await findFreePort()}`;
  const telemetry = { OTEL_EXPORTER_OTLP_ENDPOINT: system.jaeger.otlpEndpoint, OTEL_BSP_SCHEDULE_DELAY: '100' };
  const orphan = await processes.fn('frontend', cleanEnv({ ...telemetry, COUNTER_ENDPOINT: nowhere }));
  const failed = await fetch(orphan.url);
  if (failed.status !== 502) throw new Error(`expected 502 without a backend, got ${failed.status}`);
  failedTraceId = traceIdOf(failed.headers.get('traceresponse'));
  traces = await waitForTraces(system.jaeger.queryUrl, 'frontend', VISITS + 1, {
    complete: (trace) => trace.spans.length === (trace.traceID === failedTraceId ? 2 : 8),
  });
  page = await startTracePage({ port: 0, jaegerUrl: system.jaeger.queryUrl, frontendUrl: system.frontend.url });
});

test.after.always(async () => {
  await page?.close();
  await processes.stopAll();
});

test.serial('the visits view lists every visit, draws the histogram and names the step diagnose names', async (t) => {
  const tab = await openTab(t, await browser());
  await tab.goto(page.url);
  const rows = tab.locator('table.visits tbody tr');
  await rows.nth(VISITS).waitFor();
  t.is(await rows.count(), VISITS + 1);
  t.deepEqual(
    (await rows.evaluateAll((elements) => elements.map((row) => row.getAttribute('data-trace-id')))).sort(),
    traces.map((trace) => trace.traceID).sort(),
  );
  // Each row's visitor number is the one its answer told.
  const shownVisitors = await rows.evaluateAll((elements) =>
    elements.map((row) => [row.getAttribute('data-trace-id'), row.querySelector('td.visitor')?.textContent]),
  );
  t.deepEqual(
    shownVisitors.filter(([id]) => id !== failedTraceId),
    shownVisitors.filter(([id]) => id !== failedTraceId).map(([id]) => [id, `#${toldVisitors.get(id ?? '')}`]),
  );
  t.deepEqual(
    [...toldVisitors.values()].sort((a = 0, b = 0) => a - b),
    Array.from({ length: VISITS }, (_, i) => i + 1),
  );
  const failedRow = tab.locator(`tr[data-trace-id="${failedTraceId}"]`);
  t.is(await failedRow.getAttribute('class'), 'error');
  t.is((await failedRow.locator('td.status').textContent())?.trim(), '502');
  t.is(await failedRow.locator('td.visitor').textContent(), '—');

  // Each bin's tooltip ends with its count: together, every visit.
  const bins = await tab.locator('svg.histogram-chart .bin title').allTextContents();
  t.true(bins.length > 1);
  t.is(
    bins.reduce((sum, text) => sum + Number(/: (\d+) visits$/.exec(text)?.[1]), 0),
    VISITS + 1,
  );

  const diagnosis = diagnose(traces);
  const verdict = tab.locator('#diagnosis .verdict');
  const [bottleneck, spread] = verdictLines(diagnosis);
  t.is(await verdict.getAttribute('data-service'), diagnosis.bottleneck?.service ?? null);
  t.is(await verdict.getAttribute('data-operation'), diagnosis.bottleneck?.operation ?? null);
  t.is(await verdict.textContent(), bottleneck ?? null);
  t.is(await tab.locator('#diagnosis .spread').textContent(), spread ?? null);
  t.is(await tab.locator('table.operations tbody tr').count(), diagnosis.operations.length);
  t.is(diagnosis.bottleneck?.operation, 'simulate lag', 'the lag is the slow step of these visits');
});

test.serial('a trace opened by its traceresponse id shows each span, the critical path and the errors', async (t) => {
  const response = await fetch(system.frontend.url);
  const traceId = traceIdOf(response.headers.get('traceresponse'));
  const [trace] = await waitForTraces(system.jaeger.queryUrl, 'frontend', VISITS + 2, {
    complete: (candidate) => candidate.traceID === failedTraceId || candidate.spans.length === 8,
  });
  t.is(trace?.traceID, traceId, 'the newest trace is this visit');
  if (!trace) return;
  const tab = await openTab(t, await browser());
  await tab.goto(`${page.url}/trace/${traceId}`);
  const rows = tab.locator('.waterfall > li');
  await rows.first().waitFor();
  const shown = await rows.evaluateAll((elements) =>
    elements.map((row) => ({
      id: row.getAttribute('data-span-id'),
      name: `${row.getAttribute('data-service')} ${row.getAttribute('data-operation')}`,
      critical: row.getAttribute('data-critical') === 'true',
    })),
  );
  t.deepEqual(
    shown.map((row) => row.name).sort(),
    trace.spans.map((span) => `${serviceOf(trace, span)} ${span.operationName}`).sort(),
  );
  const onPath = new Set(criticalPath(trace).map((section) => section.span.spanID));
  t.deepEqual(
    shown.filter((row) => row.critical).map((row) => row.id),
    shown.filter((row) => onPath.has(row.id ?? '')).map((row) => row.id),
  );
  t.true(onPath.size > 0);
  t.is(await tab.locator('.waterfall > li.critical .mark').first().textContent(), '▶');
  t.is(await tab.locator('.waterfall > li[data-error="true"]').count(), 0);

  // A row opens to its attributes.
  const lag = tab.locator('.waterfall > li[data-operation="simulate lag"]');
  await lag.locator('summary').click();
  t.true(await lag.locator('dt', { hasText: 'lag.duration_ms' }).isVisible());

  const failed = traces.find((candidate) => candidate.traceID === failedTraceId);
  await tab.goto(`${page.url}/trace/${failedTraceId}`);
  await rows.first().waitFor();
  const marked = await tab
    .locator('.waterfall > li[data-error="true"]')
    .evaluateAll((elements) => elements.map((row) => row.getAttribute('data-span-id')).sort());
  t.deepEqual(marked, (failed?.spans.filter(isErrorSpan).map((span) => span.spanID) ?? []).sort());
  t.true(marked.length > 0);
  t.is(await tab.locator('.waterfall > li[data-error="true"] .badge.error').first().textContent(), 'error');
});

test.serial('on a phone nothing overflows sideways, and Tab reaches the links of the list', async (t) => {
  const tab = await openTab(t, await browser(), { width: 390, height: 844 });
  const overflow = () => tab.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
  await tab.goto(page.url);
  await tab.locator('table.visits tbody tr').first().waitFor();
  await tab.locator('#diagnosis .verdict').waitFor();
  t.is(await overflow(), 0);
  await tab.goto(`${page.url}/trace/${failedTraceId}`);
  await tab.locator('.waterfall > li').first().waitFor();
  await tab.locator('.waterfall > li summary').first().click();
  t.is(await overflow(), 0);

  await tab.goto(page.url);
  await tab.locator('table.visits tbody tr').first().waitFor();
  let reached = false;
  for (let press = 0; press < 15 && !reached; press += 1) {
    await tab.keyboard.press('Tab');
    reached = (await tab.evaluate("document.activeElement?.closest('table.visits') !== null")) === true;
  }
  t.true(reached, 'a link of the list within 15 presses of Tab');
  const target = await tab.evaluate("document.activeElement.getAttribute('href')");
  await tab.keyboard.press('Enter');
  await tab.waitForURL(`${page.url}${target}`);
  await tab.locator('.waterfall > li').first().waitFor();
});

test.serial('the list grows as visits arrive', async (t) => {
  const tab = await openTab(t, await browser());
  await tab.goto(`${page.url}/?refresh=200`);
  const rows = tab.locator('table.visits tbody tr');
  await rows.first().waitFor();
  const before = await rows.count();
  const response = await fetch(system.frontend.url);
  const traceId = traceIdOf(response.headers.get('traceresponse'));
  await tab.locator(`tr[data-trace-id="${traceId}"]`).waitFor({ timeout: 15_000 });
  t.is(await rows.count(), before + 1);
  t.is(await rows.first().getAttribute('data-trace-id'), traceId, 'newest first');
});

test.serial('empty and failing states say what to do', async (t) => {
  const empty = await startTracePage({
    port: 0,
    jaegerUrl: system.jaeger.queryUrl,
    service: 'nobody',
    frontendUrl: 'http://localhost:8080',
  });
  t.teardown(() => empty.close());
  const down = await startTracePage({ port: 0, jaegerUrl: `http://127.0.0.1:${await findFreePort()}` });
  t.teardown(() => down.close());
  const tab = await openTab(t, await browser());
  await tab.goto(empty.url);
  await tab.locator('#visits .state.empty').waitFor();
  t.regex((await tab.locator('#visits .state.empty').textContent()) ?? '', /^No visits yet: curl localhost:8080/);
  await tab.locator('#diagnosis .state.empty').waitFor();
  t.is(await tab.locator('#diagnosis .state.empty').textContent(), 'No visits to diagnose yet.');
  await tab.goto(down.url);
  await tab.locator('#visits .state.error').waitFor();
  await tab.locator('#diagnosis .state.error').waitFor();
  t.regex(
    (await tab.locator('#visits .state.error').textContent()) ?? '',
    /^Jaeger unreachable: GET http:.*ECONNREFUSED/,
  );
  t.regex((await tab.locator('#diagnosis .state.error').textContent()) ?? '', /^Jaeger unreachable: /);
  await tab.goto(`${down.url}/trace/0123456789abcdef0123456789abcdef`);
  await tab.locator('.state.error').waitFor();
  t.regex((await tab.locator('.state.error').textContent()) ?? '', /^Jaeger unreachable: /);
});
