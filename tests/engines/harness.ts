/**
 * The cross-engine test harness: Playwright Test runs one project per engine
 * (playwright.engines.config.ts), and each test gets a `driver` (scripts/engines) for that engine
 * instead of a Playwright page, plus the static server with its log of every request it received.
 * Tests are declared with `engineTest`, whose title must be a row of the table in engines.ts.
 */
import { resolve } from 'node:path';
import { test as base, expect } from '@playwright/test';
import { launchEngine, type Driver, type EngineBrowser, type EngineName, type LaunchOptions, type RequestRecord } from '../../scripts/engines';
import { startServer } from '../../scripts/serve';
import type { Personalizer } from '../../src/index';
import { FACTS, row, type EngineFacts, type TestTitle } from './engines';
import '../browser/window';

export { expect };
export type { Driver };

const ROOT = resolve(import.meta.dirname, '../..');
export const FIXTURE_MODEL = '/tests/fixtures/model/manifest.json';
export const BLANK = '/tests/browser/fixtures/blank.html';
export const BUNDLE = '/dist/localrank.js';

interface Server {
  origin: string;
  /** Every request the server received since the worker started, bodies included. */
  log: RequestRecord[];
}

interface WorkerFixtures {
  engine: EngineName;
  server: Server;
  browserOfEngine: EngineBrowser;
}

interface TestFixtures {
  /** Skips, with its reason, a test whose row in engines.ts leaves this engine out (before any browser starts). */
  table: void;
  facts: EngineFacts;
  driver: Driver;
  /** Launches another browser of this engine (private, storage denied, a kept profile); closed after the test. */
  launch: (options: LaunchOptions) => Promise<EngineBrowser>;
}

export const test = base.extend<TestFixtures, WorkerFixtures>({
  engine: ['chromium', { option: true, scope: 'worker' }],
  server: [
    async ({}, use) => {
      const log: RequestRecord[] = [];
      const server = await startServer(ROOT, 0, { onRequest: (r) => log.push(r) });
      await use({ origin: server.origin, log });
      await server.close();
    },
    { scope: 'worker' },
  ],
  browserOfEngine: [
    async ({ engine, server }, use) => {
      const browser = await launchEngine(engine, server.origin);
      await use(browser);
      await browser.close();
    },
    { scope: 'worker', timeout: 60_000 },
  ],
  table: [
    async ({ engine }, use, testInfo) => {
      const entry = row(testInfo.title);
      if (!entry) throw new Error(`"${testInfo.title}" is not in the table of tests/engines/engines.ts: declare it with engineTest`);
      testInfo.skip(!entry.runs.includes(engine), entry.elsewhere ?? 'left out in engines.ts');
      await use();
    },
    { auto: true },
  ],
  facts: async ({ engine }, use) => use(FACTS[engine]),
  driver: async ({ browserOfEngine }, use, testInfo) => {
    await testInfo.attach('engine version', { body: browserOfEngine.version });
    const driver = await browserOfEngine.newPage();
    await use(driver);
    await driver.close();
  },
  launch: async ({ engine, server }, use) => {
    const launched: EngineBrowser[] = [];
    await use(async (options) => {
      const browser = await launchEngine(engine, server.origin, options);
      launched.push(browser);
      return browser;
    });
    for (const browser of launched) await browser.close().catch(() => {});
  },
});

/**
 * Declares a cross-engine test: Playwright's `test`, with a title that must be a row of
 * engines.ts; the `table` fixture skips, with the row's reason, an engine the row leaves out.
 */
export const engineTest: (title: TestTitle, body: Parameters<typeof test>[2]) => void = test;

/**
 * Opens `url` and creates `window.lr` from the built npm entry, with the fixture model loaded at
 * start-up (`loadModel: 'eager'`: these tests check what the model computes in each engine, not
 * when it loads) and no background training unless `options` say otherwise.
 */
export async function openLr(driver: Driver, options: Record<string, unknown> = {}, url = BLANK): Promise<void> {
  await driver.goto(url);
  await driver.evaluate(
    async ([bundle, opts]) => {
      const lib = (await import(bundle)) as Window['localrankLib'];
      window.localrankLib = lib;
      window.lr = await lib.createPersonalizer({ autoTrain: false, ...opts });
    },
    [BUNDLE, { model: FIXTURE_MODEL, loadModel: 'eager', ...options }] as [string, Record<string, unknown>],
  );
}

type AnyMethod = (...args: unknown[]) => Promise<unknown>;

/** Calls a method of `window.lr` in the page. */
export function call<T = unknown>(driver: Driver, method: keyof Personalizer, ...args: unknown[]): Promise<T> {
  return driver.evaluate(([m, a]) => (window.lr[m as keyof Personalizer] as AnyMethod)(...a) as Promise<T>, [method, args] as [string, unknown[]]);
}

/** Calls `localrank(command, ...args)` of the script tag in the page. */
export function tag<T = unknown>(driver: Driver, command: string, ...args: unknown[]): Promise<T> {
  return driver.evaluate(([c, a]) => window.localrank(c, ...a) as Promise<T>, [command, args] as [string, unknown[]]);
}
