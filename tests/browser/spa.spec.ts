/**
 * The script tag on a single-page shop (fixtures/spa): lists rendered by script into a container
 * that stays, re-rendered on every pushState route (new children, or the same children patched),
 * grown by infinite scroll; product views on one `<main>` whose `data-lr-view` changes; the back
 * button. Nothing calls localrank: the tag finds every change itself.
 */
import { expect, test, type Page } from '@playwright/test';
import { expectedOrder, lr, order, reranked, rerankCount, sessionKeys, tracked, visible } from './storefront';

const SPA = '/tests/browser/fixtures/spa/index.html';

/** Waits until the page's next `localrank:reranked` of a list is there; returns it. */
async function nextRerank(page: Page, listId: string, before: number) {
  return reranked(page, listId, before + 1);
}

test('a list rendered by script into an existing, empty container is reordered', async ({ page }) => {
  await page.goto(`${SPA}?delay=1500`);
  expect(await order(page, '#grid')).toEqual([]);
  const detail = await reranked(page, 'catalogue');
  const server = Array.from({ length: 24 }, (_, i) => `p-${i}`);
  expect(detail.serverOrder).toEqual(server);
  const shown = await visible(page, '#grid');
  expect(detail).toMatchObject({ personalized: true, order: expectedOrder(server, shown) });
  expect(detail.moved).toBeGreaterThan(0);
  expect(await order(page, '#grid')).toEqual(detail.order);
});

for (const mode of ['replace', 'patch'] as const) {
  test(`a framework re-rendering the same container on each route is followed (${mode} children)`, async ({ page }) => {
    await page.goto(`${SPA}?mode=${mode}`);
    await reranked(page, 'catalogue');
    await page.evaluate(() => document.getElementById('grid')!.setAttribute('data-test', 'the first container'));
    // Hold the engine's answers back, to see each route as the page rendered it.
    await page.evaluate(() => (window.fakeEngineDelayMs = 300));

    for (const [link, server, n] of [
      ['Comedy', Array.from({ length: 24 }, (_, i) => `p-${i * 4}`), 2],
      ['All', Array.from({ length: 24 }, (_, i) => `p-${i}`), 3],
    ] as const) {
      await page.click(`nav a:text("${link}")`);
      const rendered = await order(page, '#grid');
      // A patching framework fills the elements it has where they are now: not in the server's order.
      if (mode === 'replace') expect(rendered).toEqual(server);
      else expect([...rendered].sort()).toEqual([...server].sort());
      const shown = await visible(page, '#grid');
      const detail = await reranked(page, 'catalogue', n);
      expect(detail.serverOrder).toEqual(server);
      expect(detail.order).toEqual(expectedOrder(server, shown, rendered));
      // Patched in place, the tiles may already stand where the engine wants them.
      if (mode === 'replace') expect(detail.moved).toBeGreaterThan(0);
      expect(await order(page, '#grid')).toEqual(detail.order);
    }
    expect(await page.getAttribute('#grid', 'data-test'), 'the container itself was never replaced').toBe('the first container');
  });
}

test('tiles appended by infinite scroll are tracked and reordered, with their server positions', async ({ page }) => {
  await page.goto(SPA);
  const first = await reranked(page, 'catalogue');
  await page.evaluate(() => window.app.loadMore());
  const grown = await nextRerank(page, 'catalogue', 1);
  const server = Array.from({ length: 48 }, (_, i) => `p-${i}`);
  expect(grown.serverOrder).toEqual(server);
  const now = await order(page, '#grid');
  expect(now).toEqual(grown.order);
  // The first page keeps what the visitor saw of it; the appended tiles take the places left.
  const shown = first.order.map((_, i) => i < first.pinned);
  first.order.forEach((id, i) => {
    if (shown[i]) expect(now[i]).toBe(id);
  });
  expect(now.slice(24)).not.toEqual(server.slice(24));

  await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
  await expect
    .poll(async () => (await tracked(page)).filter((e) => e.startsWith('impression:') && e.includes(':catalogue:')).length, { timeout: 10_000 })
    .toBeGreaterThan(24);
  for (const event of await tracked(page)) {
    const [type, item, list, position] = event.split(':');
    if (type === 'impression' && list === 'catalogue') expect(Number(position), item).toBe(server.indexOf(item!));
  }
});

test('changes inside the tiles while the engine thinks (a price, a badge) do not hold the reorder back; a new tile does', async ({ page }) => {
  await page.goto(`${SPA}?more=off`);
  await reranked(page, 'catalogue');
  await page.evaluate(() => (window.fakeEngineDelayMs = 400));
  await page.click('nav a:text("Comedy")');
  // A framework updating what the tiles show, as prices and stock badges come in.
  await page.evaluate(() => {
    for (const tile of document.querySelectorAll('#grid li')) tile.querySelector('button')!.innerHTML = '<b>Add</b> (in stock)';
  });
  const comedy = await reranked(page, 'catalogue', 2);
  expect(comedy.moved).toBeGreaterThan(0);
  expect(await order(page, '#grid')).toEqual(comedy.order);

  // A tile added while the engine thinks: the list is ranked again with it.
  await page.click('nav a:text("All")');
  await page.evaluate(() => window.app.loadMore());
  const grown = await reranked(page, 'catalogue', 3);
  expect(grown.serverOrder).toHaveLength(48);
  expect(await rerankCount(page, 'catalogue')).toBe(3);
});

test("refresh(element) reorders that list again on demand; refresh() every list", async ({ page }) => {
  await page.goto(SPA);
  await reranked(page, 'catalogue');
  await page.evaluate(() => window.scrollTo(0, 0));
  await lr(page, 'refresh', await page.$('#grid'));
  await nextRerank(page, 'catalogue', 1);
  await lr(page, 'refresh');
  await nextRerank(page, 'catalogue', 2);
  expect(await rerankCount(page, 'catalogue')).toBe(3);
});

for (const mode of ['replace', 'patch'] as const) {
  test(`back to a list shows the order the visitor saw, from its first frame (pushState, ${mode})`, async ({ page }) => {
    await page.goto(`${SPA}?mode=${mode}&more=off`);
    const seen = await reranked(page, 'catalogue');
    expect(seen.moved).toBeGreaterThan(0);
    await page.click(`#grid [data-lr-item="${seen.order[20]}"] a`);
    await expect(page.locator('#product')).toBeVisible();
    expect(await order(page, '#grid')).toEqual([]);

    await page.goBack();
    await expect.poll(() => order(page, '#grid')).toEqual(seen.order);
    expect(await page.evaluate(() => window.app.firstFrameOrder), 'never painted in the server order').toEqual(seen.order);
    const restored = await nextRerank(page, 'catalogue', 1);
    expect(restored).toMatchObject({ restored: true, order: seen.order, serverOrder: seen.serverOrder });

    await page.goForward();
    await expect(page.locator('#product')).toBeVisible();
    await page.goBack();
    await expect.poll(() => page.evaluate(() => window.app.firstFrameOrder)).toEqual(seen.order);
    // A new page: the engine is asked again.
    await page.click('nav a:text("Comedy")');
    const fresh = await nextRerank(page, 'catalogue', 3);
    expect(fresh.restored).toBeUndefined();
  });
}

test('without consent no order is kept: nothing in sessionStorage, back shows the server order', async ({ page }) => {
  await page.goto(`${SPA}?consent=required`);
  await page.click('#grid [data-lr-item="p-12"] a');
  await page.goBack();
  await expect.poll(() => order(page, '#grid')).toEqual(Array.from({ length: 24 }, (_, i) => `p-${i}`));
  expect(await sessionKeys(page)).toEqual([]);
  expect(await rerankCount(page, 'catalogue')).toBe(0);
});

test('a product view on the same element is recorded for each product; its buttons act on that product, every click counts', async ({ page }) => {
  await page.goto(SPA);
  await reranked(page, 'catalogue');
  await page.evaluate(() => window.app.navigate('?product=p-3'));
  await page.click('#add');
  await page.click('#add');
  await page.click('#buy');
  await page.evaluate(() => window.app.navigate('?product=p-5'));
  await page.click('#add');
  // The shop's tag manager reports the same click to the data layer: it is not counted twice.
  await page.evaluate(() => {
    window.dataLayer = window.dataLayer ?? [];
    window.dataLayer.push({ event: 'add_to_cart', ecommerce: { items: [{ item_id: 'p-5' }] } });
  });
  await page.goBack();
  await expect.poll(() => page.evaluate(() => document.querySelector('main')!.getAttribute('data-lr-view'))).toBe('p-3');
  await expect
    .poll(async () => (await tracked(page)).filter((e) => !e.startsWith('impression')))
    .toEqual([
      'view:p-3::',
      'add_to_cart:p-3::',
      'add_to_cart:p-3::',
      'purchase:p-3::',
      'view:p-5::',
      'add_to_cart:p-5::',
      'view:p-3::',
    ]);
});

test('an item shown in two lists gets an impression in each, and again on the next page', async ({ page }) => {
  await page.goto(`${SPA}?impressionMs=50`);
  await reranked(page, 'catalogue');
  const impressionsOf = async (item: string) => (await tracked(page)).filter((e) => e.startsWith(`impression:${item}:`));
  await expect.poll(() => impressionsOf('p-0')).toEqual(['impression:p-0:bestsellers:0', 'impression:p-0:catalogue:0']);
  await page.click('nav a:text("Comedy")');
  await expect.poll(async () => (await impressionsOf('p-0')).length).toBe(4);
});
