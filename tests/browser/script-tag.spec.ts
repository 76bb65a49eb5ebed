/**
 * The script-tag build on a sample shop page, in real Chromium: the built `dist/localrank.iife.js`
 * and `dist/localrank.js`, a real worker, IndexedDB and the fixture model. Pages and server live in
 * tests/browser/fixtures/ (`npm run build && npm run build:script` first).
 */
import { expect, test, type Page } from '@playwright/test';
import { startServer, type StaticServer } from '../../scripts/serve';
import type { RerankedDetail } from '../../src/tag/reorder';
import './window';

let server: StaticServer;
test.beforeAll(async () => {
  server = await startServer();
});
test.afterAll(async () => {
  await server.close();
});

const SHOP = '/tests/browser/fixtures/shop/';
const NAMESPACE_DB = 'localrank:shop';

function shopUrl(page: string, prefix = ''): string {
  return `${server.origin}${prefix}${SHOP}${page}`;
}

type Stored = { type: string; itemId: string; listId?: string; position?: number };

/** Console errors and warnings and uncaught exceptions, from the page and its workers. */
function watchProblems(page: Page, ignore: (text: string, url: string, type: string) => boolean = () => false): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() !== 'error' && message.type() !== 'warning') return;
    if (!ignore(message.text(), message.location().url, message.type())) problems.push(`${message.type()}: ${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  return problems;
}

/** Calls `localrank(command, ...args)` in the page; commands answer with a promise. */
function lr<T = unknown>(page: Page, command: string, ...args: unknown[]): Promise<T> {
  return page.evaluate(([c, a]) => window.localrank(c, ...a) as Promise<T>, [command, args] as const);
}

/** Waits for the `localrank('ready', cb)` the shop queued before the library loaded. */
async function ready(page: Page): Promise<boolean> {
  await page.waitForFunction(() => window.shop.ready !== undefined, null, { timeout: 60_000 });
  return page.evaluate(() => window.shop.ready === true);
}

async function reranked(page: Page, listId: string): Promise<RerankedDetail> {
  const handle = await page.waitForFunction(
    (id) => window.shop.reranked.find((d) => d.listId === id),
    listId,
    { timeout: 60_000 },
  );
  return (await handle.jsonValue()) as RerankedDetail;
}

function domOrder(page: Page, list: string): Promise<string[]> {
  return page.$$eval(`#${list} [data-lr-item]`, (tiles) => tiles.map((t) => t.getAttribute('data-lr-item')!));
}

function childOrder(page: Page, list: string): Promise<string[]> {
  return page.$$eval(`#${list} > *`, (children) => children.map((c) => c.getAttribute('data-lr-item') ?? `[${c.className}]`));
}

async function storedEvents(page: Page): Promise<Stored[]> {
  const data = await lr<{ events: Stored[] } | null>(page, 'exportData');
  return data?.events ?? [];
}

async function databases(page: Page): Promise<string[]> {
  return page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name ?? ''));
}

/** Stands in for dist/localrank.js: reverses every list and records what it is told. */
const FAKE_ENGINE = `
export async function createPersonalizer(options) {
  const fake = (window.fakeEngine = { options, tracked: [] });
  return {
    async track(events) { fake.tracked.push(...[].concat(events)); },
    async rerank(candidates) {
      const items = candidates.map((c, i) => ({ id: String(c.id), score: i, modelScore: i, serverRank: i })).reverse();
      return { items, personalized: true, computeMs: 0 };
    },
    async info() { return { state: 'ready', events: fake.tracked.length }; },
    async exportData() { return { events: fake.tracked }; },
    async forget() { fake.tracked = []; },
    async train() { return null; },
    subscribe() { return () => {}; },
    async close() {},
  };
}`;

async function useFakeEngine(page: Page): Promise<void> {
  await page.route('**/dist/localrank.js', (route) => route.fulfill({ contentType: 'text/javascript', body: FAKE_ENGINE }));
}

/** The lists' children as the server rendered them, read before localrank could move anything. */
async function captureServerOrder(page: Page): Promise<void> {
  await page.addInitScript(() => {
    document.addEventListener('DOMContentLoaded', () => {
      const order = (list: string) =>
        Array.from(document.querySelectorAll(`#${list} > *`), (c) => c.getAttribute('data-lr-item') ?? `[${c.className}]`);
      window.serverOrder = { top: order('top'), recs: order('recs') };
    });
  });
}

function serverOrder(page: Page, list: string): Promise<string[]> {
  return page.evaluate((l) => window.serverOrder[l]!, list);
}

test('calls queued by the stub before the library loaded are replayed, none lost', async ({ page }) => {
  const problems = watchProblems(page);
  await page.goto(shopUrl('index.html?impressionMs=600000'));
  expect(await ready(page), 'the queued ready callback ran with true').toBe(true);
  expect(await page.evaluate(() => typeof window.localrank.q)).toBe('undefined');

  const events = await storedEvents(page);
  const seen = events.map((e) => `${e.type}:${e.itemId}`);
  expect(seen).toEqual(expect.arrayContaining(['click:172', 'view:82', 'add_to_cart:144']));
  expect(events.find((e) => e.itemId === '172')?.listId).toBe('home');
  expect(problems).toEqual([]);
});

test('GA4 e-commerce events in the dataLayer are learned from, pushed before or after loading', async ({ page }) => {
  await page.goto(shopUrl('index.html?impressionMs=600000'));
  expect(await ready(page)).toBe(true);

  const pushed = await page.evaluate(() => {
    const w = window;
    const length = w.dataLayer.push({ event: 'add_to_cart', ecommerce: { items: [{ item_id: '127', item_name: 'Godfather, The (1972)', price: '12.50' }] } });
    w.dataLayer.push({ event: 'page_view' }, { ecommerce: null });
    w.dataLayer.push({
      event: 'view_item_list',
      ecommerce: { item_list_id: 'related', items: [{ item_id: '98', index: 0 }, { item_id: '56', index: 1 }] },
    });
    // gtag.js pushes its `arguments` object.
    function gtag(..._args: unknown[]): void {
      // eslint-disable-next-line prefer-rest-params
      w.dataLayer.push(arguments);
    }
    gtag('event', 'purchase', { transaction_id: 'T1', items: [{ item_id: '174', quantity: 1 }] });
    gtag('event', 'select_item', { items: [{ item_id: '7' }] });
    gtag('event', 'remove_from_cart', { items: [{ item_id: '127' }] });
    return length;
  });
  expect(pushed, "the page's own push keeps its return value").toBeGreaterThan(1);

  await expect
    .poll(async () => (await storedEvents(page)).map((e) => `${e.type}:${e.itemId}:${e.listId ?? ''}:${e.position ?? ''}`))
    .toEqual(
      expect.arrayContaining([
        'view:195::', // pushed before the library arrived
        'add_to_cart:127::',
        'impression:98:related:0',
        'impression:56:related:1',
        'purchase:174::',
        'click:7::',
        'remove_from_cart:127::',
      ]),
    );
  expect((await storedEvents(page)).filter((e) => e.itemId === '195')).toHaveLength(1);
});

test('marked tiles record impressions once visible, clicks and add-to-cart, with server positions', async ({ page }) => {
  await page.goto(shopUrl('index.html'));
  expect(await ready(page)).toBe(true);
  await reranked(page, 'recs');

  const top = await domOrder(page, 'top');
  await expect.poll(async () => (await storedEvents(page)).filter((e) => e.type === 'impression').map((e) => e.itemId).sort()).toEqual([...top].sort());
  const impressions = (await storedEvents(page)).filter((e) => e.type === 'impression');
  expect(impressions.find((e) => e.itemId === top[3])).toMatchObject({ listId: 'top', position: 3 });

  await page.locator(`#top [data-lr-item="${top[2]}"] [data-lr-action="add_to_cart"]`).click();
  await page.locator(`#top [data-lr-item="${top[5]}"]`).click({ position: { x: 100, y: 100 } });
  await expect
    .poll(async () => (await storedEvents(page)).filter((e) => e.type !== 'impression' && e.listId === 'top').map((e) => `${e.type}:${e.itemId}:${e.position}`))
    .toEqual([`add_to_cart:${top[2]}:2`, `click:${top[5]}:5`]);

  // Below the fold: no impression until scrolled into view, then positions are the server's, not the new DOM order.
  const detail = await reranked(page, 'recs');
  expect((await storedEvents(page)).some((e) => e.listId === 'recs')).toBe(false);
  await page.locator('#recs').scrollIntoViewIfNeeded();
  await page.mouse.wheel(0, 400);
  await expect.poll(async () => (await storedEvents(page)).filter((e) => e.listId === 'recs').length).toBeGreaterThan(0);
  for (const event of (await storedEvents(page)).filter((e) => e.listId === 'recs')) {
    expect(event.position).toBe(detail.serverOrder.indexOf(event.itemId));
  }
});

test('a rerankable list below the fold is reordered; tiles in view and non-tile children keep their place', async ({ page }) => {
  await useFakeEngine(page);
  await captureServerOrder(page);
  await page.goto(shopUrl('index.html'));
  const serverTop = await serverOrder(page, 'top');
  const serverRecs = await serverOrder(page, 'recs');
  expect(await ready(page)).toBe(true);

  const recs = await reranked(page, 'recs');
  const top = await reranked(page, 'top');
  expect(top).toMatchObject({ personalized: true, moved: 0, pinned: 8 });
  expect(await domOrder(page, 'top')).toEqual(serverTop);
  expect(await page.getAttribute('#top', 'data-lr-reranked')).toBeNull();

  const tiles = serverRecs.filter((id) => !id.startsWith('['));
  expect(recs).toMatchObject({ personalized: true, moved: 12, pinned: 0, order: [...tiles].reverse() });
  const expected = [...tiles].reverse();
  expect(await childOrder(page, 'recs')).toEqual(serverRecs.map((id) => (id.startsWith('[') ? id : expected.shift())));
  expect(await page.getAttribute('#recs', 'data-lr-reranked')).toBe('');
});

test('tiles the user has already seen keep their place when scores arrive late', async ({ page }) => {
  await useFakeEngine(page);
  // Hold the engine back until the user has scrolled through half of the list.
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route('**/dist/localrank.js', async (route) => {
    await held;
    await route.fulfill({ contentType: 'text/javascript', body: FAKE_ENGINE });
  });
  await page.goto(shopUrl('index.html'));
  const server = await domOrder(page, 'recs');
  // The list's first two rows in view, the rest below the fold.
  await page.evaluate(() => window.scrollTo(0, document.querySelector('#recs')!.getBoundingClientRect().top + scrollY - 500));
  const visible = await page.$$eval('#recs [data-lr-item]', (tiles) =>
    tiles.map((t) => t.getBoundingClientRect()).map((r) => r.bottom > 0 && r.top < innerHeight),
  );
  expect(visible.some(Boolean) && !visible.every(Boolean)).toBe(true);
  release();

  const detail = await reranked(page, 'recs');
  const after = await domOrder(page, 'recs');
  server.forEach((id, i) => {
    if (visible[i]) expect(after[i], `visible tile ${id} stays`).toBe(id);
  });
  expect(detail.moved).toBeGreaterThan(0);
  expect(detail.pinned).toBe(visible.filter(Boolean).length);
});

test('with data-lr-rerank="animate" visible tiles move and glide, unless the user prefers reduced motion', async ({ page }) => {
  await useFakeEngine(page);
  await captureServerOrder(page);
  await page.addInitScript(() => {
    document.addEventListener('DOMContentLoaded', () => document.getElementById('top')!.setAttribute('data-lr-rerank', 'animate'));
    document.addEventListener('localrank:reranked', (e) => {
      const target = e.target as Element;
      window.animations ??= {};
      window.animations[target.id] = target.getAnimations({ subtree: true }).length;
    });
  });
  await page.goto(shopUrl('index.html'));
  const server = await serverOrder(page, 'top');
  const detail = await reranked(page, 'top');
  expect(detail.moved).toBe(8);
  expect(await domOrder(page, 'top')).toEqual([...server].reverse());
  expect(await page.evaluate(() => window.animations.top)).toBe(8);

  await page.emulateMedia({ reducedMotion: 'reduce' });
  await page.reload();
  await reranked(page, 'top');
  expect(await page.evaluate(() => window.animations.top)).toBe(0);
});

test('with the real engine a list takes the personalised order', async ({ page }) => {
  await captureServerOrder(page);
  await page.goto(shopUrl('index.html?impressionMs=600000'));
  const server = (await serverOrder(page, 'recs')).filter((id) => !id.startsWith('['));
  expect(await ready(page)).toBe(true);
  const detail = await reranked(page, 'recs');
  expect(detail.personalized).toBe(true);
  expect(detail.serverOrder).toEqual(server);

  // The candidates as the tag reads them from the markup: id, category path and title.
  const candidates = await page.$$eval('#recs [data-lr-item]', (tiles) =>
    tiles.map((t) => ({
      id: t.getAttribute('data-lr-item')!,
      features: { category: t.getAttribute('data-lr-category')!.split('>').map((c) => c.trim()), text: t.getAttribute('data-lr-title')! },
    })),
  );
  const byServer = server.map((id) => candidates.find((c) => c.id === id)!);
  const expected = await lr<{ items: Array<{ id: string }>; personalized: boolean }>(page, 'rerank', byServer, { serverWeight: 0 });
  expect(expected.personalized).toBe(true);
  const personalised = expected.items.map((i) => i.id);
  expect(personalised, 'the model disagrees with the server here, or this test proves nothing').not.toEqual(server);
  expect(await domOrder(page, 'recs')).toEqual(personalised);
  expect(detail.order).toEqual(personalised);
});

test('the engine, worker and model load only after the page has loaded', async ({ page }) => {
  await page.route('**/shop.css', async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await route.continue();
  });
  await page.goto(shopUrl('index.html'));
  expect(await ready(page)).toBe(true);
  const timing = await page.evaluate(() => {
    const load = (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).loadEventEnd;
    const start = (part: string) => performance.getEntriesByType('resource').find((r) => r.name.includes(part))?.startTime ?? -1;
    return { load, engine: start('/dist/localrank.js'), model: start('/manifest.json'), tag: start('localrank.iife.js') };
  });
  expect(timing.load).toBeGreaterThan(1400);
  expect(timing.tag).toBeLessThan(timing.load);
  expect(timing.engine).toBeGreaterThanOrEqual(timing.load);
});

for (const [policy, query, backend] of [
  ['strict', '', null],
  ['wasm', '?backend=wasm&loadModel=eager', 'wasm'],
] as const) {
  test(`works under a strict Content-Security-Policy (${policy})`, async ({ page }) => {
    // Without 'wasm-unsafe-eval' the backend choice sees wasm refused and skips it silently: no warning at all.
    const problems = watchProblems(page);
    const response = await page.goto(shopUrl(`index.html${query}`, `/csp/${policy}`));
    const header = response!.headers()['content-security-policy']!;
    expect(header).toContain("script-src 'self'");
    expect(header).not.toContain("'unsafe-eval'");
    expect(header).not.toContain("'unsafe-inline'");
    expect(await ready(page)).toBe(true);
    const detail = await reranked(page, 'recs');
    expect(detail).toMatchObject({ personalized: true, moved: 12 });
    const info = await lr<{ backend: string }>(page, 'info');
    if (backend) expect(info.backend).toBe(backend);
    expect(await page.evaluate(() => window.shop.violations)).toEqual([]);
    expect(problems).toEqual([]);

    // The policy is really enforced: an inline script that is not the stub is refused.
    await page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'window.inlineRan = true';
      document.head.append(script);
    });
    expect(await page.evaluate(() => window.inlineRan)).toBeUndefined();
  });
}

test('consent off: nothing is stored and the engine is never loaded', async ({ page }) => {
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(shopUrl('index.html?consent=off&impressionMs=50'));
  expect(await ready(page)).toBe(false);
  await page.locator('#top [data-lr-action="add_to_cart"]').first().click();
  await page.evaluate(() => window.dataLayer.push({ event: 'purchase', ecommerce: { items: [{ item_id: '1' }] } }));
  await page.locator('#top a').first().click();
  await page.waitForURL(/product\.html/);
  await page.waitForLoadState('load');
  await page.waitForTimeout(1500);

  expect(requests.filter((url) => /\/dist\/localrank\.js|worker|manifest\.json|weights\.bin/.test(url))).toEqual([]);
  expect(await databases(page)).not.toContain(NAMESPACE_DB);
  expect(await page.evaluate(() => [...Object.keys(sessionStorage), ...Object.keys(localStorage)].filter((k) => k.startsWith('localrank')))).toEqual([]);
  const rerank = await lr<{ personalized: boolean; fallback: { code: string } }>(page, 'rerank', [{ id: 'a' }, { id: 'b' }]);
  expect(rerank).toMatchObject({ personalized: false, fallback: { code: 'NO_CONSENT' } });
});

test('withdrawing consent deletes everything stored and stops recording', async ({ page }) => {
  await page.goto(shopUrl('index.html'));
  expect(await ready(page)).toBe(true);
  await expect.poll(async () => (await storedEvents(page)).length).toBeGreaterThan(2);
  expect(await databases(page)).toContain(NAMESPACE_DB);

  await lr(page, 'consent', false);
  await expect.poll(() => databases(page)).not.toContain(NAMESPACE_DB);
  await page.locator('#top [data-lr-action="add_to_cart"]').first().click();
  await page.waitForTimeout(500);
  expect(await databases(page)).not.toContain(NAMESPACE_DB);
  expect(await lr(page, 'exportData')).toBeNull();
});

test('Global Privacy Control means nothing is recorded', async ({ page }) => {
  await page.addInitScript(() => Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true }));
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(shopUrl('index.html?impressionMs=50'));
  expect(await ready(page)).toBe(false);
  await page.waitForTimeout(1000);
  expect(requests.some((url) => url.includes('/dist/localrank.js'))).toBe(false);
  expect(await databases(page)).not.toContain(NAMESPACE_DB);
});

/** Records the DOM as parsed, before any script could touch it, to compare later. */
async function captureServerDom(page: Page): Promise<void> {
  await page.addInitScript(() => {
    document.addEventListener('DOMContentLoaded', () => {
      window.serverDom = document.documentElement.outerHTML;
    });
  });
}

async function expectUntouched(page: Page): Promise<void> {
  const [before, after] = await page.evaluate(() => [window.serverDom, document.documentElement.outerHTML]);
  expect(after).toBe(before);
  expect(await page.evaluate(() => window.shop.reranked)).toEqual([]);
}

test('with the model URL returning 404 the page stays exactly as rendered and shows no error', async ({ page }) => {
  const problems = watchProblems(page, (text, url) => url.includes('/missing/') && text.includes('404'));
  await captureServerDom(page);
  await page.goto(shopUrl('missing-model.html?impressionMs=50'));
  expect(await ready(page)).toBe(false);
  await page.locator('#top [data-lr-action="add_to_cart"]').first().click();
  await page.waitForTimeout(2500); // through the engine's first retry
  await expectUntouched(page);
  const rerank = await lr<{ personalized: boolean; items: Array<{ id: string }> }>(page, 'rerank', [{ id: '50' }, { id: '258' }]);
  expect(rerank.personalized).toBe(false);
  expect(rerank.items.map((i) => i.id)).toEqual(['50', '258']);
  expect(problems).toEqual([]);
});

for (const [name, setup] of [
  ['no Worker', (page: Page) => page.addInitScript(() => Reflect.deleteProperty(window, 'Worker'))],
  ['the engine file missing', (page: Page) => page.route('**/dist/localrank.js', (route) => route.fulfill({ status: 404, body: '' }))],
  ['an exception in the engine', (page: Page) => page.route('**/dist/localrank.js', (route) =>
    route.fulfill({ contentType: 'text/javascript', body: 'export async function createPersonalizer() { throw new TypeError("boom"); }' }))],
] as const) {
  test(`with ${name} the page stays exactly as rendered`, async ({ page }) => {
    const problems = watchProblems(page, (text) => text.includes('404'));
    await captureServerDom(page);
    await setup(page);
    await page.goto(shopUrl('index.html?impressionMs=50'));
    expect(await ready(page)).toBe(false);
    await page.locator('#top [data-lr-action="add_to_cart"]').first().click();
    await page.waitForTimeout(500);
    await expectUntouched(page);
    expect(problems).toEqual([]);
  });
}

test('without IndexedDB, in the page or the worker, nothing breaks and nothing persists', async ({ page }) => {
  const problems = watchProblems(page);
  const noIndexedDb = 'Object.defineProperty(globalThis, "indexedDB", { value: undefined, configurable: true });';
  await page.addInitScript(noIndexedDb);
  await page.route('**/dist/assets/worker-*.js', async (route) => {
    const original = await route.fetch();
    await route.fulfill({ response: original, body: `${noIndexedDb}\n${await original.text()}` });
  });
  await page.goto(shopUrl('index.html'));
  expect(await ready(page)).toBe(true);
  expect(await lr<{ storage: string }>(page, 'info')).toMatchObject({ storage: 'memory' });
  await lr(page, 'consent', false);
  expect(problems).toEqual([]);
});

test('a click that navigates away before the engine loaded is recorded by the next page', async ({ page }) => {
  let slow = true;
  await page.route('**/shop.css', async (route) => {
    if (slow) await new Promise((resolve) => setTimeout(resolve, 3000));
    await route.continue();
  });
  await page.goto(shopUrl('index.html?impressionMs=600000'), { waitUntil: 'domcontentloaded' });
  const first = (await domOrder(page, 'top'))[1]!;
  slow = false;
  await page.locator(`#top [data-lr-item="${first}"] a`).click();
  await page.waitForURL(/product\.html/);
  expect(await ready(page)).toBe(true);
  await expect
    .poll(async () => (await storedEvents(page)).map((e) => `${e.type}:${e.itemId}:${e.listId ?? ''}`))
    .toEqual(expect.arrayContaining([`click:${first}:top`, 'view:258:']));
  // The kept events were handed over and their outbox emptied (the order of a list the visitor saw
  // may be remembered beside it: that is the back button's, not the outbox).
  expect(await page.evaluate(() => Object.keys(sessionStorage).filter((key) => key.startsWith('localrank:outbox')))).toEqual([]);
});
