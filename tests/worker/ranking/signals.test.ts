import { describe, expect, it } from 'vitest';
import { SIGNALS, SIGNAL_COUNT, computeSignals, headScores, withListRarity, type HeadWeights } from '../../../src/worker/ranking/signals';
import { EMPTY_PROFILE, Taste, itemTokens } from '../../../src/worker/ranking/taste';

const col = (name: (typeof SIGNALS)[number]) => SIGNALS.indexOf(name);
const catalogue = [
  { id: 'tool-1', features: { category: ['Garden', 'Tools'] } },
  { id: 'seed-1', features: { category: ['Garden', 'Seeds'] } },
  { id: 'tool-2', features: { category: ['Garden', 'Tools'] } },
  { id: 'seed-2', features: { category: ['Garden', 'Seeds'] } },
];
const tokens = catalogue.map((c) => itemTokens(c.features));
const ids = catalogue.map((c) => c.id);

describe('computeSignals', () => {
  it('gives no taste signal without interactions, only the server position', () => {
    const s = computeSignals({ tokens, ids, profile: EMPTY_PROFILE });
    for (let i = 0; i < catalogue.length; i++) {
      expect(s[i * SIGNAL_COUNT + col('facetAffinity')]).toBe(0);
      expect(s[i * SIGNAL_COUNT + col('model')]).toBe(0);
    }
    expect(s[col('serverLog')]).toBeGreaterThan(s[SIGNAL_COUNT + col('serverLog')]);
  });

  it('relates candidates to the facets of what was clicked, rare facets counting more', () => {
    const profile = Taste.of([{ itemId: 'seed-9', type: 'click', time: 1, features: { category: ['Garden', 'Seeds'] } }]).profile();
    const s = computeSignals({ tokens, ids, profile });
    const affinity = (i: number) => s[i * SIGNAL_COUNT + col('facetAffinity')];
    // One click is weak evidence: the confidence 1 / (1 + 2) scales every taste signal.
    expect(affinity(1)).toBeGreaterThan(0.9 / 3);
    expect(affinity(3)).toBeCloseTo(affinity(1));
    // "Garden" is shared by every candidate: it tells them apart hardly at all.
    expect(affinity(0)).toBeLessThan(0.1 / 3);
  });

  it('gives the model term only as far as the model knows the item', () => {
    const scores = Float32Array.from([5, -5, 1, 0]);
    const evidence = Float32Array.from([1, 0, 1, 1]);
    const s = computeSignals({ tokens, ids, profile: EMPTY_PROFILE, model: { scores, evidence } });
    expect(s[1 * SIGNAL_COUNT + col('model')]).toBeCloseTo(0);
    expect(s[0 * SIGNAL_COUNT + col('model')]).toBeGreaterThan(s[2 * SIGNAL_COUNT + col('model')]);
  });

  it('scales taste by the evidence: a purchase moves more than a glance', () => {
    const seeds = { category: ['Garden', 'Seeds'] };
    const strength = (type: 'view' | 'purchase') => {
      const profile = Taste.of([{ itemId: 'x', type, time: 1, features: seeds }]).profile();
      return computeSignals({ tokens, ids, profile })[1 * SIGNAL_COUNT + col('facetAffinity')];
    };
    expect(strength('purchase')).toBeGreaterThan(1.5 * strength('view'));
  });

  it('scores with a linear head', () => {
    const s = computeSignals({ tokens, ids, profile: EMPTY_PROFILE });
    const weights = Object.fromEntries(SIGNALS.map((n) => [n, n === 'serverLin' ? 1 : 0])) as HeadWeights;
    expect(Array.from(headScores(s, weights, 4))).toEqual([0, -0.25, -0.5, -0.75]);
  });
});

describe('withListRarity', () => {
  const rarityOf = (list: typeof tokens, token: number) => withListRarity(list, (rarity) => rarity[token]);
  const garden = tokens[0].facets[0];
  const seeds = tokens[1].facets.find((t) => !tokens[0].facets.includes(t))!;

  it('counts a list again when another came between, and never leaks one list into the next', () => {
    const fresh = { all: rarityOf(tokens, garden), seeds: rarityOf(tokens, seeds) };
    const onlyTools = [tokens[0], tokens[2]];
    // A list counted once per identity: the same array again reads the same rarities.
    expect(rarityOf(tokens, garden)).toBe(fresh.all);
    expect(rarityOf(onlyTools, seeds), 'a token the list does not hold').toBe(0);
    expect(rarityOf(onlyTools, garden)).toBeCloseTo(Math.log(3 / 2.5));
    expect(rarityOf(tokens, seeds)).toBe(fresh.seeds);
    // A new array with the same items is a list of its own, with the same rarities.
    expect(rarityOf([...tokens], garden)).toBe(fresh.all);
    expect(fresh.all).toBeCloseTo(Math.log(5 / 4.5));
  });
});
