/**
 * A 2,000-tile server-rendered grid (fixtures/long-list) reordered by the script tag, every
 * movable tile moving (the stand-in engine reverses the list): in slices, one per frame, none a
 * long task of the main thread; nothing in view ever moves, even while the visitor scrolls through
 * the list as it is being reordered. CPU time comes from a Chromium trace: on a busy machine a
 * task's wall-clock time includes waiting for a core.
 */
import { expect, test } from '@playwright/test';
import { mainTasks, traced } from '../../scripts/bench/reorder';
import { order, reranked } from './storefront';

const PAGE = '/tests/browser/fixtures/long-list/index.html';

test('2,000 tiles are reordered in slices, none a long task of CPU time, with no layout shift', async ({ browser, page }) => {
  const { result: detail, events } = await traced(browser, page, async () => {
    await page.goto(PAGE);
    return reranked(page, 'catalogue');
  });
  expect(detail).toMatchObject({ personalized: true, pinned: expect.any(Number) });
  expect(detail.moved).toBeGreaterThan(1900);
  expect(await order(page, '#grid')).toEqual(detail.order);
  const slices = events.filter((e) => e.name === 'localrank:reorder' && e.ph === 'b');
  expect(slices.length).toBeGreaterThan(5);
  const tasks = mainTasks(events, slices[0]!.ts, slices[slices.length - 1]!.ts + 200_000);
  expect(tasks.length).toBeGreaterThan(slices.length);
  expect(Math.max(...tasks.map(([, cpu]) => cpu)), 'the longest main-thread task, CPU ms').toBeLessThan(50);
  expect(await page.evaluate(() => window.seen.shifts)).toEqual([]);
});

test('nothing in view moves, even while the visitor scrolls through the list as it is reordered', async ({ page }) => {
  await page.goto(`${PAGE}?frames=1`);
  await page.waitForFunction(() => performance.getEntriesByName('localrank:reorder').length > 0);
  // Ahead of the moves (they go top down): into the part of the list not reordered yet, then on.
  await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight / 2));
  for (let i = 0; i < 10; i++) {
    await page.mouse.wheel(0, 300);
    await page.waitForTimeout(50);
  }
  const detail = await reranked(page, 'catalogue');
  expect(detail.moved).toBeGreaterThan(100);
  const frames = await page.evaluate(() => window.painted);
  let compared = 0;
  for (let f = 1; f < frames.length; f++) {
    for (const [place, item] of Object.entries(frames[f]!)) {
      const before = frames[f - 1]![place];
      if (before === undefined) continue;
      compared++;
      expect(item, `frame ${f}, place ${place}`).toBe(before);
    }
  }
  expect(compared).toBeGreaterThan(100);
});
