import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import type { StoredEvent, TrainReport } from '../../src/shared/types';
import { Store } from '../../src/worker/store';

const DAY = 86_400_000;
const NOW = 1000 * DAY;

function event(id: string, time: number, type: StoredEvent['type'] = 'click'): StoredEvent {
  return { id, type, itemId: `item-${id}`, time: NOW - DAY + time };
}

async function open(options: Partial<Parameters<typeof Store.open>[0]> = {}) {
  return Store.open({ namespace: 'test', retention: { maxEvents: 100, maxAgeDays: 30 }, idbFactory: new IDBFactory(), now: () => NOW, ...options });
}

const report: TrainReport = {
  steps: 1, lossBefore: 1, lossAfter: 0.5, holdoutBefore: 0.2, holdoutAfter: 0.3, kept: true,
  reason: 'ok', examples: 3, durationMs: 1, backend: 'cpu', at: 0,
};

describe('Store', () => {
  it('stores events idempotently by id and returns them oldest first', async () => {
    const store = await open();
    expect(await store.addEvents([event('b', 20), event('a', 10)])).toBe(2);
    expect(await store.addEvents([event('a', 10), event('c', 30)])).toBe(1);
    expect((await store.events()).map((e) => e.id)).toEqual(['a', 'b', 'c']);
    expect(await store.countEvents()).toBe(3);
  });

  it('enforces maxEvents by dropping the oldest', async () => {
    const store = await open({ retention: { maxEvents: 3, maxAgeDays: 365 } });
    await store.addEvents([1, 2, 3, 4, 5].map((t) => event(`e${t}`, t)));
    expect((await store.events()).map((e) => e.id)).toEqual(['e3', 'e4', 'e5']);
  });

  it('enforces maxAgeDays', async () => {
    const store = await open({ retention: { maxEvents: 100, maxAgeDays: 30 } });
    await store.addEvents([event('old', -30 * DAY - 1), event('new', 0)]);
    expect((await store.events()).map((e) => e.id)).toEqual(['new']);
  });

  it('keeps namespaces apart', async () => {
    const idbFactory = new IDBFactory();
    const a = await open({ namespace: 'shop-a', idbFactory });
    const b = await open({ namespace: 'shop-b', idbFactory });
    await a.addEvents([event('x', 1)]);
    expect(await b.countEvents()).toBe(0);
  });

  it('saves and loads weights with their model version and the training report', async () => {
    const store = await open();
    await store.saveWeights({ modelVersion: 'v1', savedAt: 5, tensors: { w: { shape: [2], values: Float32Array.from([1, 2]) } } }, report);
    const weights = await store.loadWeights();
    expect(weights?.modelVersion).toBe('v1');
    expect(Array.from(weights!.tensors.w.values)).toEqual([1, 2]);
    expect(await store.getMeta('lastTraining')).toEqual(report);
  });

  it('clear() removes everything', async () => {
    const store = await open();
    await store.addEvents([event('a', 1)]);
    await store.saveWeights({ modelVersion: 'v1', savedAt: 5, tensors: {} }, report);
    await store.rememberItems([{ id: 'a', features: { price: 1 } }]);
    await store.clear();
    expect(await store.countEvents()).toBe(0);
    expect(await store.loadWeights()).toBeNull();
    expect((await store.itemFeatures(['a'])).size).toBe(0);
    expect(await store.getMeta('lastTraining')).toBeUndefined();
  });

  it('reopens after the connection is closed under it', async () => {
    const store = await open();
    await store.addEvents([event('a', 1)]);
    store.close();
    expect(await store.countEvents()).toBe(1);
  });

  it('falls back to memory when IndexedDB refuses to open', async () => {
    const broken = { open: () => { throw new DOMException('denied', 'SecurityError'); } } as unknown as IDBFactory;
    const store = await open({ idbFactory: broken });
    expect(store.kind).toBe('memory');
    await store.addEvents([event('a', 1)]);
    expect(await store.countEvents()).toBe(1);
  });
});
