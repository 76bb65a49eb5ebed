import { describe, expect, it } from 'vitest';
import { cutCounter, limitFeatures } from '../../src/shared/feature-limits';
import { LIMITS } from '../../src/shared/limits';

const many = (n: number, prefix = 'v') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

describe('limitFeatures', () => {
  it('returns features within the limits as they are (the same object)', () => {
    const features = { category: many(LIMITS.maxCategories), tags: many(LIMITS.maxTags), attributes: { a: many(LIMITS.maxAttributes) }, brand: 'b'.repeat(LIMITS.maxIdLength) };
    const cuts = cutCounter();
    expect(limitFeatures(features, cuts.onCut)).toBe(features);
    expect(cuts.counts).toEqual({ truncatedLists: 0, droppedValues: 0 });
  });

  it('keeps the first entries of each list over its limit, in order, and counts each list once', () => {
    const cuts = cutCounter();
    const out = limitFeatures({ category: many(30, 'c'), tags: many(1000, 't'), attributes: { x: many(40, 'x'), y: many(40, 'y'), z: 'zz' }, price: 3, text: 'a'.repeat(600) }, cuts.onCut);
    expect(out.category).toEqual(many(LIMITS.maxCategories, 'c'));
    expect(out.tags).toEqual(many(LIMITS.maxTags, 't'));
    expect(out.attributes).toEqual({ x: many(40, 'x'), y: many(LIMITS.maxAttributes - 40, 'y') });
    expect(out.price).toBe(3);
    expect(out.text).toHaveLength(LIMITS.maxTextLength);
    expect(cuts.counts).toEqual({ truncatedLists: 3, droppedValues: 0 });
  });

  it('leaves out values over the id length, and counts them', () => {
    const long = 'x'.repeat(LIMITS.maxIdLength + 1);
    const cuts = cutCounter();
    const out = limitFeatures({ category: long, brand: long, tags: [long, 'a'], attributes: { [long]: 'v', k: [long, 'w'], n: 5 } }, cuts.onCut);
    expect(out).toEqual({ category: [], tags: ['a'], attributes: { k: ['w'], n: 5 } });
    expect(cuts.counts).toEqual({ truncatedLists: 0, droppedValues: 4 });
  });

  it('is idempotent: cutting twice is cutting once', () => {
    const once = limitFeatures({ tags: many(700), category: many(20), attributes: Object.fromEntries(many(100).map((k) => [k, [k, k]])) });
    expect(limitFeatures(once)).toBe(once);
  });
});
