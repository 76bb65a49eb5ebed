/**
 * Exploration: which positions it takes and which items it puts there (never shown, the taste
 * knows little of them, the best placed of those), and that it is off unless asked for.
 */
import { describe, expect, it } from 'vitest';
import { EXPLORE_REASON, rankCandidates, type RankInput } from '../../../src/worker/ranking/rerank';
import { explorationSlots, explore, uncertainty } from '../../../src/worker/ranking/explore';
import { DEFAULT_HEAD } from '../../../src/worker/ranking/signals';
import { Taste, itemTokens } from '../../../src/worker/ranking/taste';

const taste = Taste.of([
  { itemId: 'seen-1', type: 'click', time: 1, features: { category: ['Garden', 'Tools'], brand: 'Acme' } },
  { itemId: 'seen-2', type: 'click', time: 2, features: { category: ['Garden', 'Tools'], brand: 'Acme' } },
]).profile();

describe('explorationSlots', () => {
  it('spreads the slots over the window, none at the top', () => {
    expect(explorationSlots(0.1, 20)).toEqual([5, 15]);
    expect(explorationSlots(0.2, 20)).toEqual([2, 7, 12, 17]);
    expect(explorationSlots(0.5, 6)).toEqual([1, 3, 5]);
    expect(explorationSlots(0, 20)).toEqual([]);
    expect(explorationSlots(0.1, 4)).toEqual([]);
  });
});

describe('uncertainty', () => {
  it('is the share of an item\'s facets the taste has no evidence about', () => {
    expect(uncertainty(itemTokens({ category: ['Garden', 'Tools'], brand: 'Acme' }), taste)).toBe(0);
    expect(uncertainty(itemTokens({ category: ['Kitchen'], brand: 'Zed' }), taste)).toBe(1);
    expect(uncertainty(itemTokens({ category: ['Garden', 'Pots'], brand: 'Acme' }), taste)).toBeCloseTo(2 / 4);
    expect(uncertainty(itemTokens(undefined), taste)).toBe(0);
  });
});

describe('explore', () => {
  const order = Array.from({ length: 12 }, (_, i) => i);

  it('puts the best placed of the most uncertain unshown items below a slot into it', () => {
    const u = [0, 0, 0, 0, 0, 0, 0.5, 1, 0, 1, 0, 1];
    const { order: out, explored } = explore(order, { rate: 0.1, window: 20, shown: (i) => i === 7, uncertainty: (i) => u[i] });
    // Slot 5: 6 (u .5, place 6) against 9 (u 1, place 9): 1 - 6/12 + .5 = 1 < 1 - 9/12 + 1 = 1.25. 7 was shown.
    expect(explored).toEqual([9]);
    expect(out).toEqual([0, 1, 2, 3, 4, 9, 5, 6, 7, 8, 10, 11]);
  });

  it('changes nothing when every item below a slot is known or shown', () => {
    expect(explore(order, { rate: 0.2, window: 20, shown: () => false, uncertainty: () => 0 })).toEqual({ order, explored: [] });
    expect(explore(order, { rate: 0.2, window: 20, shown: () => true, uncertainty: () => 1 })).toEqual({ order, explored: [] });
  });
});

describe('rankCandidates with explore', () => {
  const n = 30;
  const features = (i: number) => (i % 10 === 9 ? { category: ['Kitchen', `k${i}`], brand: 'Zed' } : { category: ['Garden', 'Tools'], brand: 'Acme' });
  const input = (options: RankInput['options'], shown: (id: string) => boolean = () => false): RankInput => ({
    ids: Array.from({ length: n }, (_, i) => `i${i}`),
    tokens: Array.from({ length: n }, (_, i) => itemTokens(features(i))),
    serverScores: null,
    profile: taste,
    head: DEFAULT_HEAD,
    options,
    shown,
  });

  it('is off by default', () => {
    expect(Array.from(rankCandidates(input({})).order)).toEqual(Array.from(rankCandidates(input({ explore: 0 })).order));
  });

  it('brings an unknown kind of item into the first positions, and says so', () => {
    const plain = Array.from(rankCandidates(input({})).order);
    const ranking = rankCandidates(input({ explore: 0.1, explain: true }));
    const order = Array.from(ranking.order);
    // The kitchen items (9, 19, 29) are the taste's blind spot; the best placed one takes slot 5.
    expect(plain.slice(0, 10).some((i) => i % 10 === 9)).toBe(false);
    expect(order[5] % 10).toBe(9);
    expect(ranking.reasons![order[5]]).toMatchObject(EXPLORE_REASON);
    // One already shown is left out.
    const shownFirst = `i${order[5]}`;
    const again = Array.from(rankCandidates(input({ explore: 0.1 }, (id) => id === shownFirst)).order);
    expect(`i${again[5]}`).not.toBe(shownFirst);
    expect(again[5] % 10).toBe(9);
  });
});
