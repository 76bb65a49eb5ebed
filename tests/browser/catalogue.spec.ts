/**
 * A shop whose catalogue the bundled model never saw (tests/browser/fixtures/garden: 40 garden
 * products, ids `g-1000`..., categories, brands, prices, titles of our own making), through the npm
 * entry and through the script tag, with the bundled default model: a visitor with no history gets
 * the server's order unchanged; a few clicks on one category raise that category's other items;
 * `forget()` brings the server's order back.
 */
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import type { RerankResult } from '../../src/index';
import type { RerankedDetail } from '../../src/tag/reorder';
import { call, open } from './harness';
import { clickTilesAndWait } from './storefront';
import './window';

interface Product {
  id: string;
  score: number;
  features: { category: string[]; brand: string; price: number; text: string };
}
const CATALOG = (JSON.parse(readFileSync(new URL('./fixtures/garden/catalog.json', import.meta.url), 'utf8')) as { items: Product[] }).items;
const SERVER_ORDER = CATALOG.map((p) => p.id);
const SEEDS = CATALOG.filter((p) => p.features.category[1] === 'Seeds').map((p) => p.id);
/** The visitor clicks the four seed packets the server ranks lowest; the other four must rise. */
const CLICKED = SEEDS.slice(-4);
const UNCLICKED = SEEDS.filter((id) => !CLICKED.includes(id));
const GARDEN = '/tests/browser/fixtures/garden/index.html';

test('npm entry: no history keeps the server order, clicks on seeds raise the other seeds, forget() restores', async ({ page }) => {
  // The bundled default model, as `createPersonalizer()` gives it: no `model` option.
  await open(page, { namespace: 'garden-npm', model: undefined });
  const newcomer = await call<RerankResult>(page, 'rerank', CATALOG);
  expect(newcomer.personalized).toBe(false);
  expect(newcomer.fallback?.code).toBe('NO_EVIDENCE');
  expect(newcomer.items.map((i) => i.id)).toEqual(SERVER_ORDER);

  const now = Date.now();
  const shown = CATALOG.slice(0, 16).map((p, position) => ({ type: 'impression', itemId: p.id, listId: 'bestsellers', position, time: now - 60_000, features: p.features }));
  const clicks = CLICKED.map((id, i) => ({ type: 'click', itemId: id, listId: 'bestsellers', position: SERVER_ORDER.indexOf(id), time: now - 50_000 + i * 1000 }));
  await call(page, 'track', [...shown, ...clicks]);
  const after = await call<RerankResult>(page, 'rerank', CATALOG, { explain: true });
  expect(after.personalized).toBe(true);
  const rank = (id: string) => after.items.findIndex((i) => i.id === id);
  for (const id of UNCLICKED) expect(rank(id), `${id}: server position ${SERVER_ORDER.indexOf(id)}`).toBeLessThan(10);
  const explained = after.items.find((i) => UNCLICKED.includes(i.id))?.reason?.text;
  expect(explained).toMatch(/^Because you viewed .*seed/i);

  await call(page, 'forget');
  const forgotten = await call<RerankResult>(page, 'rerank', CATALOG);
  expect(forgotten.personalized).toBe(false);
  expect(forgotten.items.map((i) => i.id)).toEqual(SERVER_ORDER);
});

async function reranked(page: Page): Promise<RerankedDetail> {
  const handle = await page.waitForFunction(() => window.garden.reranked.find((d) => d.listId === 'bestsellers'), null, { timeout: 60_000 });
  return (await handle.jsonValue()) as RerankedDetail;
}

function domOrder(page: Page): Promise<string[]> {
  return page.$$eval('#bestsellers [data-lr-item]', (tiles) => tiles.map((t) => t.getAttribute('data-lr-item')!));
}

test('script tag: a newcomer sees the server order, clicked seeds raise the other seeds on the next page, forget restores', async ({ page }) => {
  await page.goto(GARDEN);
  const first = await reranked(page);
  expect(first.personalized).toBe(false);
  expect(await domOrder(page)).toEqual(SERVER_ORDER);

  await clickTilesAndWait(page, CLICKED);

  await page.goto(GARDEN);
  const second = await reranked(page);
  expect(second.personalized).toBe(true);
  const order = await domOrder(page);
  for (const id of UNCLICKED) expect(order.indexOf(id), `${id} in ${order.join(' ')}`).toBeLessThan(10);

  await page.evaluate(() => window.localrank('forget'));
  await page.goto(GARDEN);
  const third = await reranked(page);
  expect(third.personalized).toBe(false);
  expect(await domOrder(page)).toEqual(SERVER_ORDER);
});
