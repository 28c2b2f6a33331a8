// Headless Chromium from Debian's package, driven by playwright-core, for the page's tests, its probe
// and its screenshots. Never a browser of playwright's own: this machine cannot download one, and
// the flags below keep Chromium from reaching for the network on its own.
import { type Browser, chromium } from 'playwright-core';
import { ensureDebianPackages } from '../containers/install.ts';

export const CHROMIUM = '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A fresh Chromium with a temporary profile of its own; close it when done. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

/** For npm run setup: Debian's chromium, when it is missing. */
export function ensureChromium(progress: (line: string) => void): Promise<string> {
  return ensureDebianPackages({ chromium: 'chromium' }, progress, "The trace page's browser tests");
}
