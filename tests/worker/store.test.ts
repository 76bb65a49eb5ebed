import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import type { StoredEvent, TrainReport } from '../../src/shared/types';
import { LIMITS } from '../../src/shared/limits';
import { BLOCKED_TIMEOUT_MS, SCHEMA_VERSION, Store } from '../../src/worker/store';

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
    expect(await store.lastTraining()).toEqual(report);
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
    expect(await store.lastTraining()).toBeNull();
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

  it("coordinates with other tabs over the origin's IndexedDB, and works alone in memory when the browser denies storage", async () => {
    const shared = await open({ idbFactory: undefined });
    expect(shared.kind).toBe('indexeddb');
    expect(shared.sharedWithTabs).toBe(true);
    shared.close();
    // Firefox with storage denied: IndexedDB throws, and so would BroadcastChannel and Web Locks.
    const original = Object.getOwnPropertyDescriptor(globalThis, 'indexedDB')!;
    const denied = { open: () => { throw new DOMException('The operation is insecure.', 'SecurityError'); } };
    Object.defineProperty(globalThis, 'indexedDB', { value: denied, configurable: true, writable: true });
    try {
      const alone = await open({ idbFactory: undefined });
      expect(alone.kind).toBe('memory');
      expect(alone.status.lastError).toMatch(/^using memory: .*SecurityError/);
      expect(alone.sharedWithTabs).toBe(false);
    } finally {
      Object.defineProperty(globalThis, 'indexedDB', original);
    }
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
      const req = idbFactory.open('localrank:test', SCHEMA_VERSION + 1);
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

describe('every store is bounded and governed by retention', () => {
  it('remembers at most LIMITS.maxRememberedItems items, the least recently seen going first', async () => {
    let now = NOW;
    const store = await open({ now: () => now });
    const perRound = 1000;
    const rounds = LIMITS.maxRememberedItems / perRound + 2;
    for (let round = 0; round < rounds; round++) {
      now += 1000;
      await store.rememberItems(Array.from({ length: perRound }, (_, i) => ({ id: `r${round}-${i}`, features: { category: ['Films'] } })));
    }
    const items = await store.items();
    expect(items).toHaveLength(LIMITS.maxRememberedItems);
    // The two oldest rounds went.
    expect(items.every((item) => item.seenAt > NOW + 2000)).toBe(true);
  });

  it('drops items, weights and the last training report past the age limit', async () => {
    let now = NOW;
    const store = await open({ now: () => now, retention: { maxEvents: 100, maxAgeDays: 10 } });
    await store.rememberItems([{ id: 'old', features: { price: 1 } }]);
    await store.saveWeights({ modelVersion: 'v1', savedAt: now, tensors: {} }, { ...report, at: now });
    now += 5 * DAY;
    await store.rememberItems([{ id: 'recent', features: { price: 2 } }]);
    now += 6 * DAY;
    await store.enforceRetention();
    expect((await store.items()).map((item) => item.id)).toEqual(['recent']);
    expect(await store.loadWeights()).toBeNull();
    expect(await store.lastTraining()).toBeNull();
  });

  it('tells the engine which events retention deleted, once they are gone', async () => {
    const removed: string[] = [];
    const store = await open({ retention: { maxEvents: 2, maxAgeDays: 365 }, onEventsRemoved: (ids) => removed.push(...ids) });
    await store.addEvents([event('a', 1), event('b', 2), event('c', 3), event('d', 4)]);
    expect(removed).toEqual(['a', 'b']);
  });
});

describe('stored records are read defensively', () => {
  /** Writes raw records into the store's database, as other code on the origin could. */
  async function plant(idbFactory: IDBFactory, records: Partial<Record<'events' | 'items' | 'weights' | 'meta', Array<[unknown, IDBValidKey?]>>>) {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = idbFactory.open('localrank:test');
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    const tx = db.transaction(Object.keys(records), 'readwrite');
    for (const [name, list] of Object.entries(records)) for (const [value, key] of list!) tx.objectStore(name).put(value, key);
    await new Promise((resolve) => (tx.oncomplete = resolve));
    db.close();
  }

  const good = (id: string, time: number) => event(id, time);
  const BAD_EVENTS: unknown[] = [
    { id: 'no-time', type: 'click', itemId: 'x' },
    { id: 'string-time', type: 'click', itemId: 'x', time: '5' },
    { id: 'nan-time', type: 'click', itemId: 'x', time: NaN },
    { id: 'future', type: 'click', itemId: 'x', time: NOW + 30 * DAY },
    { id: 'numeric-category', type: 'click', itemId: 'x', time: NOW - 10, features: { category: 5 } },
    { id: 'object-category', type: 'click', itemId: 'x', time: NOW - 10, features: { category: { a: 1 } } },
    { id: 'bad-type', type: 'like', itemId: 'x', time: NOW - 10 },
    { id: 'numeric-item', type: 'click', itemId: 7, time: NOW - 10 },
    { id: 'nan-price', type: 'click', itemId: 'x', time: NOW - 10, features: { price: NaN } },
  ];

  it('events without a time never make retention delete the event just written', async () => {
    const idbFactory = new IDBFactory();
    const first = await open({ idbFactory, retention: { maxEvents: 3, maxAgeDays: 365 } });
    first.close();
    await plant(idbFactory, { events: Array.from({ length: 60 }, (_, i) => [{ id: `timeless-${i}`, type: 'view', itemId: 'y' }] as [unknown]) });
    const store = await open({ idbFactory, retention: { maxEvents: 3, maxAgeDays: 365 } });
    await store.addEvents([good('a', 1)]);
    await store.addEvents([good('b', 2)]);
    expect((await store.events()).map((e) => e.id)).toEqual(['a', 'b']);
    expect(await store.countEvents()).toBe(2);
  });

  it('drops events that fail validation and counts them', async () => {
    const idbFactory = new IDBFactory();
    const removed: string[] = [];
    const first = await open({ idbFactory, retention: { maxEvents: 3, maxAgeDays: 365 } });
    await first.addEvents([good('a', 1)]);
    first.close();
    await plant(idbFactory, { events: [...BAD_EVENTS.map((e) => [e] as [unknown]), ...Array.from({ length: 50 }, (_, i) => [{ id: `timeless-${i}`, type: 'view', itemId: 'y' }] as [unknown])] });
    const store = await open({ idbFactory, retention: { maxEvents: 3, maxAgeDays: 365 }, onEventsRemoved: (ids) => removed.push(...ids) });
    // Reading skips them (and drops them); the start-up sweep finds those the time index cannot.
    expect((await store.events()).map((e) => e.id)).toEqual(['a']);
    await store.addEvents([good('b', 2)]);
    await store.sweep();
    expect(store.dropped.events).toBe(BAD_EVENTS.length + 50);
    expect(removed).toEqual(expect.arrayContaining(['numeric-category', 'timeless-0']));
    await store.addEvents([good('c', 3), good('d', 4)]);
    expect((await store.events()).map((e) => e.id)).toEqual(['b', 'c', 'd']);
  });

  it('drops invalid items, weights and metadata; keeps the valid ones', async () => {
    const idbFactory = new IDBFactory();
    const first = await open({ idbFactory });
    await first.rememberItems([{ id: 'ok', features: { category: ['A'] } }]);
    first.close();
    await plant(idbFactory, {
      items: [[{ id: 'bad-category', features: { category: 5 }, seenAt: NOW }], [{ id: 'no-seen', features: {} }], [{ id: 'nested', features: { category: [{}] }, seenAt: NOW }]],
      weights: [[{ modelVersion: 'v1', savedAt: 1, tensors: { reactions: { shape: [4], values: Float32Array.of(NaN, 0, 0, 0) } } }, 'user'], [{ junk: true }, 'other']],
      meta: [['not a report', 'lastTraining'], [{ big: 'x'.repeat(1000) }, 'someone-else'], ['x', 'toString']],
    });
    const store = await open({ idbFactory });
    expect((await store.itemFeatures(['ok', 'bad-category'])).size).toBe(1);
    expect(store.dropped.items).toBe(1);
    expect(await store.loadWeights()).toBeNull();
    expect(await store.lastTraining()).toBeNull();
    await store.sweep();
    expect(store.dropped).toEqual({ events: 0, items: 3, weights: 2, meta: 3 });
    expect((await store.items()).map((item) => item.id)).toEqual(['ok']);
    expect(await store.getMeta('someone-else')).toBeUndefined();
  });

  it('upgrades a schema-1 database, keeping what it holds', async () => {
    const idbFactory = new IDBFactory();
    await new Promise<void>((resolve) => {
      const req = idbFactory.open('localrank:test', 1);
      req.onupgradeneeded = () => {
        const db = req.result;
        db.createObjectStore('events', { keyPath: 'id' }).createIndex('time', 'time');
        db.createObjectStore('weights');
        db.createObjectStore('items', { keyPath: 'id' }).put({ id: 'kept', features: { price: 3 }, seenAt: NOW });
        db.createObjectStore('meta');
      };
      req.onsuccess = () => {
        req.result.close();
        resolve();
      };
    });
    const store = await open({ idbFactory });
    expect(store.kind).toBe('indexeddb');
    expect((await store.items()).map((item) => item.id)).toEqual(['kept']);
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
