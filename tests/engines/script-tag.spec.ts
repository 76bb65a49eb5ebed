/**
 * The script tag (dist/localrank.iife.js, loading dist/localrank.js and its worker) in each engine,
 * on a server-rendered page (tests/browser/fixtures/shop, garden) and on a page whose list is
 * rendered by script after load (fixtures/client-rendered.html), with the real engine.
 */
import { readFileSync } from 'node:fs';
import type { RerankedDetail } from '../../src/tag/reorder';
import { engineTest, expect, tag, type Driver } from './harness';

interface Product {
  id: string;
  features: { category: string[] };
}
const CATALOG = (JSON.parse(readFileSync(new URL('../browser/fixtures/garden/catalog.json', import.meta.url), 'utf8')) as { items: Product[] }).items;
const SERVER_ORDER = CATALOG.map((p) => p.id);
const SEEDS = CATALOG.filter((p) => p.features.category[1] === 'Seeds').map((p) => p.id);
/** The visitor clicks the four seed packets the server ranks lowest; the other four must rise. */
const CLICKED = SEEDS.slice(-4);
const UNCLICKED = SEEDS.filter((id) => !CLICKED.includes(id));

type Stored = { type: string; itemId: string; listId?: string };

async function storedEvents(driver: Driver): Promise<Stored[]> {
  return (await tag<{ events: Stored[] } | null>(driver, 'exportData'))?.events ?? [];
}

/** The page's first `localrank:reranked` of the garden's list. */
function reranked(driver: Driver): Promise<RerankedDetail> {
  return driver.waitFor(() => window.garden.reranked.find((d) => d.listId === 'bestsellers') ?? null, undefined, { timeoutMs: 60_000, what: 'the bestsellers reranked' });
}

const domOrder = (driver: Driver) => driver.evaluate(() => Array.from(document.querySelectorAll('#bestsellers [data-lr-item]'), (t) => t.getAttribute('data-lr-item')!));

/** Clicks each tile's link (a real click) and waits until every click is stored. */
async function clickTiles(driver: Driver, ids: readonly string[]): Promise<void> {
  for (const id of ids) await driver.click(`[data-lr-item="${id}"] a`);
  await expect.poll(async () => (await storedEvents(driver)).filter((e) => e.type === 'click').map((e) => e.itemId).sort(), { timeout: 30_000 }).toEqual([...ids].sort());
}

/** A newcomer gets the server's order; four clicks on seeds raise the other seeds on the next page view. */
async function reorderAfterClicks(driver: Driver, url: string): Promise<void> {
  await driver.goto(url);
  const first = await reranked(driver);
  expect(first.personalized).toBe(false);
  expect(await domOrder(driver)).toEqual(SERVER_ORDER);

  await clickTiles(driver, CLICKED);

  await driver.goto(url);
  const second = await reranked(driver);
  expect(second.personalized).toBe(true);
  const order = await domOrder(driver);
  expect(order).toEqual(second.order);
  expect([...order].sort()).toEqual([...SERVER_ORDER].sort());
  for (const id of UNCLICKED) expect(order.indexOf(id), `${id} in ${order.join(' ')}`).toBeLessThan(10);
}

engineTest('script tag, server-rendered page: calls queued before it loaded are replayed, none lost', async ({ driver }) => {
  await driver.goto('/tests/browser/fixtures/shop/index.html?impressionMs=600000');
  const ready = await driver.waitFor(() => (window.shop.ready === undefined ? null : { ready: window.shop.ready }), undefined, { timeoutMs: 60_000, what: "the queued 'ready' callback" });
  expect(ready.ready).toBe(true);
  expect(await driver.evaluate(() => typeof (window.localrank as unknown as { q?: unknown }).q)).toBe('undefined');
  const events = await storedEvents(driver);
  // Queued by shop-before.js with track() before the library loaded, and a GA4 view_item pushed to the dataLayer.
  expect(events.map((e) => `${e.type}:${e.itemId}`)).toEqual(expect.arrayContaining(['click:172', 'view:82', 'add_to_cart:144', 'view:195']));
  expect(events.find((e) => e.itemId === '172')?.listId).toBe('home');
  // The shop's two lists were reordered (by the model: the shop asks for serverWeight 0).
  const lists = await driver.waitFor(() => (window.shop.reranked.length >= 2 ? window.shop.reranked.map((d) => d.listId).sort() : null), undefined, { timeoutMs: 60_000 });
  expect(lists).toEqual(['recs', 'top']);
});

engineTest('script tag, server-rendered page: a newcomer sees the server order; clicks reorder the next page view', async ({ driver }) => {
  await reorderAfterClicks(driver, '/tests/browser/fixtures/garden/index.html');
});

engineTest('script tag, client-rendered page: a list rendered after load by script is reordered after clicks', async ({ driver }) => {
  const url = '/tests/engines/fixtures/client-rendered.html';
  await reorderAfterClicks(driver, url);
  const rendered = await driver.evaluate(() => (window.garden as { renderedAfterLoad?: boolean }).renderedAfterLoad);
  expect(rendered, 'the list was rendered by script after the load event').toBe(true);
});
