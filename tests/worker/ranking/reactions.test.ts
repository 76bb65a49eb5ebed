import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../../src/shared/types';
import { NO_REACTIONS, adjustedHead, fitReactions, pagesOf } from '../../../src/worker/ranking/reactions';
import { SIGNALS, type HeadWeights } from '../../../src/worker/ranking/signals';

const head = Object.fromEntries(SIGNALS.map((n) => [n, 0])) as Record<string, number>;
Object.assign(head, { serverLog: 8, facetAffinity: 1, facetAffinityConfident: 2, lastOverlapConfident: 1 });
const HEAD = head as HeadWeights;
/**
 * Ten lists of 8 items, one of them a "Liked" kind at position `liked(list)`; the visitor picks
 * the item at `choose(list)` (positions in the server's order).
 */
function session(choose: (list: number) => number, liked: (list: number) => number = () => 7): StoredEvent[] {
  const events: StoredEvent[] = [];
  let time = 1_000_000;
  const features = (list: number, p: number) => ({ category: ['Shop', p === liked(list) ? 'Liked' : `Other${p}`] });
  for (let list = 0; list < 10; list++) {
    for (let p = 0; p < 8; p++) {
      const item = `i${list}-${p}`;
      events.push({ id: `imp-${item}`, type: 'impression', itemId: item, time: time++, listId: 'grid', position: p, features: features(list, p) });
    }
    const p = choose(list);
    events.push({ id: `clk-${list}`, type: 'click', itemId: `i${list}-${p}`, time: time++, listId: 'grid', position: p, features: features(list, p) });
    time += 60_000;
  }
  return events;
}

describe('pagesOf', () => {
  it('turns each choice in a shown list into a page: the choice and the items skipped above it', () => {
    const pages = pagesOf(session(() => 3), () => undefined);
    expect(pages).toHaveLength(10);
    expect(pages[0]).toMatchObject({ size: 8, chosen: 3, skipped: [0, 1, 2] });
  });

  it('has no page for a choice outside any shown list', () => {
    const events: StoredEvent[] = [{ id: 'c', type: 'click', itemId: 'x', time: 1 }];
    expect(pagesOf(events, () => undefined)).toHaveLength(0);
  });
});

describe('fitReactions', () => {
  it('learns nothing from too few lists', () => {
    const fit = fitReactions(pagesOf(session(() => 0), () => undefined).slice(0, 3), HEAD, NO_REACTIONS);
    expect(fit.kept).toBe(false);
    expect(fit.reason).toMatch(/too little data/);
  });

  it('trusts the server more for a visitor who always takes its first items', () => {
    const fit = fitReactions(pagesOf(session(() => 0), () => undefined), HEAD, NO_REACTIONS);
    expect(fit.reactions.server).toBeGreaterThanOrEqual(0);
    expect(fit.lossAfter).toBeLessThanOrEqual(fit.lossBefore);
  });

  it('trusts taste over the server for a visitor who digs down every list for one kind of item', () => {
    const fit = fitReactions(pagesOf(session(() => 7), () => undefined), HEAD, NO_REACTIONS);
    expect(fit.kept).toBe(true);
    expect(fit.holdoutAfter).toBeGreaterThan(fit.holdoutBefore);
    expect(fit.reactions.taste - fit.reactions.server).toBeGreaterThan(0.2);
  });

  it('never moves an offset beyond its bounds', () => {
    const adjusted = adjustedHead(HEAD, { server: -1, model: 0, taste: 1, repeat: 0 });
    expect(adjusted.serverLog).toBe(0);
    expect(adjusted.facetAffinity).toBe(2);
  });
});
