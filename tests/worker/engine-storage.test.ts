/**
 * The engine over hostile and aged storage (fake-indexeddb in Node, the fixture model): a stored
 * record that fails validation costs only itself, memory follows what retention deletes, and
 * nothing tracked around `forget()` and `close()` is silently lost.
 */
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMITS } from '../../src/shared/limits';
import type { Retention } from '../../src/shared/protocol';
import { Engine } from '../../src/worker/engine';
import { modelPartOf } from '../../src/worker/model/part';
import type { Scorer } from '../../src/worker/model/scorer';
import { loadFixture } from './helpers';

const NAMESPACE = 'hostile';
const DAY = 86_400_000;

let scorer: Scorer;
beforeAll(async () => {
  await tf.setBackend('cpu');
  scorer = loadFixture();
});
afterAll(() => scorer.dispose());

function engine(idbFactory: IDBFactory, retention: Retention = { maxEvents: 5000, maxAgeDays: 90 }, now?: () => number) {
  return Engine.create({ model: modelPartOf(scorer), namespace: NAMESPACE, backend: 'cpu', retention, autoTrain: false, idbFactory, now });
}

/** Creates the namespace's database, then writes raw records into it as other code on the origin could. */
async function plant(idbFactory: IDBFactory, records: Partial<Record<'events' | 'items' | 'weights' | 'meta', Array<[unknown, IDBValidKey?]>>>) {
  await (await engine(idbFactory)).close();
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const req = idbFactory.open(`localrank:${NAMESPACE}`);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  const tx = db.transaction(Object.keys(records), 'readwrite');
  for (const [name, list] of Object.entries(records)) for (const [value, key] of list!) tx.objectStore(name).put(value, key);
  await new Promise((resolve) => (tx.oncomplete = resolve));
  db.close();
}

const known = () => scorer.itemIds.slice(0, 30).map((id, i) => ({ id, features: { category: [i % 2 ? 'Comedy' : 'Drama'], text: `Film ${id}` } }));

/** The engine answers every call: what "usable" means in these tests. */
async function expectUsable(e: Engine) {
  await e.track({ type: 'click', itemId: scorer.itemIds[0], features: { category: ['Comedy'] } });
  const ranked = await e.rerank(known(), { explain: true });
  expect(ranked.personalized).toBe(true);
  expect(new Set(ranked.items.map((i) => i.id)).size).toBe(30);
  expect(ranked.items.every((i) => Number.isFinite(i.score))).toBe(true);
  await e.train();
  const info = await e.info();
  const data = await e.exportData();
  expect(data.events.length).toBe(info.events);
  return { info, data };
}

describe('a stored record that fails validation costs only itself', () => {
  const CORRUPT_WEIGHTS: Array<[string, unknown]> = [
    ['a wrong length', { shape: [7], values: new Float32Array(7) }],
    ['NaN values', { shape: [4], values: Float32Array.of(NaN, 0, 0, 0) }],
    ['no values', { shape: [4] }],
  ];
  for (const [what, reactions] of CORRUPT_WEIGHTS) {
    it(`a weights record of the current model version with ${what} is discarded like an outdated one`, async () => {
      const idbFactory = new IDBFactory();
      await plant(idbFactory, { weights: [[{ modelVersion: scorer.version, savedAt: Date.now(), tensors: { reactions } }, 'user']] });
      const e = await engine(idbFactory);
      const { info, data } = await expectUsable(e);
      expect(info.fineTuned).toBe(false);
      expect(info.diagnostics?.droppedRecords?.weights).toBe(1);
      expect(data.weights).toBeNull();
      await e.close();
    });
  }

  it('a weights record without tensors, and one that is not an object, start the engine too', async () => {
    for (const record of [{ modelVersion: scorer.version, savedAt: 1 }, 'garbage', 42]) {
      const idbFactory = new IDBFactory();
      await plant(idbFactory, { weights: [[record, 'user']] });
      const e = await engine(idbFactory);
      await expectUsable(e);
      await e.close();
    }
  });

  it('an event or item whose category is a number or an object never breaks rerank, retention or exportData', async () => {
    const idbFactory = new IDBFactory();
    const now = Date.now();
    await plant(idbFactory, {
      events: [
        [{ id: 'n', type: 'click', itemId: scorer.itemIds[1], time: now - 1000, features: { category: 5 } }],
        [{ id: 'o', type: 'click', itemId: scorer.itemIds[2], time: now - 900, features: { category: { x: 1 } } }],
        [{ id: 'bare', type: 'click', itemId: scorer.itemIds[3], time: now - 800 }],
      ],
      items: [[{ id: scorer.itemIds[3], features: { category: 7 }, seenAt: now }]],
    });
    const e = await engine(idbFactory);
    const { info, data } = await expectUsable(e);
    expect(data.events.map((ev) => ev.id)).not.toContain('n');
    expect(data.events.map((ev) => ev.id)).toContain('bare');
    expect(info.diagnostics?.droppedRecords).toMatchObject({ events: 2, items: 1 });
    await e.close();
  });

  it('6,000 events without a time: new events are kept, and exportData shows them', async () => {
    const idbFactory = new IDBFactory();
    await plant(idbFactory, { events: Array.from({ length: 6000 }, (_, i) => [{ id: `t${i}`, type: 'view', itemId: 'x' }] as [unknown]) });
    const e = await engine(idbFactory);
    await e.track([{ type: 'click', itemId: 'kept-1' }, { type: 'click', itemId: 'kept-2' }]);
    const data = await e.exportData();
    expect(data.events.map((ev) => ev.itemId).sort()).toEqual(['kept-1', 'kept-2']);
    expect((await e.info()).diagnostics?.droppedRecords?.events).toBe(6000);
    await e.close();
  });
});

describe('memory follows storage', () => {
  it('an event dropped by retention no longer drives explanations', async () => {
    const idbFactory = new IDBFactory();
    const e = await engine(idbFactory, { maxEvents: 3, maxAgeDays: 1 });
    const ghost = scorer.itemIds[5];
    await e.track({ type: 'click', itemId: ghost, features: { category: ['Horror', 'Ghost'], text: 'Ghost Film (1970)' } });
    const ghostly = [{ id: 'g2', features: { category: ['Horror', 'Ghost'], text: 'Another Ghost' } }, ...known()];
    const before = await e.rerank(ghostly, { explain: true });
    expect(before.items.some((i) => i.reason?.text.includes('Ghost Film'))).toBe(true);
    await e.track(['a', 'b', 'c'].map((itemId) => ({ type: 'impression' as const, itemId })));
    expect((await e.exportData()).events.map((ev) => ev.itemId).sort()).toEqual(['a', 'b', 'c']);
    const after = await e.rerank(ghostly, { explain: true });
    expect(after.items.some((i) => i.reason?.text.includes('Ghost Film'))).toBe(false);
    expect((await e.info()).events).toBe(3);
    await e.close();
  });

  it('info().events is what is stored while writes fail for quota, pruning included', async () => {
    const e = await engine(new IDBFactory());
    await e.track(Array.from({ length: 40 }, (_, i) => ({ type: 'view' as const, itemId: `v${i}`, time: Date.now() - 1000 + i })));
    // The disk is full: every write fails, after pruning the oldest events to make room.
    const store = (e as unknown as { store: { writeEvents(events: unknown[]): Promise<number> } }).store;
    store.writeEvents = async () => {
      throw new DOMException('quota', 'QuotaExceededError');
    };
    for (let i = 0; i < 3; i++) {
      await expect(e.track({ type: 'click', itemId: `late${i}` })).rejects.toMatchObject({ code: 'STORAGE_FAILED' });
      const info = await e.info();
      expect(info.events).toBe((await e.exportData()).events.length);
      expect(info.events + info.storageStatus!.prunedForQuota).toBe(40);
    }
    expect((await e.info()).storageStatus!.prunedForQuota).toBeGreaterThan(0);
    await e.close();
  });

  it('the items store stays bounded over many reranks of new ids, and exportData shows it', async () => {
    const idbFactory = new IDBFactory();
    const e = await engine(idbFactory, { maxEvents: 10, maxAgeDays: 1 });
    for (let round = 0; round < 4; round++) {
      await e.rerank(Array.from({ length: 2000 }, (_, i) => ({ id: `r${round}-${i}`, features: { category: ['Shoes'], price: i } })));
    }
    // Remembering runs in the background: a training run reads the same store after it.
    await e.train();
    await new Promise((resolve) => setTimeout(resolve, 500));
    const { items } = await e.exportData();
    expect(items.length).toBeGreaterThan(0);
    expect(items.length).toBeLessThanOrEqual(LIMITS.maxRememberedItems);
    await e.close();
  });

  it('remembered items past the age limit go at the next start', async () => {
    const idbFactory = new IDBFactory();
    let now = Date.now();
    const first = await engine(idbFactory, { maxEvents: 100, maxAgeDays: 1 }, () => now);
    await first.rerank([{ id: 'old', features: { price: 1 } }]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await first.exportData()).items.map((i) => i.id)).toEqual(['old']);
    await first.close();
    now += 2 * DAY;
    const second = await engine(idbFactory, { maxEvents: 100, maxAgeDays: 1 }, () => now);
    expect((await second.exportData()).items).toEqual([]);
    await second.close();
  });
});

describe('nothing tracked around forget() and close() is silently lost', () => {
  it('events tracked while forget() waits for a training run are kept', async () => {
    const idbFactory = new IDBFactory();
    const e = await engine(idbFactory);
    await e.track(Array.from({ length: 40 }, (_, i) => ({ type: 'click' as const, itemId: scorer.itemIds[i] })));
    const training = e.train();
    const forgetting = e.forget();
    const tracked = e.track({ type: 'purchase', itemId: 'after-forget' });
    await Promise.all([training, forgetting, tracked]);
    expect((await e.exportData()).events.map((ev) => ev.itemId)).toEqual(['after-forget']);
    expect((await e.info()).events).toBe(1);
    await e.close();
  });

  it('a track() in flight when close() is called is stored before the engine closes', async () => {
    const idbFactory = new IDBFactory();
    const e = await engine(idbFactory);
    const tracked = e.track({ type: 'purchase', itemId: 'sku-1' });
    await e.close();
    await tracked;
    const reopened = await engine(idbFactory);
    expect((await reopened.exportData()).events.map((ev) => ev.itemId)).toEqual(['sku-1']);
    await reopened.close();
  });
});
