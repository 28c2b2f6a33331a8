// The README's two screenshots of the trace page, taken in Chromium from the real system at its
// defaults: the backend's lag of 1 to 10 s per increase (LAG_MIN_MS, LAG_MAX_MS unset), 8 visits sent
// at once. The functions run with the resource detectors that say what runs, not where
// (OTEL_NODE_RESOURCE_DETECTORS without host and process: no host name, no command line, no paths),
// and the test holds the page to it: no path and no host name of this machine anywhere in it.
// The shots go to a temporary folder; SCREENSHOTS_DIR=docs/images writes the README's instead.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { homedir, hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { REPOSITORY_ROOT } from '../../tools/functions/run.ts';
import { type JaegerTrace, tagOf } from '../../tools/jaeger/query.ts';
import { waitForTraces } from '../../tools/jaeger/wait.ts';
import { runLoad } from '../../tools/load/run.ts';
import { Processes } from '../../tools/local/system.ts';
import { startTracePage, type TracePage } from '../../tools/page/server.ts';
import { isPng, openTab, sharedBrowser } from '../helpers/browser.ts';
import { VISIT_SPANS } from '../helpers/traces.ts';

const VISITS = 8;
/** The backend's lag when nothing sets it (functions/backend/src/config.ts), in ms. */
const DEFAULT_LAG = { min: 1000, max: 10_000 };
/** Service, instance, OS and the SDK; not the host detector (host.name) nor the process's (paths, owner). */
const NOWHERE = { OTEL_NODE_RESOURCE_DETECTORS: 'serviceinstance,os,env' };

const browser = sharedBrowser(test);
const processes = new Processes();
let screenshots: string;
let page: TracePage;
let traces: JaegerTrace[];

test.before(async () => {
  screenshots = process.env.SCREENSHOTS_DIR ?? (await mkdtemp(join(tmpdir(), 'page-screenshots-')));
  await mkdir(screenshots, { recursive: true });
  const system = await processes.tracedSystem({ backendEnv: NOWHERE, frontendEnv: NOWHERE });
  const results = await runLoad({ url: system.frontend.url, visits: VISITS, concurrency: VISITS });
  if (results.some((result) => result.status !== 200)) throw new Error(`a visit failed: ${JSON.stringify(results)}`);
  traces = await waitForTraces(system.jaeger.queryUrl, 'frontend', VISITS, {
    complete: (trace) => trace.spans.length === VISIT_SPANS.length,
  });
  page = await startTracePage({ port: 0, jaegerUrl: system.jaeger.queryUrl, frontendUrl: system.frontend.url });
});

test.after.always(async () => {
  await page?.close();
  await processes.stopAll();
  if (!process.env.SCREENSHOTS_DIR && screenshots) await rm(screenshots, { recursive: true, force: true });
});

/** Where this machine's files are: the clone, node, the home and temporary folders, the working folder. */
const LOCAL_PATHS = [REPOSITORY_ROOT, dirname(process.execPath), homedir(), tmpdir(), process.cwd()]
  .map((path) => path.replace(/\/+$/, ''))
  .filter((path) => path.length > 1);
const HOST_NAMES = [...new Set([hostname(), hostname().split('.')[0] ?? ''])].filter(Boolean);

/** The page, its attributes and closed rows included, says nothing of where on this machine it ran. */
async function assertNothingLocal(t: ExecutionContext, html: string) {
  for (const path of LOCAL_PATHS) t.false(html.includes(path), `the page shows the path ${path}`);
  for (const name of HOST_NAMES) {
    const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    t.notRegex(html, new RegExp(`(^|[^\\w.-])${escaped}($|[^\\w-])`, 'i'), `the page shows the host name ${name}`);
  }
}

test.serial(
  'the visits view at the default lag: every visit took 1 s or more, and no local path or host name',
  async (t) => {
    // Each visit lagged as the backend does by default, and the page shows those visits.
    for (const trace of traces) {
      const lag = trace.spans.find((span) => span.operationName === 'simulate lag');
      t.is(lag && tagOf(lag, 'lag.min_ms'), DEFAULT_LAG.min);
      t.is(lag && tagOf(lag, 'lag.max_ms'), DEFAULT_LAG.max);
      t.true((lag?.duration ?? 0) >= DEFAULT_LAG.min * 1000, `simulate lag took ${lag?.duration} µs`);
    }
    const tab = await openTab(t, await browser());
    await tab.goto(page.url);
    const rows = tab.locator('table.visits tbody tr');
    await rows.nth(VISITS - 1).waitFor();
    await tab.locator('#diagnosis .verdict').waitFor();
    t.deepEqual(
      (await rows.evaluateAll((elements) => elements.map((row) => row.getAttribute('data-trace-id')))).sort(),
      traces.map((trace) => trace.traceID).sort(),
    );
    const durations = await tab.locator('table.visits td.duration').allTextContents();
    t.is(durations.length, VISITS);
    for (const duration of durations) {
      const seconds = /^(\d+\.\d\d) s$/.exec(duration.trim())?.[1];
      t.true(Number(seconds) >= DEFAULT_LAG.min / 1000, `a visit shown as ${duration}`);
    }
    t.regex((await tab.locator('#diagnosis .verdict').textContent()) ?? '', /^Bottleneck: backend "simulate lag"/);
    await assertNothingLocal(t, await tab.content());

    const shot = join(screenshots, 'visits.png');
    await tab.screenshot({ path: shot });
    t.true(await isPng(shot));
  },
);

test.serial("a visit's trace at the default lag, its lag open: its resource says what runs, not where", async (t) => {
  const [newest] = traces;
  if (!newest) throw new Error('no trace');
  const tab = await openTab(t, await browser());
  await tab.goto(`${page.url}/trace/${newest.traceID}`);
  await tab
    .locator('.waterfall > li')
    .nth(VISIT_SPANS.length - 1)
    .waitFor();
  const lag = tab.locator('.waterfall > li[data-operation="simulate lag"]');
  await lag.locator('summary').click();
  t.true(await lag.locator('dt', { hasText: 'lag.duration_ms' }).isVisible());
  const resource = await lag.locator('.pairs:last-child dt').allTextContents();
  t.true(resource.includes('service.version'), `resource: ${resource.join(', ')}`);
  t.deepEqual(
    resource.filter((key) => /^(host|process)\./.test(key)),
    [],
  );
  // Every row's details are in the page, open or not: none of them says where it ran.
  await assertNothingLocal(t, await tab.content());

  const shot = join(screenshots, 'trace.png');
  await tab.screenshot({ path: shot, fullPage: true });
  t.true(await isPng(shot));
});
