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
  it('lets the same event for the same item through once per two seconds, an impression once', () => {
    const filter = new RepeatFilter();
    const click = { type: 'click' as const, itemId: 'A' };
    const impression = { type: 'impression' as const, itemId: 'A' };
    expect(filter.isRepeat(click, 0)).toBe(false);
    expect(filter.isRepeat(click, 1999)).toBe(true);
    expect(filter.isRepeat({ type: 'click', itemId: 'B' }, 1999)).toBe(false);
    expect(filter.isRepeat(click, 4500)).toBe(false);
    expect(filter.isRepeat(impression, 0)).toBe(false);
    expect(filter.isRepeat(impression, 60_000)).toBe(true);
  });
});
