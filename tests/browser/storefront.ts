/**
 * What the storefront specs share: the fixture pages (fixtures/spa, storefront, bad-tiles,
 * two-tags, carousel, long-list) use the built script tag with the stand-in engine
 * (fixtures/fake-engine.js) unless a test swaps in the real one, and record what happened in
 * `window.seen` (fixtures/record.js).
 */
import { expect, type Page } from '@playwright/test';
import type { RerankedDetail } from '../../src/tag/reorder';
import './window';

/** Calls `localrank(command, ...args)` in the page. */
export function lr<T = unknown>(page: Page, command: string, ...args: unknown[]): Promise<T> {
  return page.evaluate(([c, a]) => window.localrank(c, ...a) as Promise<T>, [command, args] as const);
}

/** Waits for the `n`-th (1-based) `localrank:reranked` of a list and returns it. */
export async function reranked(page: Page, listId: string, n = 1): Promise<RerankedDetail> {
  const handle = await page.waitForFunction(
    ([id, count]) => window.seen.reranked.filter((d) => d.listId === id)[count - 1],
    [listId, n] as const,
    { timeout: 30_000 },
  );
  return (await handle.jsonValue()) as RerankedDetail;
}

export function rerankCount(page: Page, listId: string): Promise<number> {
  return page.evaluate((id) => window.seen.reranked.filter((d) => d.listId === id).length, listId);
}

/** Item ids of a list's tiles in DOM order. */
export function order(page: Page, selector: string): Promise<string[]> {
  return page.$$eval(`${selector} [data-lr-item]`, (tiles) => tiles.map((t) => t.getAttribute('data-lr-item')!));
}

/** Which of a list's tiles are in the viewport now. */
export function visible(page: Page, selector: string): Promise<boolean[]> {
  return page.$$eval(`${selector} [data-lr-item]`, (tiles) =>
    tiles.map((t) => {
      const r = t.getBoundingClientRect();
      return r.bottom > 0 && r.top < innerHeight && r.right > 0 && r.left < innerWidth;
    }),
  );
}

/** What the stand-in engine was asked to record, as `type:item:list:position`. */
export function tracked(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    (window.fakeEngine?.tracked ?? []).map((e) => [e.type, e.itemId, e.listId ?? '', e.position ?? ''].join(':')),
  );
}

/** The keys localrank keeps in sessionStorage. */
export function sessionKeys(page: Page): Promise<string[]> {
  return page.evaluate(() => Object.keys(sessionStorage).filter((k) => k.startsWith('localrank')));
}

/**
 * What a reorder must look like: the tiles that were in view stay in their place, the others follow
 * the engine's order (here: the stand-in's, the server order reversed) in the places left.
 * `current`: the list before the reorder, when the page did not render it in the server's order.
 */
export function expectedOrder(server: string[], shown: boolean[], current = server): string[] {
  const kept = new Set(current.filter((_, i) => shown[i]));
  const rest = [...server].reverse().filter((id) => !kept.has(id));
  return current.map((id, i) => (shown[i] ? id : rest.shift()!));
}

/** Clicks each tile's link on a page with the real engine, and waits until every click is stored. */
export async function clickTilesAndWait(page: Page, ids: readonly string[]): Promise<void> {
  for (const id of ids) await page.click(`[data-lr-item="${id}"] a`);
  await expect
    .poll(async () => {
      const data = await lr<{ events: Array<{ type: string }> } | null>(page, 'exportData');
      return data?.events.filter((e) => e.type === 'click').length ?? 0;
    })
    .toBe(ids.length);
}
