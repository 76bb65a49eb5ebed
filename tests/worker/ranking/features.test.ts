import { describe, expect, it } from 'vitest';
import { featureBuckets, featureTokens } from '../../../src/worker/ranking/features';
import { checkTrackEvents } from '../../../src/shared/validate';

describe('featureTokens', () => {
  it('gives each field its own prefix, tags and named attributes included', () => {
    const tokens = featureTokens({
      category: ['Garden', 'Seeds'],
      brand: 'Acme',
      price: 9,
      text: 'Tomato seeds 1998',
      tags: ['Organic'],
      attributes: { color: 'Red', sizes: ['S', 'M'], inStock: true },
    });
    expect(tokens).toEqual(
      expect.arrayContaining(['c:garden', 'cp:garden>seeds', 'b:acme', 't:tomato', 'y:1990s', 'g:organic', 'a:color=red', 'a:sizes=s', 'a:sizes=m', 'a:instock=true']),
    );
  });

  it('hashes to de-duplicated 1-based buckets, at most maxTokens', () => {
    const buckets = featureBuckets({ tags: ['a', 'b', 'c', 'd'] }, 64, 3);
    expect(buckets).toHaveLength(3);
    expect(buckets.every((b) => b >= 1 && b < 64)).toBe(true);
  });
});

describe('tags and attributes validation', () => {
  const check = (features: unknown) => checkTrackEvents({ type: 'click', itemId: 'a', features }, 0, () => 'id');

  it('keeps valid tags and attributes', () => {
    const [e] = check({ tags: ['x'], attributes: { color: 'red', n: 2, ok: false, sizes: ['S'] } });
    expect(e.features).toEqual({ tags: ['x'], attributes: { color: 'red', n: 2, ok: false, sizes: ['S'] } });
  });

  it('refuses tags that are not a string array and attributes that are not a flat object', () => {
    expect(() => check({ tags: 'x' })).toThrow(/tags/);
    expect(() => check({ tags: [1] })).toThrow(/tags/);
    expect(() => check({ attributes: { a: { deep: 1 } } })).toThrow(/attributes/);
    expect(() => check({ attributes: { a: Number.NaN } })).toThrow();
  });

  it('cuts attributes over the limit to the first 64 values instead of refusing the event', () => {
    const [e] = check({ attributes: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 1])) });
    expect(Object.keys(e.features?.attributes ?? {})).toEqual(Array.from({ length: 64 }, (_, i) => `k${i}`));
  });
});
