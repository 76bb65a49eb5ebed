import { describe, expect, it } from 'vitest';
import { eventTypeOf, strength, typeIndex } from '../../../src/training/data/event-types';

describe('event names', () => {
  it("maps localrank's own names and GA4's e-commerce events", () => {
    expect(eventTypeOf('purchase')).toBe('purchase');
    expect(eventTypeOf('remove_from_cart')).toBe('remove_from_cart');
    expect(eventTypeOf('view_item')).toBe('view');
    expect(eventTypeOf('select_item')).toBe('click');
    expect(eventTypeOf('view_item_list')).toBe('impression');
    expect(eventTypeOf('begin_checkout')).toBe('add_to_cart');
    expect(eventTypeOf('Add To Cart')).toBe('add_to_cart');
    expect(eventTypeOf('add-to-cart')).toBe('add_to_cart');
    expect(eventTypeOf('transaction')).toBe('purchase');
  });

  it('marks known but unused names with null and unknown names with undefined', () => {
    expect(eventTypeOf('refund')).toBeNull();
    expect(eventTypeOf('view_cart')).toBeNull();
    expect(eventTypeOf('wishlist_share')).toBeUndefined();
    expect(eventTypeOf('constructor')).toBeUndefined();
  });

  it('ranks a purchase above a cart above a click above a view', () => {
    const s = (['purchase', 'add_to_cart', 'click', 'view'] as const).map((t) => strength(typeIndex(t)));
    expect(s).toEqual([...s].sort((a, b) => b - a));
    expect(new Set(s).size).toBe(4);
  });
});
