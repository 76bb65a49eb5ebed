import { describe, expect, it } from 'vitest';
import { cleanEvent, RepeatFilter } from '../../src/tag/clean-event';

describe('cleanEvent', () => {
  it('keeps valid fields and drops invalid ones', () => {
    expect(cleanEvent({ type: 'click', itemId: ' A ', listId: 'x', position: 2, dwellMs: 5, time: 9, features: { price: -1, brand: 'b' }, extra: 1 }, 0)).toEqual({
      type: 'click',
      itemId: 'A',
      listId: 'x',
      position: 2,
      dwellMs: 5,
      time: 9,
      features: { brand: 'b' },
    });
    expect(cleanEvent({ type: 'view', itemId: 3, position: 1.5 }, 7)).toEqual({ type: 'view', itemId: 3, time: 7 });
  });

  it('refuses events without a known type or a usable id', () => {
    for (const bad of [null, 'click', { type: 'like', itemId: 'A' }, { type: 'click' }, { type: 'click', itemId: '' }, { type: 'click', itemId: NaN }, { type: 'click', itemId: 'x'.repeat(257) }]) {
      expect(cleanEvent(bad, 0)).toBeNull();
    }
  });

  it('refuses an event that throws as it is read (a getter, a revoked Proxy), and throws nothing', () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    const getter = { type: 'click', itemId: 'A', get features(): unknown { throw new Error('boom'); } };
    expect(cleanEvent(proxy, 0)).toBeNull();
    expect(cleanEvent(getter, 0)).toBeNull();
  });
});

describe('RepeatFilter', () => {
  const click = { type: 'click' as const, itemId: 'A' };

  it('counts one event reported by two sources within two seconds once', () => {
    const filter = new RepeatFilter();
    expect(filter.isRepeat(click, 'markup', 0)).toBe(false);
    expect(filter.isRepeat(click, 'datalayer', 500)).toBe(true);
    expect(filter.isRepeat({ type: 'click', itemId: 'B' }, 'datalayer', 600)).toBe(false);
    expect(filter.isRepeat({ type: 'add_to_cart', itemId: 'A' }, 'datalayer', 700)).toBe(false);
    // Past the window a report from the other source is an event of its own.
    expect(filter.isRepeat(click, 'markup', 10_000)).toBe(false);
    expect(filter.isRepeat(click, 'page', 12_500)).toBe(false);
  });

  it('keeps genuine repeats: each report pairs with at most one from another source', () => {
    const filter = new RepeatFilter();
    const add = { type: 'add_to_cart' as const, itemId: 'A' };
    // Two clicks on "add to cart", each also pushed to the data layer by the shop's tag manager.
    expect(filter.isRepeat(add, 'markup', 0)).toBe(false);
    expect(filter.isRepeat(add, 'datalayer', 10)).toBe(true);
    expect(filter.isRepeat(add, 'markup', 800)).toBe(false);
    expect(filter.isRepeat(add, 'datalayer', 810)).toBe(true);
    // A third add from the data layer alone has nothing left to pair with.
    expect(filter.isRepeat(add, 'datalayer', 900)).toBe(false);
    // Repeats from one source all count.
    expect(filter.isRepeat(add, 'page', 1000)).toBe(true);
    expect(filter.isRepeat(add, 'page', 1001)).toBe(false);
    expect(filter.isRepeat(add, 'page', 1002)).toBe(false);
  });

  it('counts an impression once per item and list per page', () => {
    const filter = new RepeatFilter();
    const impression = (listId?: string) => ({ type: 'impression' as const, itemId: 'A', listId });
    expect(filter.isRepeat(impression('top'), 'markup', 0)).toBe(false);
    expect(filter.isRepeat(impression('top'), 'datalayer', 60_000)).toBe(true);
    expect(filter.isRepeat(impression('recs'), 'markup', 60_000)).toBe(false);
    expect(filter.isRepeat(impression(), 'markup', 60_000)).toBe(false);
    filter.newPage();
    expect(filter.isRepeat(impression('top'), 'markup', 70_000)).toBe(false);
  });
});
