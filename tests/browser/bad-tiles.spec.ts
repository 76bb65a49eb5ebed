/**
 * A list with bad tiles (fixtures/bad-tiles): an empty id, an id over 256 characters, an id twice,
 * a category 20 levels deep, prices as shops print them and one that is no price. Each bad tile
 * costs only itself: the rest of the list is tracked and reordered, and the shop is told why.
 */
import { expect, test } from '@playwright/test';
import type { Candidate } from '../../src/index';
import type { Diagnosis } from '../../src/tag/tag';
import { lr, reranked } from './storefront';

const PAGE = '/tests/browser/fixtures/bad-tiles/index.html';
const LONG = 'x'.repeat(300);

test('bad tiles stay where they are, the rest of the list is reordered, and the shop is told why', async ({ page }) => {
  await page.goto(PAGE);
  const before = await page.$$eval('#grid > *', (children) => children.map((c) => c.getAttribute('data-lr-item') ?? '[banner]'));
  const detail = await reranked(page, 'deals');
  const good = ['p-0', 'p-1', 'p-2', 'p-3', 'p-5', 'p-7', 'p-9', 'p-10', 'p-11', 'p-12', 'p-13'];
  expect(detail).toMatchObject({ personalized: true, serverOrder: good, order: [...good].reverse(), moved: 10 });
  const after = await page.$$eval('#grid > *', (children) => children.map((c) => c.getAttribute('data-lr-item') ?? '[banner]'));
  const reversed = [...good].reverse();
  const skipped = new Set(['t4', 't6', 't8']);
  const ids = await page.$$eval('#grid > *', (children) => children.map((c) => c.id));
  expect(after).toEqual(before.map((id, i) => (id === '[banner]' || skipped.has(ids[i]!) ? id : reversed.shift())));

  const warnings = await page.evaluate(() => window.seen.warnings);
  expect(warnings).toEqual(
    expect.arrayContaining([
      { code: 'BAD_PRICE', attribute: 'data-lr-price', itemId: 'p-3', listId: 'deals', skipped: false, tag: 'LI', id: expect.any(String) },
      { code: 'EMPTY_ID', attribute: 'data-lr-item', listId: 'deals', skipped: true, tag: 'LI', id: expect.any(String) },
      { code: 'CATEGORY_TOO_DEEP', attribute: 'data-lr-category', itemId: 'p-5', listId: 'deals', skipped: false, tag: 'LI', id: expect.any(String) },
      { code: 'DUPLICATE_ID', attribute: 'data-lr-item', itemId: 'p-3', listId: 'deals', skipped: true, tag: 'LI', id: expect.any(String) },
      { code: 'ID_TOO_LONG', attribute: 'data-lr-item', listId: 'deals', skipped: true, tag: 'LI', id: expect.any(String) },
    ]),
  );
  expect(warnings).toHaveLength(5);

  // What the engine was asked: the good tiles only, with what could be read of them.
  const sent = await page.evaluate(() => window.fakeEngine.reranks[0]!);
  const byId = new Map(sent.map((c: Candidate) => [c.id, c.features]));
  expect(sent.map((c: Candidate) => c.id)).toEqual(good);
  expect([byId.get('p-0')?.price, byId.get('p-1')?.price, byId.get('p-2')?.price, byId.get('p-3')?.price]).toEqual([89, 1299, 1299, undefined]);
  expect(byId.get('p-5')?.category).toEqual(Array.from({ length: 16 }, (_, i) => `L${i}`));
  expect(byId.get('p-7')).toMatchObject({ tags: ['vegan', 'gift'], attributes: { color: 'red', material: ['cotton', 'linen'] } });
});

test("localrank('diagnose') lists the tiles left out and why", async ({ page }) => {
  await page.goto(PAGE);
  await reranked(page, 'deals');
  const diagnosis = await page.evaluate(async () => {
    const d = (await window.localrank('diagnose')) as Diagnosis;
    return { ...d, warnings: d.warnings.map(({ element, ...w }) => ({ ...w, id: element.id })) };
  });
  expect(diagnosis).toMatchObject({ namespace: 'bad-tiles', consent: 'granted', engine: 'ready', personalizing: true });
  const told = (skipped: boolean) => diagnosis.warnings.filter((w) => w.skipped === skipped).map((w) => `${w.id} ${w.code}`).sort();
  expect(told(true)).toEqual(['t4 EMPTY_ID', 't6 DUPLICATE_ID', 't8 ID_TOO_LONG']);
  expect(told(false)).toEqual(['t3 BAD_PRICE', 't5 CATEGORY_TOO_DEEP']);
});

test('with the real engine a tile with a deep category is recorded and the list is ranked, not refused', async ({ page }) => {
  // The fixture's engine becomes the real one (dist/localrank.js, its default model).
  await page.route('**/fixtures/fake-engine.js', (route) =>
    route.fulfill({ contentType: 'text/javascript', body: 'export { createPersonalizer } from "/dist/localrank.js";' }),
  );
  await page.goto(PAGE);
  expect(await lr(page, 'ready')).toBe(true);
  const detail = await reranked(page, 'deals');
  expect(detail.fallback?.code ?? 'none').not.toMatch(/^INVALID|DUPLICATE_ID|MISSING_ID/);
  await page.locator('#t5').scrollIntoViewIfNeeded();
  await page.click('#t5 a');
  await page.click(`[data-lr-item="${LONG}"] a`);
  await expect
    .poll(async () => ((await lr<{ events: Array<{ type: string; itemId: string; features?: { category?: string[] } }> }>(page, 'exportData')).events ?? []).filter((e) => e.type === 'click'))
    .toEqual([expect.objectContaining({ itemId: 'p-5', features: expect.objectContaining({ category: Array.from({ length: 16 }, (_, i) => `L${i}`) }) })]);
});

test('with the real engine, page calls with more tags than are read are cut, stored and ranked, and the shop is told once', async ({ page }) => {
  await page.route('**/fixtures/fake-engine.js', (route) =>
    route.fulfill({ contentType: 'text/javascript', body: 'export { createPersonalizer } from "/dist/localrank.js";' }),
  );
  await page.goto(PAGE);
  expect(await lr(page, 'ready')).toBe(true);
  // An artist of S3-Rec's LastFM: 625 tags.
  const tags = Array.from({ length: 625 }, (_, i) => `tag ${i}`);
  await lr(page, 'track', { type: 'click', itemId: 'artist-1', features: { tags } });
  const result = await lr<{ items: Array<{ id: string }>; fallback?: { code: string } }>(page, 'rerank', [
    { id: 'artist-1', features: { tags } },
    { id: 'artist-2', features: { tags: ['tag 1'] } },
  ]);
  expect(result.fallback?.code ?? 'none').not.toMatch(/^INVALID/);
  expect(result.items.map((item) => item.id).sort()).toEqual(['artist-1', 'artist-2']);
  await expect
    .poll(async () => ((await lr<{ events: Array<{ itemId: string; features?: { tags?: string[] } }> }>(page, 'exportData')).events ?? []).find((e) => e.itemId === 'artist-1')?.features?.tags)
    .toEqual(tags.slice(0, 64));
  const warnings = await page.evaluate(() => window.seen.warnings.filter((w) => w.attribute === 'features.tags'));
  expect(warnings).toEqual([{ code: 'TOO_MANY', attribute: 'features.tags', skipped: false, tag: 'SCRIPT', id: expect.any(String) }]);
});
