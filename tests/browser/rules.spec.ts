/**
 * The shop's rules and the A/B holdout in real Chromium, with the built library and the bundled
 * default model, on the garden catalogue (fixtures/garden/catalog.json): each rule holds through
 * the npm API and through the script tag's markup (fixtures/rules/index.html: one list per rule),
 * for a newcomer (the server's order, a fallback) and for a visitor whose clicks make the model
 * reorder; a holdout of 1 gives the server's order with `arm: 'control'` in the result, `info()`
 * and `localrank:reranked`; the GA4 exposure is pushed once per page view, and only with
 * `data-report="datalayer"`. Exploration gives its positions to items the visitor was never shown.
 */
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import type { RerankOptions, RerankResult } from '../../src/index';
import type { RerankedDetail } from '../../src/tag/reorder';
import { call, open } from './harness';
import { lr } from './storefront';
import './window';

interface Product {
  id: string;
  score: number;
  features: { category: string[]; brand: string; price: number; text: string; attributes?: Record<string, boolean> };
}
const GARDEN = (JSON.parse(readFileSync(new URL('./fixtures/garden/catalog.json', import.meta.url), 'utf8')) as { items: Product[] }).items;
/** Out of stock on the fixture page too (`data-lr-attr-instock="false"`): two seed packets the model would raise, and a pot. */
const OUT_OF_STOCK = ['g-1007', 'g-1001', 'g-1018'];
const CATALOG: Product[] = GARDEN.map((p) => ({ ...p, features: { ...p.features, attributes: { inStock: !OUT_OF_STOCK.includes(p.id) } } }));
const SERVER_ORDER = CATALOG.map((p) => p.id);
const product = new Map(CATALOG.map((p) => [p.id, p]));
const SEEDS = CATALOG.filter((p) => p.features.category[1] === 'Seeds').map((p) => p.id);
const PAGE = '/tests/browser/fixtures/rules/index.html';

/** The rules of each list of the fixture page, as npm options. */
const RULES = {
  plain: {},
  kept: { keepTop: 3 },
  pinned: { pin: { 'g-1017': 1, 'g-1035': 4 } },
  stock: { exclude: [{ field: 'inStock', equals: false }, 'g-1031'] },
  boosted: { boost: [{ field: 'brand', equals: 'Bloomfield', weight: 1 }], bury: [{ field: 'price', min: 50, weight: 1 }] },
  capped: { maxPerGroup: { field: 'category', max: 2, within: 8 } },
} satisfies Record<string, RerankOptions>;
type ListId = keyof typeof RULES;
const LISTS = Object.keys(RULES) as ListId[];
const RULED = LISTS.filter((id) => id !== 'plain');
/** What `exclude` leaves out, in the server's order. */
const EXCLUDED = SERVER_ORDER.filter((id) => OUT_OF_STOCK.includes(id) || id === 'g-1031');

/** Asserts that `order` (the items shown, best first) respects the rule of `list`. */
function expectRule(list: ListId, order: string[], excluded: string[] | undefined): void {
  const shown = SERVER_ORDER.filter((id) => list !== 'stock' || !EXCLUDED.includes(id));
  expect([...order].sort(), `${list}: every item shown once`).toEqual([...shown].sort());
  switch (list) {
    case 'kept':
      expect(order.slice(0, 3)).toEqual(SERVER_ORDER.slice(0, 3));
      break;
    case 'pinned':
      expect(order[1]).toBe('g-1017');
      expect(order[4]).toBe('g-1035');
      break;
    case 'stock':
      expect(excluded).toEqual(EXCLUDED);
      break;
    case 'boosted': {
      // Boost and bury add up: a Bloomfield item from 50 up is neither lifted nor lowered.
      const lift = (id: string) => (product.get(id)!.features.brand === 'Bloomfield' ? 1 : 0) - (product.get(id)!.features.price >= 50 ? 1 : 0);
      const lifts = order.map(lift);
      expect(lifts, order.join(' ')).toEqual([...lifts].sort((a, b) => b - a));
      break;
    }
    case 'capped': {
      const counts = new Map<string, number>();
      for (const id of order.slice(0, 8)) {
        const category = product.get(id)!.features.category.join('>');
        counts.set(category, (counts.get(category) ?? 0) + 1);
      }
      expect(Math.max(...counts.values()), order.slice(0, 8).join(' ')).toBeLessThanOrEqual(2);
      break;
    }
    case 'plain':
      break;
  }
  if (list !== 'stock') expect(excluded ?? []).toEqual([]);
}

/** Shown the first 16 of the list, the visitor clicks the four seed packets the server ranks lowest. */
function seedLover(now = Date.now()) {
  const shown = CATALOG.slice(0, 16).map((p, position) => ({ type: 'impression', itemId: p.id, listId: 'bestsellers', position, time: now - 60_000, features: p.features }));
  const clicks = SEEDS.slice(-4).map((id, i) => ({ type: 'click', itemId: id, listId: 'bestsellers', position: SERVER_ORDER.indexOf(id), time: now - 50_000 + i * 1000, features: product.get(id)!.features }));
  return [...shown, ...clicks];
}

const ids = (result: RerankResult) => result.items.map((i) => i.id);
const excludedIds = (result: RerankResult) => result.excluded?.map((e) => e.id);

test.describe('npm API', () => {
  test('a newcomer gets the server order with every rule applied, excluded items reported', async ({ page }) => {
    await open(page, { namespace: 'rules-npm', model: undefined });
    for (const list of LISTS) {
      const result = await call<RerankResult>(page, 'rerank', CATALOG, RULES[list]);
      expect(result.personalized, list).toBe(false);
      expect(result.fallback?.code, list).toBe('NO_EVIDENCE');
      expect(result.arm, list).toBe('treatment');
      expectRule(list, ids(result), excludedIds(result));
    }
    const stock = await call<RerankResult>(page, 'rerank', CATALOG, RULES.stock);
    expect(stock.excluded).toEqual(EXCLUDED.map((id) => ({ id, serverRank: SERVER_ORDER.indexOf(id), rule: id === 'g-1031' ? 1 : 0 })));
    // Without rules, nothing moves.
    expect(ids(await call<RerankResult>(page, 'rerank', CATALOG))).toEqual(SERVER_ORDER);
  });

  test('after clicks the model reorders, and every rule still holds, alone and all together', async ({ page }) => {
    await open(page, { namespace: 'rules-npm', model: undefined });
    await call(page, 'track', seedLover());
    const free = await call<RerankResult>(page, 'rerank', CATALOG);
    expect(free.personalized).toBe(true);
    expect(ids(free)).not.toEqual(SERVER_ORDER);
    for (const list of RULED) {
      const result = await call<RerankResult>(page, 'rerank', CATALOG, RULES[list]);
      expect(result.personalized, list).toBe(true);
      expectRule(list, ids(result), excludedIds(result));
    }
    // The rules make a difference to what the model alone would show.
    expect(ids(free).slice(0, 3)).not.toEqual(SERVER_ORDER.slice(0, 3));
    expect(ids(free).filter((id) => EXCLUDED.includes(id)).length).toBe(EXCLUDED.length);
    const seedsOnTop = ids(free).slice(0, 8).filter((id) => SEEDS.includes(id)).length;
    expect(seedsOnTop, ids(free).slice(0, 8).join(' ')).toBeGreaterThan(2);

    // All at once: exclude first, then the first three, the pins, boost / bury and the cap over the rest.
    const all = await call<RerankResult>(page, 'rerank', CATALOG, { keepTop: 3, pin: { 'g-1017': 5 }, exclude: RULES.stock.exclude, maxPerGroup: RULES.capped.maxPerGroup });
    const order = ids(all);
    expect(excludedIds(all)).toEqual(EXCLUDED);
    expect(order.some((id) => EXCLUDED.includes(id))).toBe(false);
    const keptTop = SERVER_ORDER.filter((id) => !EXCLUDED.includes(id)).slice(0, 3);
    expect(order.slice(0, 3)).toEqual(keptTop);
    expect(order[5]).toBe('g-1017');
    expect(order.slice(0, 8).filter((id) => SEEDS.includes(id)).length).toBeLessThanOrEqual(2);
  });

  test('explore: 0.1 gives positions 5 and 15 to items the visitor was never shown, with their reason; off by default', async ({ page }) => {
    await open(page, { namespace: 'rules-explore', model: undefined });
    const events = seedLover();
    await call(page, 'track', events);
    const seen = new Set(events.map((e) => e.itemId));
    const NEW = 'Something new for you';
    const plain = await call<RerankResult>(page, 'rerank', CATALOG, { explain: true });
    expect(plain.items.filter((i) => i.reason?.text === NEW)).toEqual([]);
    const explored = await call<RerankResult>(page, 'rerank', CATALOG, { explore: 0.1, explain: true });
    expect(explored.personalized).toBe(true);
    expect([...ids(explored)].sort()).toEqual([...SERVER_ORDER].sort());
    for (const position of [5, 15]) {
      const item = explored.items[position];
      expect(seen.has(item.id), `${item.id} at ${position} was never shown`).toBe(false);
      expect(item.reason?.text, `${item.id} at ${position}`).toBe(NEW);
    }
    expect(explored.items.filter((i) => i.reason?.text === NEW)).toHaveLength(2);
    // A rule still wins over exploration: the first three stay the server's.
    const kept = await call<RerankResult>(page, 'rerank', CATALOG, { explore: 0.1, keepTop: 3 });
    expect(ids(kept).slice(0, 3)).toEqual(SERVER_ORDER.slice(0, 3));
  });

  test('a boost or bury weight outside 0..1 is refused as INVALID_OPTIONS', async ({ page }) => {
    await open(page, { namespace: 'rules-npm', model: undefined });
    const code = await page.evaluate(async (catalog) => {
      try {
        await window.lr.rerank(catalog, { boost: [{ field: 'brand', equals: 'Verdant', weight: 2 }] });
        return null;
      } catch (e) {
        return (e as { code: string }).code;
      }
    }, CATALOG);
    expect(code).toBe('INVALID_OPTIONS');
  });

  test('holdout 1: the server order (with the rules) and arm control in every result and in info(); events still recorded', async ({ page }) => {
    await open(page, { namespace: 'rules-npm', model: undefined, holdout: 1 });
    await call(page, 'track', seedLover());
    const plain = await call<RerankResult>(page, 'rerank', CATALOG);
    expect(plain).toMatchObject({ personalized: false, arm: 'control', fallback: { code: 'HOLDOUT' } });
    expect(ids(plain)).toEqual(SERVER_ORDER);
    for (const list of RULED) {
      const result = await call<RerankResult>(page, 'rerank', CATALOG, RULES[list]);
      expect(result.arm, list).toBe('control');
      expect(result.personalized, list).toBe(false);
      expectRule(list, ids(result), excludedIds(result));
    }
    const info = await call<{ arm: string; events: number }>(page, 'info');
    expect(info.arm).toBe('control');
    expect(info.events).toBe(seedLover().length);
    // A holdout of 1 keeps nothing on the device to decide it.
    expect(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('localrank')))).toEqual([]);
  });
});

/** Records the visitor's clicks in the page's namespace through the npm entry, then leaves the page. */
async function withHistory(page: Page, namespace = 'rules'): Promise<void> {
  await open(page, { namespace, model: undefined });
  await call(page, 'track', seedLover());
  await call(page, 'close');
}

/**
 * Each list's settled `localrank:reranked`: the engine's answer, not the rules the tag applied
 * alone while the engine was loading (`fallback.code: 'TIMEOUT'`).
 */
async function settled(page: Page, list: ListId): Promise<RerankedDetail> {
  const handle = await page.waitForFunction(
    (id) => window.seen.reranked.find((d) => d.listId === id && d.fallback?.code !== 'TIMEOUT'),
    list,
    { timeout: 60_000 },
  );
  return (await handle.jsonValue()) as RerankedDetail;
}

/** Item ids of a list's tiles as the visitor sees them: in DOM order, without hidden ones. */
function shownOrder(page: Page, list: ListId): Promise<string[]> {
  return page.$$eval(`#${list} [data-lr-item]:not([hidden])`, (tiles) => tiles.map((t) => t.getAttribute('data-lr-item')!));
}

const exposures = (page: Page) =>
  page.evaluate(() => window.dataLayer.filter((e): e is Record<string, unknown> => !!e && (e as { event?: string }).event === 'localrank_exposure'));

test.describe('script tag', () => {
  test('a newcomer: every list keeps the server order with its markup rules applied', async ({ page }) => {
    await page.goto(PAGE);
    for (const list of LISTS) {
      const detail = await settled(page, list);
      expect(detail.personalized, list).toBe(false);
      expect(detail.arm, list).toBe('treatment');
      expect(detail.serverOrder, list).toEqual(SERVER_ORDER);
      expect(await shownOrder(page, list), list).toEqual(detail.order);
      expectRule(list, detail.order, detail.excluded);
    }
    expect(await shownOrder(page, 'plain')).toEqual(SERVER_ORDER);
    expect(await page.$$eval('#stock [data-lr-excluded]', (tiles) => tiles.map((t) => t.getAttribute('data-lr-item')))).toEqual(EXCLUDED);
    expect(await page.evaluate(() => window.seen.warnings)).toEqual([]);
  });

  test('a visitor with clicks: the model reorders every list, and the rules of its markup hold', async ({ page }) => {
    await withHistory(page);
    await page.goto(PAGE);
    const plain = await settled(page, 'plain');
    expect(plain.personalized).toBe(true);
    // Left to the model, the first three move, excluded items show and seeds crowd the first eight.
    expect(plain.order.slice(0, 3)).not.toEqual(SERVER_ORDER.slice(0, 3));
    expect(plain.order.slice(0, 8).filter((id) => SEEDS.includes(id)).length).toBeGreaterThan(2);
    for (const list of RULED) {
      const detail = await settled(page, list);
      expect(detail.personalized, list).toBe(true);
      expect(detail.arm, list).toBe('treatment');
      expect(await shownOrder(page, list), list).toEqual(detail.order);
      expectRule(list, detail.order, detail.excluded);
    }
  });

  test('data-holdout="1": the server order with the rules, arm control in every event and in info(); clicks still recorded', async ({ page }) => {
    await withHistory(page);
    await page.goto(`${PAGE}?holdout=1`);
    for (const list of LISTS) {
      const detail = await settled(page, list);
      expect(detail, list).toMatchObject({ personalized: false, arm: 'control', fallback: { code: 'HOLDOUT' } });
      expectRule(list, detail.order, detail.excluded);
    }
    expect(await shownOrder(page, 'plain')).toEqual(SERVER_ORDER);
    expect((await lr<{ arm: string } | null>(page, 'info'))?.arm).toBe('control');
    const result = await lr<RerankResult>(page, 'rerank', CATALOG.slice(0, 10));
    expect(result).toMatchObject({ personalized: false, arm: 'control' });
    expect(ids(result)).toEqual(SERVER_ORDER.slice(0, 10));

    await page.locator('#plain').scrollIntoViewIfNeeded();
    await page.click('#plain [data-lr-item="g-1014"] a');
    await expect
      .poll(async () => (await lr<{ events: Array<{ type: string; itemId: string }> } | null>(page, 'exportData'))?.events.filter((e) => e.type === 'click' && e.itemId === 'g-1014').length)
      .toBe(1);
  });

  test('data-report="datalayer": one localrank_exposure per page view, with the arm and the list', async ({ page }) => {
    await page.goto(`${PAGE}?report=datalayer`);
    for (const list of LISTS) await settled(page, list);
    expect(await exposures(page)).toEqual([{ event: 'localrank_exposure', localrank_arm: 'treatment', localrank_list: 'plain' }]);

    // The page changes a list: it is ranked again, the exposure is not pushed again.
    const before = await page.evaluate(() => window.seen.reranked.length);
    await page.evaluate(() => {
      const list = document.getElementById('kept')!;
      list.append(list.children[list.children.length - 1]!.cloneNode(true));
      (list.lastElementChild as HTMLElement).setAttribute('data-lr-item', 'g-extra');
    });
    await page.waitForFunction((n) => window.seen.reranked.length > n, before);
    expect(await exposures(page)).toHaveLength(1);

    // A new page of a single-page app is a new page view: pushed once more.
    await page.evaluate(() => {
      history.pushState(null, '', '?report=datalayer&view=2');
      document.getElementById('plain')!.prepend(Object.assign(document.createElement('li'), { className: 'tile' }));
      document.getElementById('plain')!.firstElementChild!.setAttribute('data-lr-item', 'g-new');
    });
    await expect.poll(() => exposures(page)).toHaveLength(2);

    // A reload is a new page view (and a new data layer): once.
    await page.reload();
    for (const list of LISTS) await settled(page, list);
    expect(await exposures(page)).toEqual([{ event: 'localrank_exposure', localrank_arm: 'treatment', localrank_list: 'plain' }]);
  });

  test('data-report="datalayer" with data-holdout="1": the exposure says control', async ({ page }) => {
    await page.goto(`${PAGE}?report=datalayer&holdout=1`);
    for (const list of LISTS) await settled(page, list);
    expect(await exposures(page)).toEqual([{ event: 'localrank_exposure', localrank_arm: 'control', localrank_list: 'plain' }]);
  });

  test('nothing is pushed without data-report="datalayer", nor without consent', async ({ page }) => {
    await page.goto(`${PAGE}?holdout=0.5`);
    for (const list of LISTS) await settled(page, list);
    expect(await exposures(page)).toEqual([]);
    expect(await page.evaluate(() => window.dataLayer.length)).toBe(0);

    // Without consent the engine does not start: the rules alone order the lists.
    await page.goto(`${PAGE}?report=datalayer&consent=required`);
    for (const list of RULED) expect((await settled(page, list)).fallback?.code).toBe('NO_CONSENT');
    expect(await exposures(page)).toEqual([]);
  });
});
