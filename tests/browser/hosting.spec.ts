/**
 * The files a shop must host (docs/script-tag.md, "Host the files") against what the build makes
 * and what the browser loads. The list of files comes from `dist/` itself, so a new or renamed file
 * fails here until the table names it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { order, reranked } from './storefront';

const ROOT = join(import.meta.dirname, '../..');
const DIST = join(ROOT, 'dist');

/**
 * Never loaded by the tag, the engine or the worker: source maps, TypeScript declarations, the
 * licences of the worker's and the model part's bundled code, and the `localrank train` command (Node only).
 */
const NOT_LOADED = [/\.map$/, /\.d\.ts$/, /^types\//, /^cli\//, /^assets\/(worker|model)-licenses\.md$/];

/** The paths in the first column of the table under "## 1. Host the files", as patterns. */
function documented(): RegExp[] {
  const doc = readFileSync(join(ROOT, 'docs/script-tag.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## 1. Host the files'), doc.indexOf('## 2.'));
  const rows = section.split('\n').filter((line) => line.startsWith('| `'));
  const paths = rows.flatMap((row) => [...row.split('|')[1]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!));
  expect(paths.length, 'the table lists files').toBeGreaterThan(3);
  return paths.map((path) => {
    const pattern = path.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*');
    return new RegExp(`^${pattern}${path.endsWith('/') ? '' : '$'}`);
  });
}

function built(dir = DIST): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? built(join(dir, entry.name)) : [relative(DIST, join(dir, entry.name)).split('\\').join('/')],
  );
}

const undocumented = (files: string[]) => {
  const table = documented();
  return files.filter((file) => !table.some((pattern) => pattern.test(file)));
};

test('every built file the runtime may load is in the table of files to host', () => {
  const files = built().filter((file) => !NOT_LOADED.some((pattern) => pattern.test(file)));
  expect(files).toContain('localrank.iife.js');
  expect(undocumented(files)).toEqual([]);
});

/** The files under /dist/ the page and its worker request while `run` goes on. */
async function requested(page: Page, run: () => Promise<void>): Promise<string[]> {
  const files = new Set<string>();
  page.on('request', (request) => {
    const path = new URL(request.url()).pathname;
    if (path.startsWith('/dist/')) files.add(path.slice('/dist/'.length));
  });
  await run();
  return [...files];
}

/** The server-rendered fixture shop with the real engine and its default model. */
async function shop(page: Page): Promise<void> {
  await page.route('**/fixtures/fake-engine.js', (route) =>
    route.fulfill({ contentType: 'text/javascript', body: 'export { createPersonalizer } from "/dist/localrank.js";' }),
  );
  await page.goto('/tests/browser/fixtures/storefront/list.html');
  await page.evaluate(() => window.localrank('ready'));
  await reranked(page, 'catalogue');
}

test('every file the browser loads from dist/ is in the table, with IndexedDB and without it', async ({ page }) => {
  const normal = await requested(page, () => shop(page));
  expect(normal).toEqual(expect.arrayContaining(['localrank.iife.js', 'localrank.js', 'models/default/manifest.json']));
  expect(undocumented(normal)).toEqual([]);

  // Where IndexedDB cannot be used (some private modes) the worker uses its in-memory storage, part
  // of the worker itself: the same files, and the list is still reordered (shop() waits for it).
  const noIndexedDb = 'Object.defineProperty(globalThis, "indexedDB", { value: undefined, configurable: true });';
  await page.addInitScript(noIndexedDb);
  await page.route('**/dist/assets/worker-*.js', async (route) => {
    const original = await route.fetch();
    await route.fulfill({ response: original, body: `${noIndexedDb}\n${await original.text()}` });
  });
  const memory = await requested(page, () => shop(page));
  expect(memory).toEqual(expect.arrayContaining(['localrank.js', 'models/default/manifest.json']));
  expect(memory.some((file) => /^assets\/worker-.*\.js$/.test(file)), 'the worker').toBe(true);
  expect(undocumented(memory)).toEqual([]);
});

test("the tag's list part is downloaded where a list is reordered, not on a product page", async ({ page }) => {
  const product = await requested(page, async () => {
    await page.goto('/tests/browser/fixtures/storefront/product.html?id=p1');
    await page.evaluate(() => window.localrank('ready'));
    await page.click('#add');
    expect(await page.evaluate(() => window.localrank('diagnose'))).toMatchObject({ warnings: [] });
  });
  expect(product).toContain('localrank.iife.js');
  expect(product).not.toContain('localrank-lists.js');

  const list = await requested(page, () => shop(page));
  expect(list).toContain('localrank-lists.js');
});

test("a shop that does not host the list part keeps the server's order, and diagnose says why", async ({ page }) => {
  await page.route('**/dist/localrank-lists.js', (route) => route.fulfill({ status: 404, body: '' }));
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto('/tests/browser/fixtures/storefront/list.html');
  const server = await order(page, '#grid');
  expect(await page.evaluate(() => window.localrank('ready'))).toBe(true);
  expect(await page.evaluate(() => window.localrank('diagnose'))).toMatchObject({ lists: 'failed', personalizing: true });
  // With the part, the stand-in engine reverses this list within a few hundred ms (the tests above).
  await page.waitForTimeout(1000);
  expect(await order(page, '#grid')).toEqual(server);
  expect(await page.evaluate(() => window.seen.reranked.length)).toBe(0);
  expect(errors).toEqual([]);
});

test('a list part that arrives after the engine still reorders the list, asking the engine once', async ({ page }) => {
  // The engine answers first, the part later (a slow file); each answer takes a while, so the list
  // is asked for twice while the first answer is on its way (the list waiting for the part, then
  // every list once the engine is up). The second request must not throw the first answer away.
  let releasePart!: () => void;
  const partHeld = new Promise<void>((resolve) => (releasePart = resolve));
  await page.route('**/dist/localrank-lists.js', async (route) => {
    await partHeld;
    await route.continue();
  });
  await page.addInitScript(() => {
    window.fakeEngineDelayMs = 200;
  });
  await page.goto('/tests/browser/fixtures/storefront/list.html');
  const server = await order(page, '#grid');
  expect(await page.evaluate(() => window.localrank('ready'))).toBe(true);
  releasePart();
  const detail = await reranked(page, 'catalogue');
  expect(detail.personalized).toBe(true);
  expect(detail.moved).toBeGreaterThan(0);
  expect(await order(page, '#grid')).toEqual(detail.order);
  expect(await order(page, '#grid')).not.toEqual(server);
  expect(await page.evaluate(() => window.fakeEngine.reranks.length)).toBe(1);
});
