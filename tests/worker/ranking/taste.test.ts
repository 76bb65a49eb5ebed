import { describe, expect, it } from 'vitest';
import { Taste, itemTokens, tasteWeight, HALF_LIFE } from '../../../src/worker/ranking/taste';
import { tokenId, tokenName } from '../../../src/worker/ranking/tokens';

const seeds = { category: ['Garden', 'Seeds'], brand: 'Acme' };
const tools = { category: ['Garden', 'Tools'], brand: 'Bolt' };

describe('Taste', () => {
  it('is empty before any interaction and ignores impressions and removals', () => {
    const taste = Taste.of([
      { itemId: 'a', type: 'impression', time: 1, features: seeds },
      { itemId: 'a', type: 'remove_from_cart', time: 2, features: seeds },
    ]);
    expect(taste.interactions).toBe(0);
    expect(taste.profile().facets.size).toBe(0);
  });

  it('weighs facets by the share of interaction weight that carries them', () => {
    const profile = Taste.of([
      { itemId: 'a', type: 'click', time: 1, features: seeds },
      { itemId: 'b', type: 'click', time: 2, features: tools },
    ]).profile();
    expect(profile.facets.get(tokenId('c:garden'))).toBeCloseTo(1);
    const older = 0.5 ** (1 / HALF_LIFE);
    expect(profile.facets.get(tokenId('c:seeds'))).toBeCloseTo(older / (1 + older));
    expect(profile.facets.get(tokenId('c:tools'))).toBeCloseTo(1 / (1 + older));
    expect([...profile.lastFacets].map(tokenName)).toContain('b:bolt');
    expect(profile.items.get('b')).toBeCloseTo(1 / (1 + older));
  });

  it('places a bare id by the tokens the engine remembered for it', () => {
    const taste = Taste.of([{ itemId: 'a', type: 'purchase', time: 1 }], (id) => (id === 'a' ? itemTokens(seeds) : undefined));
    expect(taste.profile().facets.get(tokenId('cp:garden>seeds'))).toBeCloseTo(1);
  });

  it('counts a long view as a click and a short one for half', () => {
    expect(tasteWeight({ type: 'view', dwellMs: 20_000 })).toBe(tasteWeight({ type: 'click' }));
    expect(tasteWeight({ type: 'view', dwellMs: 1_000 })).toBe(0.5);
  });

  it('splits title words from facets', () => {
    const t = itemTokens({ text: 'Tomato seeds', tags: ['organic'], price: 10 });
    expect(Array.from(t.words, tokenName)).toEqual(['t:tomato', 't:seeds']);
    expect(Array.from(t.facets, tokenName)).toEqual(expect.arrayContaining(['g:organic', 'p:7']));
  });
});
