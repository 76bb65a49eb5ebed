/**
 * localrank as users get it: `npm pack`'s tarball installed into fresh apps, one per bundler, each
 * built with that bundler's default configuration (tests/consumers/<bundler>/), served, and run in
 * Chromium. In every one, a few `track` calls on a small catalogue make `rerank` personalise, the
 * in-memory fallback takes over when IndexedDB is unavailable, and neither localrank nor
 * TensorFlow.js writes anything to the console. Where a bundler cannot copy a dependency's files by
 * itself, the app carries the one setting the README gives: Rollup's `importMetaAssets()` plugin,
 * esbuild's `cp` of three folders.
 */
import { expect, test, type ConsoleMessage, type Page, type Request } from '@playwright/test';
import { install, npmRun, pack, serveStatic, serveVite, type Served } from './apps';

interface Outcome {
  personalized: boolean;
  fallback: { code: string; message: string } | null;
  order: string[];
  storage: string | null;
  events: number | null;
  state: string | null;
  /** How many items the model scored in the first personalised rerank (none: it loads behind it), and once it is ready. */
  scoredFirst: number;
  scoredLater: number;
  model: string | null;
}

/** How each app is built (`npm run build`, or not at all for a dev server) and served. */
const DEPLOYMENTS: { app: string; name: string; build: boolean; serve: (dir: string) => Promise<Served> }[] = [
  { app: 'vite', name: 'Vite dev server', build: false, serve: (dir) => serveVite(dir, 'dev') },
  { app: 'vite', name: 'Vite build + preview', build: true, serve: (dir) => serveVite(dir, 'preview') },
  { app: 'webpack', name: 'webpack 5 build', build: true, serve: serveStatic },
  { app: 'esbuild', name: 'esbuild build', build: true, serve: serveStatic },
  { app: 'rollup', name: 'Rollup build', build: true, serve: serveStatic },
  { app: 'react', name: 'React under StrictMode, Vite dev server', build: false, serve: (dir) => serveVite(dir, 'dev') },
  { app: 'react', name: 'React, Vite build + preview', build: true, serve: (dir) => serveVite(dir, 'preview') },
];

/** The scenario's catalogue (shared/scenario.js), sorted. */
const CATALOGUE_IDS = ['g-1', 'g-2', 'g-3', 'g-4', 'g-5', 'g-6', 'k-1', 'k-2', 'k-3', 'k-4', 'k-5', 'k-6'];

/**
 * Messages of the tools around us, not of localrank or TensorFlow.js: Vite's, React's, a page
 * without a favicon. Vite's dev client gives up on its WebSocket after a few seconds where a test
 * routes the page's scripts (Chromium then blocks the socket, see below): the scenario waits for
 * the model part that long.
 */
const THEIRS = [/^\[vite\] (connecting|connected|failed to connect to websocket)/, /Download the React DevTools/, /\/favicon\.ico$/];

const NO_INDEXEDDB = 'Object.defineProperty(globalThis, "indexedDB", { value: undefined, configurable: true });';

let tarball = '';
const installed = new Map<string, Promise<string>>();

test.beforeAll(async () => {
  tarball = (await pack()).tarball;
});

/** The app's folder, installed once for all its deployments. */
function appDir(app: string): Promise<string> {
  if (!installed.has(app)) installed.set(app, install(app, tarball));
  return installed.get(app)!;
}

/** Console messages, uncaught errors and failed requests of the page and its workers. */
function watch(page: Page): string[] {
  const problems: string[] = [];
  const onConsole = (message: ConsoleMessage) => {
    const text = `${message.text()} (${message.location().url})`;
    if (!THEIRS.some((pattern) => pattern.test(message.text()) || pattern.test(message.location().url))) {
      problems.push(`console.${message.type()}: ${text}`);
    }
  };
  page.on('console', onConsole);
  page.on('worker', (worker) => worker.on('console', onConsole));
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  const answered = new Set<Request>();
  page.on('response', (response) => {
    if (response.ok()) answered.add(response.request());
    else problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  page.on('requestfailed', (request) => {
    // Chromium at times reports a worker's fully read 200 response as aborted (seen for the model's
    // weights, which the engine then verifies by SHA-256): only requests left unanswered count.
    if (request.failure()?.errorText === 'net::ERR_ABORTED' && answered.has(request)) return;
    problems.push(`failed: ${request.url()} (${request.failure()?.errorText})`);
  });
  return problems;
}

async function outcome(page: Page): Promise<Outcome> {
  const handle = await page.waitForFunction(() => (window as { __consumer?: unknown }).__consumer, null, { timeout: 60_000 });
  return (await handle.jsonValue()) as Outcome;
}

for (const deployment of DEPLOYMENTS) {
  test.describe(deployment.name, () => {
    let served: Served;

    test.beforeAll(async () => {
      test.setTimeout(180_000);
      const dir = await appDir(deployment.app);
      if (deployment.build) await npmRun(dir, 'build');
      served = await deployment.serve(dir);
    });

    test.afterAll(async () => {
      await served?.close();
    });

    test('personalises after a few clicks, with nothing in the console', async ({ page }) => {
      const problems = watch(page);
      await page.goto(`${served.origin}/index.html?namespace=clicks`);
      const result = await outcome(page);
      expect(result.fallback).toBeNull();
      expect(result.personalized).toBe(true);
      expect(result.storage).toBe('indexeddb');
      // Twelve impressions and three clicks, stored once (React's StrictMode mounts twice in dev).
      expect(result.events).toBe(15);
      expect([...result.order].sort()).toEqual(CATALOGUE_IDS);
      // The other seed packets move up from the bottom of the server's order.
      expect(result.order.indexOf('g-1')).toBeLessThan(6);
      // The first personalised rerank came from the taste and the head; the bundler emitted the
      // model part, which loaded behind it and then scored the candidates the clicks relate to.
      expect(result.scoredFirst).toBe(0);
      expect(result.model).toBe('ready');
      expect(result.scoredLater).toBeGreaterThan(0);
      expect(problems).toEqual([]);
    });

    test('runs in memory when IndexedDB is unavailable, in the page and in the worker', async ({ page }) => {
      const problems = watch(page);
      await page.addInitScript(NO_INDEXEDDB);
      // Scripts only: a page that came from route.fulfill loses its local origin, and Chromium then
      // blocks the Vite dev server's WebSocket to 127.0.0.1.
      await page.route('**/*', async (route) => {
        if (route.request().resourceType() === 'document') return route.continue();
        const response = await route.fetch();
        if (!/javascript/.test(response.headers()['content-type'] ?? '')) return route.fulfill({ response });
        return route.fulfill({ response, body: `${NO_INDEXEDDB}\n${await response.text()}` });
      });
      await page.goto(`${served.origin}/index.html?namespace=memory`);
      const result = await outcome(page);
      expect(result.storage).toBe('memory');
      expect(result.personalized).toBe(true);
      expect(problems).toEqual([]);
    });
  });
}
