/**
 * Real catalogues are bigger than the engine's limits: S3-Rec's LastFM has artists with 625 tags,
 * shops send category paths 30 levels deep, titles of pages of text, hundreds of attributes. Through
 * the npm API (the page-side client, comlink, the real Engine on fake-indexeddb, the fixture model),
 * fast-check feeds such items to `track` and `rerank` and checks after every call: the call
 * resolves, every candidate is ranked exactly once, what `track` accepted is stored (with its lists
 * cut to the limits), `info().events` is what is stored, and the cuts are counted.
 */
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '../../src/page/client';
import { LIMITS } from '../../src/shared/limits';
import type { Info, ItemFeatures, ReadyInfo } from '../../src/shared/types';
import type { Scorer } from '../../src/worker/model/scorer';
import { loadFixture } from '../worker/helpers';
import { openClient } from './channel-worker';

let scorer: Scorer;
let client: Client;
/** What `onFeaturesCut` was told. */
let told = 0;
const NOW = Date.UTC(2026, 0, 1);
beforeAll(async () => {
  await tf.setBackend('cpu');
  scorer = loadFixture();
  client = await openClient(scorer, 'oversized', new IDBFactory(), { maxEvents: 100_000, maxAgeDays: 90 }, () => NOW, {
    onFeaturesCut: () => {
      told++;
    },
  });
});
afterAll(async () => {
  await client.close();
  scorer.dispose();
});

const word = fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 12 });
/** Mostly short values, now and then one over the id length (left out, never refused). */
const value = fc.oneof({ weight: 20, arbitrary: word }, { weight: 1, arbitrary: fc.string({ minLength: LIMITS.maxIdLength + 1, maxLength: 400 }) });

/** A list of `value`s: as most items have, or far over `limit` (up to `max`), as real catalogues have too. */
function list<T>(item: fc.Arbitrary<T>, limit: number, max: number): fc.Arbitrary<T[]> {
  return fc.oneof(fc.array(item, { maxLength: 5 }), fc.array(item, { minLength: limit + 1, maxLength: max, size: 'max' }));
}

/** An item as a real catalogue describes it: often far more tags, levels, text and attributes than the engine reads. */
const oversized: fc.Arbitrary<ItemFeatures> = fc.record(
  {
    tags: list(value, LIMITS.maxTags, 1000),
    category: list(value, LIMITS.maxCategories, 40),
    text: fc.oneof(fc.string({ maxLength: 100 }), fc.string({ minLength: 5000, maxLength: 20_000, size: 'max' })),
    brand: value,
    price: fc.double({ min: 0, max: 1e6, noNaN: true }),
    attributes: fc.oneof(
      fc.dictionary(word, fc.oneof(value, fc.integer(), fc.boolean()), { maxKeys: 5 }),
      fc.dictionary(word, fc.oneof(value, list(value, 5, 30), fc.integer(), fc.boolean()), { minKeys: LIMITS.maxAttributes + 1, maxKeys: 200, size: 'max' }),
    ),
  },
  { requiredKeys: [] },
);

function withinLimits(f: ItemFeatures | undefined): boolean {
  if (!f) return true;
  const short = (list: readonly unknown[] | undefined, max: number) => !list || (list.length <= max && list.every((v) => typeof v !== 'string' || v.length <= LIMITS.maxIdLength));
  const attributeValues = Object.entries(f.attributes ?? {}).flatMap(([k, v]) => [...(Array.isArray(v) ? v : [v])].map(() => k));
  return (
    short(typeof f.category === 'string' ? [f.category] : f.category, LIMITS.maxCategories) &&
    short(f.tags, LIMITS.maxTags) &&
    attributeValues.length <= LIMITS.maxAttributes &&
    (f.brand === undefined || f.brand.length <= LIMITS.maxIdLength) &&
    (f.text === undefined || f.text.length <= LIMITS.maxTextLength)
  );
}

/** `info()` of a running engine (anything else fails the test). */
async function ready(): Promise<ReadyInfo> {
  const info: Info = await client.info();
  if (info.state !== 'ready') throw new Error(`the engine is ${info.state}`);
  return info;
}

let calls = 0;
/** Items over the limits seen, so that the property is known not to hold vacuously. */
let oversizedItems = 0;

describe('real-shaped oversized catalogues through the npm API', () => {
  it('never break a call: every candidate ranked once, every accepted event stored, the cuts counted', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(oversized, { minLength: 1, maxLength: 12 }), fc.nat({ max: 3 }), async (items, interactions) => {
        const call = calls++;
        const before = (await ready()).diagnostics;
        const candidates = items.map((features, i) => ({ id: `c${call}-${i}`, features }));
        // One known item among them, so the model has something to say.
        candidates.push({ id: scorer.itemIds[call % 40], features: items[0] });
        const events = candidates.slice(0, interactions + 1).map((c, i) => ({ type: 'click' as const, itemId: c.id, features: c.features, listId: `call-${call}`, time: NOW - 1000 + i }));

        await client.track(events);
        const ranked = await client.rerank(candidates, { explain: true });
        expect(ranked.items.map((item) => item.id).sort()).toEqual(candidates.map((c) => c.id).sort());
        expect(ranked.personalized).toBe(true);
        expect(ranked.items.every((item) => Number.isFinite(item.score))).toBe(true);

        const data = await client.exportData();
        const stored = data.events.filter((e) => e.listId === `call-${call}`);
        expect(stored.map((e) => e.itemId).sort()).toEqual(events.map((e) => e.itemId).sort());
        expect(stored.every((e) => withinLimits(e.features))).toBe(true);
        expect(data.items.every((item) => withinLimits(item.features))).toBe(true);
        const info = await ready();
        expect(info.events).toBe(data.events.length);

        const overLimits = [...events.map((e) => e.features), ...candidates.map((c) => c.features)].filter((f) => !withinLimits({ ...f, text: undefined })).length;
        const cut = (d: typeof before) => (d?.truncatedLists ?? 0) + (d?.droppedValues ?? 0);
        expect(cut(info.diagnostics) - cut(before)).toBeGreaterThanOrEqual(overLimits > 0 ? 1 : 0);
        // The page was told of every cut it counted.
        expect(told).toBe(cut(info.diagnostics));
        oversizedItems += overLimits;
      }),
      { numRuns: 25 },
    );
    expect(oversizedItems).toBeGreaterThan(25);
  }, 120_000);
});
