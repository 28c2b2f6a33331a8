// The waterfall at the cluster's depth, in Chromium: a visit's 35 spans as the Knative cluster records
// them (Traefik, the activator, the queue-proxies, both functions; 20 levels), sent to a real Jaeger
// over OTLP/HTTP and read back by the page. At a desktop's width and at a phone's, every row shows its
// service whole and its operation on one line; only the waterfall may scroll sideways, on a phone.
import test from 'ava';
import { Processes } from '../../tools/local/system.ts';
import { startTracePage, type TracePage } from '../../tools/page/server.ts';
import { CLUSTER_SPANS, clusterTrace } from '../fixtures/cluster-trace.ts';
import { openTab, sharedBrowser } from '../helpers/browser.ts';
import { waitForTrace } from '../helpers/jaeger-api.ts';

const browser = sharedBrowser(test);
const processes = new Processes();
let page: TracePage;
let traceId: string;

test.before(async () => {
  const jaeger = await processes.jaeger();
  const trace = clusterTrace();
  traceId = trace.traceId;
  const url = `http://localhost:${jaeger.ports.otlpHttp}/v1/traces`;
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(trace.data),
  });
  if (!response.ok) throw new Error(`Request failed with status ${response.status}: POST ${url}`);
  await waitForTrace(jaeger.queryUrl, traceId, CLUSTER_SPANS.length);
  page = await startTracePage({ port: 0, jaegerUrl: jaeger.queryUrl });
});

test.after.always(async () => {
  await page?.close();
  await processes.stopAll();
});

interface ShownRow {
  service: string;
  operation: string;
  /** How much wider the service's text is than its box: above 0, it is cut (with an ellipsis). */
  serviceCut: number;
  operationCut: number;
  /** The boxes of the operation's text: one per line it takes. */
  operationLines: number;
  operationHeight: number;
  lineHeight: number;
}

/** Run in the page (the tests' TypeScript has no DOM types): each row of the waterfall, measured. */
const MEASURE_ROWS = `[...document.querySelectorAll('.waterfall > li')].map((row) => {
  const service = row.querySelector('.service');
  const operation = row.querySelector('.operation');
  const text = document.createRange();
  text.selectNodeContents(operation);
  return {
    service: service.textContent,
    operation: operation.textContent,
    serviceCut: service.scrollWidth - service.clientWidth,
    operationCut: operation.scrollWidth - operation.clientWidth,
    operationLines: text.getClientRects().length,
    operationHeight: text.getBoundingClientRect().height,
    lineHeight: Number.parseFloat(getComputedStyle(operation).lineHeight),
  };
})`;

const VIEWPORTS: [string, { width: number; height: number }, { regionScrolls: boolean }][] = [
  ['a desktop, 1280 px wide', { width: 1280, height: 800 }, { regionScrolls: false }],
  ['a phone, 390 px wide', { width: 390, height: 844 }, { regionScrolls: true }],
];

for (const [name, viewport, { regionScrolls }] of VIEWPORTS) {
  test(`on ${name}, each of the 35 rows shows its service whole and its operation on one line`, async (t) => {
    const tab = await openTab(t, await browser(), viewport);
    await tab.goto(`${page.url}/trace/${traceId}`);
    const rows = tab.locator('.waterfall > li');
    await rows.nth(CLUSTER_SPANS.length - 1).waitFor();
    t.is(await rows.count(), CLUSTER_SPANS.length);
    const shown = (await tab.evaluate(MEASURE_ROWS)) as ShownRow[];
    // The names are the spans' own, every one of them: none shortened on the way.
    t.deepEqual(
      shown.map((row) => `${row.service} ${row.operation}`).sort(),
      CLUSTER_SPANS.map(([, service, operation]) => `${service} ${operation}`).sort(),
    );
    const services = new Set(shown.map((row) => row.service));
    t.true(services.has('frontend/queue-proxy') && services.has('backend/queue-proxy'));
    for (const row of shown) {
      const where = `${row.service} "${row.operation}"`;
      t.true(row.serviceCut <= 0, `${where}: the service is cut by ${row.serviceCut} px`);
      t.true(row.operationCut <= 0, `${where}: the operation is cut by ${row.operationCut} px`);
      t.is(row.operationLines, 1, `${where}: the operation takes ${row.operationLines} lines`);
      t.true(row.operationHeight < 1.5 * row.lineHeight, `${where}: ${row.operationHeight} px high`);
    }
    // An open row's attributes take the row's whole width, not its first column's.
    const lag = tab.locator('.waterfall > li[data-operation="simulate lag"]');
    await lag.locator('summary').click();
    const [rowWidth, detailsWidth] = await lag.evaluate((row) =>
      ['summary', '.details'].map((part) => row.querySelector(part)?.getBoundingClientRect().width ?? 0),
    );
    t.true(
      Math.abs((rowWidth ?? 0) - (detailsWidth ?? 0)) <= 1,
      `details ${detailsWidth} px in a row of ${rowWidth} px`,
    );
    // Nothing but the waterfall may be wider than the screen; on a desktop, not even the waterfall.
    const overflow = (await tab.evaluate(
      'document.documentElement.scrollWidth - document.documentElement.clientWidth',
    )) as number;
    t.is(overflow, 0, 'the page scrolls sideways');
    const region = (await tab.evaluate(`(() => {
      const region = document.querySelector('.timeline');
      return { overflow: region.scrollWidth - region.clientWidth, overflowX: getComputedStyle(region).overflowX };
    })()`)) as { overflow: number; overflowX: string };
    // What is wider than a phone is reached by scrolling the waterfall, not cut off.
    t.is(region.overflowX, 'auto');
    if (!regionScrolls) t.is(region.overflow, 0, 'the waterfall scrolls sideways on a desktop');
  });
}
