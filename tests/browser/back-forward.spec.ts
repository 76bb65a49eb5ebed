/**
 * Coming back to a reordered list of a server-rendered shop (fixtures/storefront), with and
 * without the back/forward cache; and a product page's buttons. Playwright turns the cache off by
 * default: this file turns it back on, and a page keeps itself out of it with an `unload` handler
 * (`?unload=1`), as many shops' scripts do. (Chromium 156 keeps `Cache-Control: no-store` pages in
 * the cache, measured.)
 */
import { expect, test, type Page } from '@playwright/test';
import config from '../../playwright.config';
import { order, reranked, sessionKeys, tracked } from './storefront';

test.use({ launchOptions: { ...config.use?.launchOptions, ignoreDefaultArgs: ['--disable-back-forward-cache'] } });

const LIST = '/tests/browser/fixtures/storefront/list.html';

/** Reorders the list, scrolls to a tile that moved, opens it, and comes back. */
async function visitAndReturn(page: Page, url: string): Promise<{ seen: string[]; clicked: string }> {
  await page.goto(url);
  const detail = await reranked(page, 'catalogue');
  expect(detail.moved).toBeGreaterThan(0);
  const clicked = detail.order[30]!;
  expect(clicked, 'a tile the reorder moved').not.toBe(detail.serverOrder[30]);
  await page.locator(`[data-lr-item="${clicked}"]`).scrollIntoViewIfNeeded();
  await page.click(`[data-lr-item="${clicked}"] a`);
  await page.waitForURL(/product\.html/);
  await expect(page.locator('main[data-lr-view]')).toHaveAttribute('data-lr-view', clicked);
  await page.goBack({ waitUntil: 'commit' });
  await page.waitForFunction(() => window.seen?.shown.length);
  return { seen: detail.order, clicked };
}

function inView(page: Page, id: string): Promise<boolean> {
  return page.$eval(`[data-lr-item="${id}"]`, (el) => {
    const r = el.getBoundingClientRect();
    return r.bottom > 0 && r.top < innerHeight;
  });
}

test('with the back/forward cache: back shows the list exactly as the visitor left it', async ({ page }) => {
  const { seen, clicked } = await visitAndReturn(page, LIST);
  expect(await page.evaluate(() => window.seen.shown)).toEqual([
    { persisted: false, type: 'navigate' },
    { persisted: true, type: 'navigate' },
  ]);
  expect(await order(page, '#grid')).toEqual(seen);
  expect(await inView(page, clicked)).toBe(true);
  await page.waitForTimeout(500);
  expect(await page.evaluate(() => window.seen.reranked.length), 'nothing reordered again').toBe(1);
});

test('without the back/forward cache: the page reloads and shows the order the visitor saw, the clicked tile in view', async ({ page }) => {
  const { seen, clicked } = await visitAndReturn(page, `${LIST}?unload=1`);
  expect(await page.evaluate(() => window.seen.shown)).toEqual([{ persisted: false, type: 'back_forward' }]);
  const restored = await reranked(page, 'catalogue');
  expect(restored).toMatchObject({ restored: true, order: seen });
  expect(await order(page, '#grid')).toEqual(seen);
  await page.waitForLoadState('load');
  await expect.poll(() => inView(page, clicked)).toBe(true);
  // The engine is not asked again for a list put back as it was.
  await page.waitForFunction(() => window.fakeEngine !== undefined);
  await page.waitForTimeout(300);
  expect(await page.evaluate(() => window.fakeEngine.reranks.length)).toBe(0);
  expect(await page.evaluate(() => window.seen.reranked.length)).toBe(1);
});

test('a new visit to the list is not a way back: it is ranked afresh', async ({ page }) => {
  await visitAndReturn(page, `${LIST}?unload=1`);
  await page.goto(`${LIST}?unload=1`);
  const fresh = await reranked(page, 'catalogue');
  expect(fresh.restored).toBeUndefined();
});

test('without consent nothing is kept for the way back, and no order is put back', async ({ page }) => {
  await page.goto(`${LIST}?unload=1&consent=required`);
  await page.click('[data-lr-item="p-30"] a');
  await page.waitForURL(/product\.html/);
  expect(await sessionKeys(page)).toEqual([]);
  await page.goBack();
  expect(await order(page, '#grid')).toEqual(Array.from({ length: 48 }, (_, i) => `p-${i}`));
  expect(await sessionKeys(page)).toEqual([]);
});

test("a product page's buttons count for the product viewed, every genuine click, once with the data layer", async ({ page }) => {
  await page.goto('/tests/browser/fixtures/storefront/product.html?id=p-7');
  await page.waitForFunction(() => window.fakeEngine !== undefined);
  await page.click('#add');
  await page.click('#add');
  await page.click('#buy');
  await expect.poll(() => tracked(page)).toEqual(['view:p-7::', 'add_to_cart:p-7::', 'add_to_cart:p-7::', 'purchase:p-7::']);
});
