/*
 * Shared by the browser suites (`npm run test:browser`): Chromium from the system, kept on loopback,
 * and the folder where screenshots go for a person to look at.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
export { freePort } from '../support/ports';
import { waitFor as poll } from '../support/wait';

export const ROOT = path.resolve(__dirname, '../..');

/** Screenshots and logs of the last run; git-ignored. */
export const RESULTS = path.join(ROOT, 'test-results');

/** Debian's chromium (CI installs it with apt); CHROMIUM_PATH points elsewhere, e.g. on a laptop. */
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/**
 * Flags that stop Chromium's own background traffic (updates, sync, field trials, QUIC probes).
 * The resolver rule makes every host name but the loopback ones unresolvable, so nothing the page
 * asks for (the Playground links web fonts from a CDN) can leave the machine.
 */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1',
];

export function resultsDir(name: string): string {
  const dir = path.join(RESULTS, name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** Launches the system Chromium with a fresh, throwaway profile (playwright makes a new user-data-dir per launch). */
export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`No Chromium at ${CHROMIUM}: install it (Debian/Ubuntu: apt-get install -y chromium) or set CHROMIUM_PATH to a Chromium or Chrome binary.`);
  }
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
}

function isLoopback(url: string): boolean {
  if (!/^(https?|wss?):/.test(url)) return true; // data:, blob:, about:
  const host = new URL(url).hostname;
  return host === 'localhost' || host === '127.0.0.1' || host === '[::1]';
}

/**
 * A fresh browser context whose page can reach loopback only: any other request is aborted before
 * it is made. `__name` is defined because tsx keeps function names with a helper that functions
 * sent to `page.evaluate` would otherwise miss.
 */
export async function loopbackContext(browser: Browser, viewport: { width: number; height: number }): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport, locale: 'en-US', timezoneId: 'UTC' });
  await context.route('**/*', (route) => (isLoopback(route.request().url()) ? route.continue() : route.abort('blockedbyclient')));
  await context.addInitScript('globalThis.__name = globalThis.__name || ((f) => f);');
  return context;
}


/** The shared poller, with the longer default a browser and a Playground need. */
export function waitFor<T>(probe: () => Promise<T | undefined | false> | T | undefined | false, what: string, ms = 20_000): Promise<T> {
  return poll(probe, what, ms);
}

/**
 * The project's Playground config with another person as the current user: their entry and the
 * current user's swap places, as the README tells people to do by hand.
 */
export function withCurrentUser(yml: string, name: string): string {
  const lines = yml.split('\n');
  const start = lines.indexOf('currentUser:');
  const usersAt = lines.indexOf('users:');
  assert.ok(start >= 0 && usersAt > start, '.m365agentsplayground.yml has currentUser: then users:');
  const current = lines.slice(start + 1, usersAt).filter((l) => l.startsWith('  ')).map((l) => l.slice(2));
  const entryStart = lines.findIndex((l, i) => i > usersAt && l.startsWith('  - ') && (lines[i + 1] ?? '').trim() === `name: ${name}`);
  assert.ok(entryStart > 0, `.m365agentsplayground.yml lists ${name} among users`);
  let entryEnd = entryStart + 1;
  while (entryEnd < lines.length && lines[entryEnd]!.startsWith('    ')) entryEnd++;
  const entry = lines.slice(entryStart, entryEnd).map((l) => l.slice(4));
  return [
    ...lines.slice(0, start + 1),
    ...entry.map((l) => `  ${l}`),
    ...lines.slice(start + 1 + current.length, entryStart),
    ...current.map((l, i) => (i === 0 ? `  - ${l}` : `    ${l}`)),
    ...lines.slice(entryEnd),
  ].join('\n');
}
