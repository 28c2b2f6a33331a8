// The page's figures, measured in Chromium against the real system: the weight of the visits view
// (bytes of HTML, CSS and JS sent) and its time to first render with many traces in Jaeger, from the
// navigation to the list showing every row. A probe that prints, not a timed assertion.
import type { Browser } from 'playwright-core';
import { waitForTraces } from '../jaeger/wait.ts';
import { runLoad } from '../load/run.ts';
import { Processes } from '../local/system.ts';
import { percentile } from '../report/stats.ts';
import { launchBrowser } from './browser.ts';
import { startTracePage } from './server.ts';

export interface ProbeOptions {
  visits: number;
  runs: number;
  progress?: (line: string) => void;
}

export interface RenderRun {
  /** The page's own mark, once the list is drawn: ms from the start of the navigation. */
  firstRenderMs: number;
  /** From page.goto to the list holding every row, as the driver saw it. */
  driverMs: number;
  /** When the page asked for /api/visits (its modules loaded), ms from the start of the navigation. */
  apiStartMs: number;
  /** The /api/visits request, from its start to its answer's end. */
  apiMs: number;
}

export interface ProbeResult {
  visits: number;
  /** Bytes of each file of the view (HTML, CSS, JS), by path. */
  files: Record<string, number>;
  pageBytes: number;
  jsonBytes: number;
  runs: RenderRun[];
}

async function measure(browser: Browser, url: string, visits: number) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const tab = await context.newPage();
    const bodies: Promise<[string, string, number]>[] = [];
    tab.on('response', (response) => {
      const type = response.request().resourceType();
      const path = new URL(response.url()).pathname;
      bodies.push(
        response.body().then(
          (body): [string, string, number] => [type, path, body.length],
          (): [string, string, number] => [type, path, 0],
        ),
      );
    });
    const started = performance.now();
    await tab.goto(url, { waitUntil: 'commit' });
    // The last row drawn is the whole list drawn: the page draws it at once.
    await tab
      .locator('table.visits tbody tr')
      .nth(visits - 1)
      .waitFor({ timeout: 60_000 });
    const driverMs = performance.now() - started;
    // Every answer in, the diagnosis's too, before the bytes are counted.
    await tab.locator('#diagnosis .verdict').waitFor({ timeout: 60_000 });
    const [firstRenderMs, apiStartMs, apiMs] = (await tab.evaluate(`(() => {
      const api = performance.getEntriesByType('resource').find((entry) => new URL(entry.name).pathname === '/api/visits');
      return [performance.getEntriesByName('visits-rendered')[0].startTime, api.startTime, api.duration];
    })()`)) as [number, number, number];
    return { run: { firstRenderMs, driverMs, apiStartMs, apiMs }, sizes: await Promise.all(bodies) };
  } finally {
    await context.close();
  }
}

/** Starts Jaeger and both functions (no lag), makes the visits, then opens the page `runs` times. */
export async function probePage({ visits, runs, progress = () => {} }: ProbeOptions): Promise<ProbeResult> {
  const processes = new Processes();
  let browser: Browser | undefined;
  try {
    const { frontend, jaeger } = await processes.tracedSystem({ backendEnv: { LAG_MIN_MS: '0', LAG_MAX_MS: '0' } });
    progress(`Making ${visits} visits (lag 0)…`);
    const results = await runLoad({ url: frontend.url, visits, concurrency: 8 });
    const failed = results.filter((result) => result.status !== 200).length;
    if (failed > 0) throw new Error(`${failed} of ${visits} visits failed`);
    await waitForTraces(jaeger.queryUrl, 'frontend', visits, {
      complete: (trace) => trace.spans.length === 8,
      timeoutMs: 120_000,
    });
    const page = await startTracePage({ port: 0, jaegerUrl: jaeger.queryUrl, frontendUrl: frontend.url });
    try {
      browser = await launchBrowser();
      progress(`${visits} traces in Jaeger; opening ${page.url}/?limit=${visits} ${runs} times…`);
      const measured = [];
      for (let run = 0; run < runs; run += 1) {
        measured.push(await measure(browser, `${page.url}/?limit=${visits}&refresh=0`, visits));
      }
      const sizes = measured[0]?.sizes ?? [];
      const files = Object.fromEntries(
        sizes.filter(([type]) => ['document', 'stylesheet', 'script'].includes(type)).map(([, path, n]) => [path, n]),
      );
      return {
        visits,
        files,
        pageBytes: Object.values(files).reduce((sum, n) => sum + n, 0),
        jsonBytes: sizes.filter(([type]) => type === 'fetch').reduce((sum, [, , n]) => sum + n, 0),
        runs: measured.map(({ run }) => run),
      };
    } finally {
      await page.close();
    }
  } finally {
    await browser?.close();
    await processes.stopAll();
  }
}

export function renderProbe(result: ProbeResult): string {
  const ms = (value: number) => `${Math.round(value)} ms`;
  const bytes = (value: number) => `${value.toLocaleString('en')} bytes`;
  const kinds = (suffix: string) =>
    Object.entries(result.files)
      .filter(([path]) => (suffix === '.html' ? !/\.(css|js)$/.test(path) : path.endsWith(suffix)))
      .reduce((sum, [, n]) => sum + n, 0);
  const lines = [
    `Page weight of the visits view: ${bytes(result.pageBytes)} in ${Object.keys(result.files).length} files ` +
      `(HTML ${bytes(kinds('.html'))}, CSS ${bytes(kinds('.css'))}, JS ${bytes(kinds('.js'))}), uncompressed; ` +
      `its JSON for ${result.visits} visits and their diagnosis: ${bytes(result.jsonBytes)}.`,
    ...result.runs.map(
      (run, index) =>
        `run ${index + 1}: first render ${ms(run.firstRenderMs)} after navigation (${result.visits} rows; ` +
        `/api/visits asked at ${ms(run.apiStartMs)}, answered in ${ms(run.apiMs)}); ` +
        `${ms(run.driverMs)} from goto to ${result.visits} rows`,
    ),
  ];
  const median = percentile(
    result.runs.map((run) => run.firstRenderMs),
    50,
  );
  if (median !== undefined) lines.push(`Time to first render with ${result.visits} traces: median ${ms(median)}.`);
  return lines.join('\n');
}
