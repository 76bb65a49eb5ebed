import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import type { StoredEvent, TrainReport } from '../../src/shared/types';
import { BLOCKED_TIMEOUT_MS, Store } from '../../src/worker/store';

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

describe('Store under storage faults', () => {
  it('uses memory, and says why, when a foreign database without our stores is in the way', async () => {
    const idbFactory = new IDBFactory();
    await new Promise<void>((resolve) => {
      const req = idbFactory.open('localrank:test', 7);
      req.onupgradeneeded = () => req.result.createObjectStore('theirs');
      req.onsuccess = () => {
        req.result.close();
        resolve();
      };
    });
    const store = await open({ idbFactory });
    expect(store.kind).toBe('memory');
    expect(store.status.lastError).toMatch(/^using memory: .*lacks the events, weights, items, meta stores/);
  });

  it('opens a database a newer version upgraded, when our stores are still there', async () => {
    const idbFactory = new IDBFactory();
    const first = await open({ idbFactory });
    await first.addEvents([event('a', 1)]);
    await new Promise<void>((resolve) => {
      const req = idbFactory.open('localrank:test', 2);
      req.onupgradeneeded = () => req.result.createObjectStore('newer');
      req.onsuccess = () => {
        req.result.close();
        resolve();
      };
    });
    // The old connection let the upgrade through and reopens the newer database.
    expect(await first.countEvents()).toBe(1);
    const second = await open({ idbFactory });
    expect(second.kind).toBe('indexeddb');
    expect(await second.countEvents()).toBe(1);
  });

  it('gives up on an open that stays blocked, instead of hanging, and runs in memory', async () => {
    const blocked = {
      open() {
        const req = {} as IDBOpenDBRequest;
        setTimeout(() => (req.onblocked as () => void)?.(), 0);
        return req;
      },
    } as unknown as IDBFactory;
    const started = Date.now();
    const store = await open({ idbFactory: blocked });
    expect(store.kind).toBe('memory');
    expect(store.status.lastError).toMatch(/blocked by another tab/);
    expect(Date.now() - started).toBeLessThan(BLOCKED_TIMEOUT_MS + 2_000);
  });

  it('makes room when the quota is exceeded: drops the oldest events, writes, and says so', async () => {
    const store = await open({ retention: { maxEvents: 1000, maxAgeDays: 365 } });
    await store.addEvents(Array.from({ length: 40 }, (_, i) => event(`old${i}`, i)));
    const failing = quotaOnce(store);
    expect(await store.addEvents([event('new', 1000)])).toBe(1);
    expect(failing.thrown).toBe(1);
    const ids = (await store.events()).map((e) => e.id);
    expect(ids).toHaveLength(31);
    expect(ids[0]).toBe('old10');
    expect(ids).toContain('new');
    expect(store.status).toMatchObject({ state: 'pruned', prunedForQuota: 10 });
    expect(store.status.lastError).toMatch(/quota exceeded; dropped the 10 oldest events/);
  });

  it('reports failing writes with a typed error and stores nothing half-way', async () => {
    const store = await open();
    await store.addEvents([event('a', 1)]);
    quotaOnce(store, Infinity);
    const error = await store.addEvents([event('b', 2), event('c', 3)]).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'LocalrankError', code: 'STORAGE_FAILED' });
    expect(store.status.state).toBe('failing');
  });

  it('enforces retention on demand (a returning user whose events aged out)', async () => {
    let now = NOW;
    const idbFactory = new IDBFactory();
    const store = await open({ idbFactory, now: () => now, retention: { maxEvents: 100, maxAgeDays: 10 } });
    await store.addEvents([event('a', 0), event('b', 5 * DAY)]);
    now += 10 * DAY;
    await store.enforceRetention();
    expect((await store.events()).map((e) => e.id)).toEqual(['b']);
  });
});

/** Makes the next `times` event writes fail as a full disk does (QuotaExceededError). */
function quotaOnce(store: Store, times = 1) {
  const counter = { thrown: 0 };
  const target = store as unknown as { writeEvents(events: StoredEvent[]): Promise<number> };
  const original = target.writeEvents.bind(store);
  target.writeEvents = async (events) => {
    if (counter.thrown < times) {
      counter.thrown++;
      throw new DOMException('quota', 'QuotaExceededError');
    }
    return original(events);
  };
  return counter;
}
