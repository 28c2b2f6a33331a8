// Headless Chromium (Debian's, through playwright-core) for the page's tests: one browser for a
// file's tests, closed once they are done; a tab per test, closed in its teardown.
import { readFile } from 'node:fs/promises';
import type { ExecutionContext, TestFn } from 'ava';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../../tools/page/browser.ts';

export function sharedBrowser(test: TestFn): () => Promise<Browser> {
  let browser: Promise<Browser> | undefined;
  test.after.always(async () => {
    await (await browser)?.close();
  });
  return () => {
    browser ??= launchBrowser();
    return browser;
  };
}

/** A fresh context (no cookies, no cache) at this size; page errors fail the test. */
export async function openTab(
  t: ExecutionContext,
  browser: Browser,
  viewport = { width: 1280, height: 800 },
): Promise<Page> {
  const context = await browser.newContext({ viewport });
  t.teardown(() => context.close());
  const page = await context.newPage();
  page.on('pageerror', (error) => t.fail(`error in the page: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') t.log(`console: ${message.text()}`);
  });
  return page;
}

/** The file begins with PNG's signature. */
export async function isPng(path: string): Promise<boolean> {
  const head = (await readFile(path)).subarray(0, 8);
  return head.equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
}
