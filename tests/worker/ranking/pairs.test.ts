import { describe, expect, it } from 'vitest';
import { CONTEXT_COUNT, PAIR_FEATURES, PAIR_FEATURE_COUNT, PAIR_HISTORY, pairFeatures, type PairInteraction } from '../../../src/worker/ranking/pairs';
import { withListRarity } from '../../../src/worker/ranking/signals';
import { itemTokens } from '../../../src/worker/ranking/taste';

const col = (name: (typeof PAIR_FEATURES)[number]) => PAIR_FEATURES.indexOf(name);
const catalogue = [
  { id: 'polish-red', features: { text: 'acme nail polish red', tags: ['nails'] } },
  { id: 'lipstick', features: { text: 'zenith lipstick rose', tags: ['lips'] } },
  { id: 'polish-blue', features: { text: 'acme nail polish blue', tags: ['nails'] } },
  { id: 'tent', features: { text: 'trail tent two person', tags: ['camping'] } },
];
const ids = catalogue.map((c) => c.id);
const tokens = catalogue.map((c) => itemTokens(c.features));
const interaction = (id: string, text: string, tags: string[], weight = 1): PairInteraction => ({ itemId: id, tokens: itemTokens({ text, tags }), weight });
const pairsOf = (history: PairInteraction[]) => withListRarity(tokens, (rarity) => pairFeatures({ ids, tokens }, history, rarity));
const at = (values: Float32Array, candidate: number, slot: number, feature: number) => values[(candidate * PAIR_HISTORY + slot) * PAIR_FEATURE_COUNT + feature];

describe('pairFeatures', () => {
  it('is all zeros, touching nothing, without a history', () => {
    const pairs = pairsOf([]);
    expect(pairs.values.every((v) => v === 0)).toBe(true);
    expect(pairs.mask.every((v) => v === 0)).toBe(true);
    expect([...pairs.touched]).toEqual([0, 0, 0, 0]);
  });

  it('puts the latest interaction in the last slot and relates each candidate to it', () => {
    const pairs = pairsOf([interaction('tent-9', 'trail tent one person', ['camping']), interaction('polish-9', 'acme nail polish pink', ['nails'])]);
    const last = PAIR_HISTORY - 1;
    expect(pairs.mask[last]).toBe(1);
    expect(pairs.mask[last - 1]).toBe(1);
    expect(pairs.mask[last - 2]).toBe(0);
    // Three of the four words of each polish are those of the polish clicked last: same first word (the brand).
    expect(at(pairs.values, 0, last, col('wordsCovered'))).toBeCloseTo(3 / 4);
    expect(at(pairs.values, 0, last, col('sameFirstWord'))).toBe(1);
    expect(at(pairs.values, 0, last, col('facetsCovered'))).toBe(1);
    // The lipstick shares nothing with either interaction: only the slot's recency and strength are set.
    expect(pairs.touched[1]).toBe(0);
    expect(at(pairs.values, 1, last, col('wordsCovered'))).toBe(0);
    expect(at(pairs.values, 1, last, col('recency0'))).toBe(1);
    expect(at(pairs.values, 1, last - 1, col('recency1'))).toBe(1);
    // The tent relates to the older interaction, not to the latest.
    expect(at(pairs.values, 3, last - 1, col('wordJaccard'))).toBeCloseTo(3 / 5);
    expect(at(pairs.values, 3, last, col('wordJaccard'))).toBe(0);
  });

  it('weighs shared words by how rare they are among the candidates', () => {
    const pairs = pairsOf([interaction('x', 'acme tent', [])]);
    const last = PAIR_HISTORY - 1;
    // "tent" is on one candidate, "acme" on two: the tent's one shared word is the rarer one.
    expect(at(pairs.values, 3, last, col('rarestShared'))).toBeGreaterThan(at(pairs.values, 0, last, col('rarestShared')));
  });

  it('ranks the touched candidates among themselves in the server order', () => {
    const pairs = pairsOf([interaction('polish-9', 'acme nail polish pink', ['nails'])]);
    expect([...pairs.touched]).toEqual([1, 0, 1, 0]);
    expect(pairs.context[0 * CONTEXT_COUNT + 1]).toBe(0);
    expect(pairs.context[2 * CONTEXT_COUNT + 1]).toBe(0.5);
    expect(pairs.context[2 * CONTEXT_COUNT + 2]).toBe(0.5);
    expect(pairs.context[1 * CONTEXT_COUNT]).toBe(0);
  });

  it('marks a candidate the visitor interacted with as the same item', () => {
    const pairs = pairsOf([{ itemId: 'lipstick', tokens: itemTokens({}), weight: 2 }]);
    const last = PAIR_HISTORY - 1;
    expect(at(pairs.values, 1, last, col('sameItem'))).toBe(1);
    expect(at(pairs.values, 1, last, col('strength'))).toBe(1);
    expect(pairs.touched[1]).toBe(1);
  });

  it('reads only the latest PAIR_HISTORY interactions', () => {
    const history = Array.from({ length: PAIR_HISTORY + 5 }, (_, i) => interaction(`h${i}`, i === 0 ? 'trail tent' : 'filler words', []));
    const pairs = pairsOf(history);
    expect(pairs.touched[3]).toBe(0);
    expect(pairs.mask.every((v) => v === 1)).toBe(true);
  });
});
