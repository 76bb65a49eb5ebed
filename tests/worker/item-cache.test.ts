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

  it("known candidates may travel as the page's number for them alone: ids come back from the cache", () => {
    const cache = new ItemCache();
    const handles = (...h: number[]) => Int32Array.from(h);
    cache.prepare({ ids: ['a', 'b'], handles: handles(1, 2), features: [json('Seeds'), json('Pots')], known: Uint8Array.of(0, 0) });
    // b and a known by number; c new, with its id and features.
    const next = cache.prepare({ ids: ['c'], handles: handles(2, 1, 3), features: [json('Tools')], known: Uint8Array.of(1, 1, 0) })!;
    expect(next.ids).toEqual(['b', 'a', 'c']);
    expect(next.features).toEqual([json('Pots'), json('Seeds'), json('Tools')]);
    // The same numbers again: the same arrays.
    const same = cache.prepare({ ids: [], handles: handles(2, 1, 3), features: [], known: Uint8Array.of(1, 1, 1) })!;
    expect(same.ids).toBe(next.ids);
    // A number the cache never got: ask for everything again.
    expect(cache.prepare({ ids: [], handles: handles(9), features: [], known: Uint8Array.of(1) })).toBeNull();
    // The page numbers a again (it evicted it): the new number holds, the old one is let go.
    cache.prepare({ ids: ['a'], handles: handles(4), features: [json('Seeds')], known: Uint8Array.of(0) });
    expect(cache.prepare({ ids: [], handles: handles(4), features: [], known: Uint8Array.of(1) })!.ids).toEqual(['a']);
    expect(cache.prepare({ ids: [], handles: handles(1), features: [], known: Uint8Array.of(1) })).toBeNull();
    // Changed features replace the item under its number.
    cache.prepare({ ids: ['b'], handles: handles(2), features: [json('Bulbs')], known: Uint8Array.of(0) });
    expect(cache.prepare({ ids: [], handles: handles(2), features: [], known: Uint8Array.of(1) })!.features).toEqual([json('Bulbs')]);
    cache.clear();
    expect(cache.prepare({ ids: [], handles: handles(2), features: [], known: Uint8Array.of(1) })).toBeNull();
  });
});
