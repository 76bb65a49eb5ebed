/**
 * `data-lr-rerank="animate"` on a carousel (fixtures/carousel): six tiles in view, six scrolled out
 * to the right. With motion allowed every tile may move and glides; for a visitor who prefers
 * reduced motion no tile in view moves at all, and nothing shifts.
 */
import { expect, test } from '@playwright/test';
import { expectedOrder, order, reranked, visible } from './storefront';

const PAGE = '/tests/browser/fixtures/carousel/index.html';
const SERVER = Array.from({ length: 12 }, (_, i) => `c-${i}`);

test.beforeEach(async ({ page }) => {
  await page.addInitScript(() => {
    document.addEventListener('localrank:reranked', (e) => {
      window.animations = { carousel: (e.target as Element).getAnimations({ subtree: true }).length };
    });
  });
});

test('with reduced motion the tiles in view stay where they are, the others take the new order, nothing shifts', async ({ page }) => {
  await page.emulateMedia({ reducedMotion: 'reduce' });
  await page.goto(PAGE);
  const shown = await visible(page, '#carousel');
  expect(shown.filter(Boolean).length).toBeGreaterThan(2);
  expect(shown.every(Boolean)).toBe(false);
  const detail = await reranked(page, 'carousel');
  expect(detail.order).toEqual(expectedOrder(SERVER, shown));
  expect(detail).toMatchObject({ pinned: shown.filter(Boolean).length, moved: shown.filter((s) => !s).length });
  expect(await order(page, '#carousel')).toEqual(detail.order);
  await page.waitForTimeout(500);
  expect(await page.evaluate(() => window.animations.carousel)).toBe(0);
  expect(await page.evaluate(() => window.seen.shifts)).toEqual([]);
});

test('with motion allowed every tile may move, gliding to its place', async ({ page }) => {
  await page.goto(PAGE);
  const detail = await reranked(page, 'carousel');
  expect(detail).toMatchObject({ pinned: 0, moved: 12, order: [...SERVER].reverse() });
  expect(await page.evaluate(() => window.animations.carousel)).toBeGreaterThan(0);
});
