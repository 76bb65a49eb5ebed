import { describe, expect, it } from 'vitest';
import { MAX_SAVED_LISTS, MAX_SAVED_TILES, SavedOrders } from '../../src/tag/saved-orders';

function memory() {
  const data = new Map<string, string>();
  return { data, getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v), removeItem: (k: string) => void data.delete(k) };
}

describe('SavedOrders', () => {
  it('gives back the order saved for a list, and nothing for another', () => {
    const orders = new SavedOrders(memory(), () => 'localrank:orders:shop');
    orders.save('entry-1 /shoes top', { server: ['a', 'b', 'c'], order: ['c', 'a', 'b'] });
    expect(orders.get('entry-1 /shoes top')).toEqual({ server: ['a', 'b', 'c'], order: ['c', 'a', 'b'] });
    expect(orders.get('entry-2 /shoes top')).toBeNull();
  });

  it(`keeps the ${MAX_SAVED_LISTS} lists saved last, and no list over ${MAX_SAVED_TILES} tiles`, () => {
    const storage = memory();
    const orders = new SavedOrders(storage, () => 'k');
    for (let i = 0; i <= MAX_SAVED_LISTS; i++) orders.save(`list ${i}`, { server: ['a', 'b'], order: ['b', 'a'] });
    expect(orders.get('list 0')).toBeNull();
    expect(orders.get(`list ${MAX_SAVED_LISTS}`)).not.toBeNull();
    const long = Array.from({ length: MAX_SAVED_TILES + 1 }, (_, i) => `i${i}`);
    orders.save('long', { server: long, order: [...long].reverse() });
    expect(orders.get('long')).toBeNull();
    expect(JSON.parse(storage.data.get('k')!)).toHaveLength(MAX_SAVED_LISTS);
  });

  it('survives missing, broken or blocked storage', () => {
    const broken = memory();
    broken.data.set('k', '{not json');
    expect(new SavedOrders(broken, () => 'k').get('x')).toBeNull();
    const blocked = { getItem: () => { throw new Error('blocked'); }, setItem: () => { throw new Error('full'); }, removeItem: () => { throw new Error('blocked'); } };
    const orders = new SavedOrders(blocked, () => 'k');
    orders.save('x', { server: ['a'], order: ['a'] });
    expect(orders.get('x')).toBeNull();
    orders.clear();
    expect(new SavedOrders(null, () => 'k').get('x')).toBeNull();
  });

  it('clear() forgets every list', () => {
    const storage = memory();
    const orders = new SavedOrders(storage, () => 'k');
    orders.save('x', { server: ['a', 'b'], order: ['b', 'a'] });
    orders.clear();
    expect(storage.data.size).toBe(0);
  });
});
