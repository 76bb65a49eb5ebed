import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../src/shared/types';
import { ItemCache } from '../../src/worker/item-cache';
import type { Store } from '../../src/worker/store';
import { Visitor } from '../../src/worker/visitor';

const event = (id: string, type: StoredEvent['type'], itemId: string, time: number): StoredEvent => ({
  id,
  type,
  itemId,
  time,
  features: { category: ['Garden', itemId.startsWith('s') ? 'Seeds' : 'Tools'] },
});

/** A visitor over a stand-in store that counts its reads. */
function visitorOver(stored: StoredEvent[]) {
  const reads = { events: 0 };
  const store = {
    events: async () => {
      reads.events++;
      return stored;
    },
    itemFeatures: async () => new Map(),
  } as unknown as Store;
  const visitor = new Visitor({ maxHistory: 50, store, items: new ItemCache() });
  visitor.reset(stored);
  return { visitor, reads };
}

describe('Visitor', () => {
  it('keeps the taste until an interaction arrives; an impression changes nothing it derived', async () => {
    const { visitor } = visitorOver([event('e1', 'click', 's-1', 1000)]);
    const first = await visitor.interactions();
    expect(first.items.map((i) => i.itemId)).toEqual(['s-1']);
    expect(visitor.added([event('e2', 'impression', 't-1', 2000)])).toBe(0);
    expect(await visitor.interactions()).toBe(first);
    expect(visitor.added([event('e3', 'purchase', 's-2', 3000)])).toBe(1);
    const second = await visitor.interactions();
    expect(second).not.toBe(first);
    expect(second.items.map((i) => i.itemId)).toEqual(['s-1', 's-2']);
    expect(second.taste.profile().evidence).toBeGreaterThan(first.taste.profile().evidence);
  });

  it('reads the items shown once, adds new events to them, and reads again after a removal', async () => {
    const stored = [event('e1', 'impression', 't-1', 1000)];
    const { visitor, reads } = visitorOver(stored);
    expect([...(await visitor.shownItems())]).toEqual(['t-1']);
    visitor.added([event('e2', 'impression', 't-2', 2000)]);
    expect([...(await visitor.shownItems())].sort()).toEqual(['t-1', 't-2']);
    expect(reads.events).toBe(1);
    visitor.removed(['e1']);
    await visitor.shownItems();
    expect(reads.events).toBe(2);
  });

  it('after clear() nothing of the visitor is left', async () => {
    const { visitor } = visitorOver([event('e1', 'click', 's-1', 1000)]);
    await visitor.interactions();
    visitor.clear();
    expect((await visitor.interactions()).items).toEqual([]);
  });
});
