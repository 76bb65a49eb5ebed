import { describe, expect, it, vi } from 'vitest';
import { eventsFromDataLayer, watchDataLayer } from '../../src/tag/datalayer';

const T = 1_700_000_000_000;

function args(...values: unknown[]): IArguments {
  return (function (..._: unknown[]) {
    // eslint-disable-next-line prefer-rest-params
    return arguments;
  })(...values);
}

describe('eventsFromDataLayer', () => {
  it('maps each GA4 e-commerce event to its localrank type, one event per item', () => {
    const types: Record<string, string> = {
      view_item: 'view',
      select_item: 'click',
      view_item_list: 'impression',
      add_to_cart: 'add_to_cart',
      remove_from_cart: 'remove_from_cart',
      purchase: 'purchase',
    };
    for (const [ga4, type] of Object.entries(types)) {
      const events = eventsFromDataLayer({ event: ga4, ecommerce: { items: [{ item_id: 'A' }, { item_id: 'B' }] } }, T);
      expect(events).toEqual([
        { type, itemId: 'A', time: T },
        { type, itemId: 'B', time: T },
      ]);
    }
  });

  it('reads gtag-style pushes (the arguments object) too', () => {
    expect(eventsFromDataLayer(args('event', 'add_to_cart', { items: [{ item_id: 7 }] }), T)).toEqual([
      { type: 'add_to_cart', itemId: '7', time: T },
    ]);
    expect(eventsFromDataLayer(args('config', 'G-123'), T)).toEqual([]);
    expect(eventsFromDataLayer(['event', 'purchase', { items: [{ item_id: 'P' }] }], T)).toHaveLength(1);
  });

  it('keeps list, position and item facts', () => {
    const [event] = eventsFromDataLayer(
      {
        event: 'view_item_list',
        ecommerce: {
          item_list_id: 'related',
          items: [
            {
              item_id: ' SKU-1 ',
              item_name: 'Trail shoe',
              item_brand: 'Acme',
              item_category: 'Shoes',
              item_category2: 'Running',
              item_category4: 'Trail',
              price: '89.90',
              index: 3,
            },
          ],
        },
      },
      T,
    );
    expect(event).toEqual({
      type: 'impression',
      itemId: 'SKU-1',
      time: T,
      listId: 'related',
      position: 3,
      features: { category: ['Shoes', 'Running', 'Trail'], price: 89.9, brand: 'Acme', text: 'Trail shoe' },
    });
  });

  it("prefers an item's own list and drops bad positions and prices", () => {
    const [event] = eventsFromDataLayer(
      { event: 'select_item', ecommerce: { item_list_name: 'Search', items: [{ item_id: 'A', item_list_id: 'home', index: -1, price: -3 }] } },
      T,
    );
    expect(event).toEqual({ type: 'click', itemId: 'A', time: T, listId: 'home' });
  });

  it('ignores other events, missing items and items without an id', () => {
    for (const entry of [
      { event: 'page_view' },
      { event: 'gtm.js' },
      { ecommerce: null },
      { event: 'purchase' },
      { event: 'purchase', ecommerce: { items: 'A' } },
      { event: 'toString', ecommerce: { items: [{ item_id: 'A' }] } },
      null,
      'purchase',
      () => undefined,
    ]) {
      expect(eventsFromDataLayer(entry, T)).toEqual([]);
    }
    expect(eventsFromDataLayer({ event: 'purchase', ecommerce: { items: [{ item_name: 'no id' }, null, { item_id: '' }, { item_id: 'ok' }] } }, T)).toEqual([
      { type: 'purchase', itemId: 'ok', time: T },
    ]);
  });

  it('caps one push at 200 items', () => {
    const items = Array.from({ length: 500 }, (_, i) => ({ item_id: `I${i}` }));
    expect(eventsFromDataLayer({ event: 'view_item_list', ecommerce: { items } }, T)).toHaveLength(200);
  });
});

describe('watchDataLayer', () => {
  const addToCart = (id: string) => ({ event: 'add_to_cart', ecommerce: { items: [{ item_id: id }] } });

  it('replays entries already there, then learns from later pushes', () => {
    const host: Record<string, unknown> = { dataLayer: [addToCart('before'), { event: 'gtm.js' }] };
    const seen: string[] = [];
    expect(watchDataLayer(host, 'dataLayer', (events) => seen.push(...events.map((e) => String(e.itemId))), () => T)).toBe(true);
    expect(seen).toEqual(['before']);
    (host.dataLayer as unknown[]).push(addToCart('after'), addToCart('also'));
    expect(seen).toEqual(['before', 'after', 'also']);
  });

  it("keeps the page's push: its result, its entries, and a wrapper installed before", () => {
    const calls: unknown[] = [];
    const layer: unknown[] = [];
    const gtm = function (this: unknown[], ...entries: unknown[]) {
      calls.push(...entries);
      return Array.prototype.push.apply(this, entries);
    };
    layer.push = gtm;
    const host = { dataLayer: layer };
    watchDataLayer(host, 'dataLayer', () => undefined);
    expect(layer.push(addToCart('A'))).toBe(1);
    expect(layer).toHaveLength(1);
    expect(calls).toHaveLength(1);
  });

  it("lets the page's own exceptions through and swallows its own", () => {
    const layer: unknown[] = [];
    watchDataLayer({ dataLayer: layer }, 'dataLayer', () => {
      throw new Error('listener bug');
    });
    const debug = vi.spyOn(console, 'debug').mockImplementation(() => undefined);
    expect(() => layer.push(addToCart('A'))).not.toThrow();
    debug.mockRestore();

    const failing: unknown[] = [];
    failing.push = () => {
      throw new Error('page bug');
    };
    watchDataLayer({ dataLayer: failing }, 'dataLayer', () => undefined);
    expect(() => failing.push(addToCart('A'))).toThrow('page bug');
  });

  it('wraps a layer once, and never creates one', () => {
    const host: Record<string, unknown> = {};
    expect(watchDataLayer(host, 'dataLayer', () => undefined)).toBe(false);
    expect(host).toEqual({});

    const layer: unknown[] = [];
    const seen: unknown[] = [];
    watchDataLayer({ dataLayer: layer }, 'dataLayer', (events) => seen.push(...events));
    watchDataLayer({ dataLayer: layer }, 'dataLayer', (events) => seen.push(...events));
    layer.push(addToCart('A'));
    expect(seen).toHaveLength(1);
  });

  describe('one hostile entry costs only itself', () => {
    const throwing = () => ({ event: 'add_to_cart', get ecommerce(): unknown { throw new Error('getter'); } });
    const revoked = () => {
      const { proxy, revoke } = Proxy.revocable({}, {});
      revoke();
      return proxy;
    };
    const quiet = () => vi.spyOn(console, 'debug').mockImplementation(() => undefined);

    it('replays the good entries around one with a throwing getter or a revoked Proxy, present before the tag loads', () => {
      const debug = quiet();
      const host: Record<string, unknown> = { dataLayer: [addToCart('A'), throwing(), revoked(), addToCart('B')] };
      const seen: string[] = [];
      expect(watchDataLayer(host, 'dataLayer', (events) => seen.push(...events.map((e) => String(e.itemId))), () => T)).toBe(true);
      expect(seen).toEqual(['A', 'B']);
      debug.mockRestore();
    });

    it('reads every good entry of a multi-entry push around a hostile one', () => {
      const debug = quiet();
      const layer: unknown[] = [];
      const seen: string[] = [];
      watchDataLayer({ dataLayer: layer }, 'dataLayer', (events) => seen.push(...events.map((e) => String(e.itemId))), () => T);
      layer.push(addToCart('A'), throwing(), addToCart('B'), revoked(), addToCart('C'));
      expect(seen).toEqual(['A', 'B', 'C']);
      expect(layer).toHaveLength(5);
      debug.mockRestore();
    });

    it('keeps the good items of an entry around one that throws', () => {
      const debug = quiet();
      const bad = { get item_id(): string { throw new Error('getter'); } };
      const events = eventsFromDataLayer({ event: 'purchase', ecommerce: { items: [{ item_id: 'A' }, bad, revoked(), { item_id: 'B' }] } }, T);
      expect(events.map((e) => e.itemId)).toEqual(['A', 'B']);
      debug.mockRestore();
    });

    it('a data layer that cannot be read, or a hostile host, is not watched and throws nothing', () => {
      const debug = quiet();
      const host = { get dataLayer(): unknown { throw new Error('getter'); } };
      expect(watchDataLayer(host, 'dataLayer', () => undefined)).toBe(false);
      expect(watchDataLayer({ dataLayer: revoked() }, 'dataLayer', () => undefined)).toBe(false);
      debug.mockRestore();
    });
  });
});
