import { describe, expect, it } from 'vitest';
import { ItemCache } from '../../src/worker/item-cache';

const json = (category: string) => JSON.stringify({ category: ['Garden', category] });

describe('ItemCache', () => {
  it('takes the features of `known` candidates from its own copy, and asks for them again when it has none', () => {
    const cache = new ItemCache();
    const first = cache.prepare({ ids: ['a', 'b'], features: [json('Seeds'), null], known: null })!;
    expect(first.remember.map((r) => r.id)).toEqual(['a']);
    const again = cache.prepare({ ids: ['b', 'a', 'c'], features: [json('Tools')], known: Uint8Array.of(1, 1, 0) })!;
    expect(again.features).toEqual([null, json('Seeds'), json('Tools')]);
    expect(cache.prepare({ ids: ['z'], features: [], known: Uint8Array.of(1) })).toBeNull();
    cache.clear();
    expect(cache.prepare({ ids: ['a'], features: [], known: Uint8Array.of(1) })).toBeNull();
  });

  it('the same list again, every item held, is the same arrays; any change is prepared anew', () => {
    const cache = new ItemCache((id) => id === 'b');
    const first = cache.prepare({ ids: ['a', 'b'], features: [json('Seeds'), json('Pots')], known: null })!;
    const same = cache.prepare({ ids: ['a', 'b'], features: [], known: Uint8Array.of(1, 1) })!;
    expect(same.ids).toBe(first.ids);
    expect(same.tokens).toBe(first.tokens);
    expect(same.known).toBe(true);
    expect(same.remember).toEqual([]);
    const changed = cache.prepare({ ids: ['a', 'b'], features: [json('Tools')], known: Uint8Array.of(1, 0) })!;
    expect(changed.tokens).not.toBe(first.tokens);
    expect(changed.features[1]).toBe(json('Tools'));
    const reordered = cache.prepare({ ids: ['b', 'a'], features: [], known: Uint8Array.of(1, 1) })!;
    expect(reordered.ids).toEqual(['b', 'a']);
  });
});
