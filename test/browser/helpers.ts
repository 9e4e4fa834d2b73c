// Shared by the event browser's tests and the screenshot script: Debian's Chromium driven by
// playwright-core (skipped with a message where it is missing, failed with CI=true), a page
// that records console errors, and the views' data waiting helpers.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { type Browser, type BrowserContextOptions, chromium, type Page } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`; CI installs it). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Headless, no sandbox (tests run as root), nothing fetched from the network. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Why the browser tests cannot run here, or null when they can. */
export function chromiumUnavailable(): string | null {
  return existsSync(CHROMIUM)
    ? null
    : `Chromium is not installed at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH).`;
}

/**
 * Defines the tests when Chromium is installed. Otherwise one skipped test saying how to
 * install it, or, with CI=true, one failing test (CI must not skip them).
 */
export function whenChromium(define: () => void): void {
  const unavailable = chromiumUnavailable();
  if (unavailable === null) define();
  else if (process.env.CI === 'true') {
    test('Chromium is installed (CI=true)', () => assert.fail(unavailable));
  } else test('event browser tests in Chromium', { skip: unavailable }, () => {});
}

/** Launches headless Chromium. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 30_000 });
}

/** A page and what it has said: console errors, uncaught exceptions and failed requests. */
export interface WatchedPage {
  readonly page: Page;
  readonly errors: string[];
  close(): Promise<void>;
}

/** Opens a page in a new context, recording every console error and page error. */
export async function openPage(
  browser: Browser,
  options: BrowserContextOptions = {},
): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => {
    // An EventSource closed by the page when it leaves the tail is not a failure.
    if (request.failure()?.errorText === 'net::ERR_ABORTED') return;
    errors.push(`request failed: ${request.url()} ${request.failure()?.errorText}`);
  });
  return { page, errors, close: () => context.close() };
}

/** The text of each cell of the log's (or the tail's) rows, by column name. */
export async function tableRows(
  page: Page,
  table: '#log-table' | '#tail-table',
): Promise<{ id: string; originatorId: string; version: string; topic: string }[]> {
  return page.$$eval(`${table} tbody tr`, (rows) =>
    rows.map((row) => {
      const cells = [...row.querySelectorAll('td')].map((cell) => cell.textContent ?? '');
      return {
        id: cells[0] ?? '',
        originatorId: cells[1] ?? '',
        version: cells[2] ?? '',
        topic: cells[3] ?? '',
      };
    }),
  );
}

/**
 * Goes to a view (a hash route, `#/log?topics=…`) by setting the hash, or waits for the one a
 * click went to, until the page has rendered it.
 */
export async function viewReady(page: Page, hash: string): Promise<void> {
  const route = hash.replace(/["\\]/g, '\\$&');
  await page.locator(`main#view[data-route="${route}"][data-state="ready"]`).waitFor();
}
