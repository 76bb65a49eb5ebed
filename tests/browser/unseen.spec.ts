/**
 * A shop of made-up words (tests/browser/fixtures/unseen: 24 products in 4 families, titles,
 * categories and brands the bundled model's logs never hold: checked here against the logs in
 * ../shared when they are beside the checkout), through the script tag with the bundled default
 * model: a newcomer gets the server's order; after three clicks on one family, the scorer, loaded
 * after that first personalised page, scores the items it has never seen by how they relate to the
 * clicks, and the family's other items lead.
 */
import { existsSync, readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import type { Info } from '../../src/index';
import type { RerankedDetail } from '../../src/tag/reorder';
import { clickTilesAndWait } from './storefront';
import './window';

interface Product {
  id: string;
  family: number;
  category: string[];
  brand: string;
  title: string;
  score: number;
}
const CATALOG = JSON.parse(readFileSync(new URL('./fixtures/unseen/catalog.json', import.meta.url), 'utf8')) as { items: Product[] };
const SERVER_ORDER = CATALOG.items.map((p) => p.id);
const PAGE = '/tests/browser/fixtures/unseen/index.html';
/** The family the visitor likes: the three of its items the server ranks lowest are clicked. */
const FAMILY = CATALOG.items.filter((p) => p.family === 2).map((p) => p.id);
const CLICKED = FAMILY.slice(-3);
const UNCLICKED = FAMILY.filter((id) => !CLICKED.includes(id));

declare global {
  interface Window {
    unseen: { reranked: RerankedDetail[] };
  }
}

async function rerankedNo(page: Page, n: number): Promise<RerankedDetail> {
  const handle = await page.waitForFunction((count) => window.unseen.reranked[count - 1], n, { timeout: 60_000 });
  return (await handle.jsonValue()) as RerankedDetail;
}

test('no word of the shop is in a log the bundled model was trained on', () => {
  const manifest = JSON.parse(readFileSync('public/models/default/manifest.json', 'utf8')) as { card: { readsAnyCatalogue: boolean }; ranker: { trainedOn: Array<{ path: string; text?: string }> } };
  expect(manifest.card.readsAnyCatalogue).toBe(true);
  const words = new Set(CATALOG.items.flatMap((p) => `${p.title} ${p.category.join(' ')} ${p.brand}`.toLowerCase().match(/[a-z0-9]+/g)!));
  let checked = 0;
  for (const source of manifest.ranker.trainedOn) {
    const files = [source.text, existsSync(`${source.path}/u.item`) ? `${source.path}/u.item` : undefined].filter((f): f is string => !!f && existsSync(f));
    for (const file of files) {
      const text = readFileSync(file, 'latin1').toLowerCase();
      for (const word of words) expect(new RegExp(`\\b${word}\\b`).test(text), `${word} in ${file}`).toBe(false);
      checked++;
    }
  }
  test.info().annotations.push({ type: 'logs checked', description: String(checked) });
});

test('script tag: a newcomer keeps the server order; the scorer then scores items it never saw, and the clicked family leads', async ({ page }) => {
  await page.goto(PAGE);
  const first = await rerankedNo(page, 1);
  expect(first.personalized).toBe(false);
  expect(first.modelScored).toBeUndefined();
  expect(first.order).toEqual(SERVER_ORDER);

  await clickTilesAndWait(page, CLICKED);
  await page.goto(PAGE);
  // The first personalised page is ranked from the taste and the head; the scorer loads after it.
  const personal = await rerankedNo(page, 1);
  expect(personal.personalized).toBe(true);
  await expect.poll(async () => ((await page.evaluate(() => window.localrank('info'))) as (Info & { model?: string }) | null)?.model, { timeout: 60_000 }).toBe('ready');
  await page.evaluate(() => window.localrank('refresh'));
  const handle = await page.waitForFunction(() => window.unseen.reranked.find((d) => d.modelScored), null, { timeout: 30_000 });
  const scored = (await handle.jsonValue()) as RerankedDetail;
  expect(scored.personalized).toBe(true);
  for (const id of UNCLICKED) expect(scored.modelScored, `${id} scored`).toContain(id);
  // Tiles the visitor has seen stay put; below the fold, the family's other items come first.
  const order = scored.order;
  for (const id of UNCLICKED) expect(order.indexOf(id), `${id} in ${order.join(' ')}`).toBeLessThan(CLICKED.length + UNCLICKED.length + 2);
});
