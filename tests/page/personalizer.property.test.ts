/**
 * The personalizer as a page uses it, end to end in Node: the page-side client, comlink over a real
 * MessageChannel, the real Engine on fake-indexeddb and the fixture model. fast-check drives
 * sequences of track / rerank / train / forget / close / reload / the clock moving on, with hostile
 * values mixed in and hostile records planted in storage beforehand, and after every step checks:
 *
 * - nothing accepted is lost: the stored events are exactly those whose `track()` resolved, less
 *   what `forget()` and retention removed (a model of both is kept beside the engine);
 * - nothing refused is stored: a `track()` that rejected stored none of its events;
 * - no store exceeds its bound (events, remembered items, weights, metadata);
 * - the engine stays usable: rerank answers with every candidate once, info and exportData answer.
 */
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../../src/page/client';
import { isInputError } from '../../src/shared/errors';
import { LIMITS } from '../../src/shared/limits';
import type { Retention } from '../../src/shared/protocol';
import { EVENT_TYPES, type Candidate, type ExportedData, type TrackEvent } from '../../src/shared/types';
import type { Scorer } from '../../src/worker/model/scorer';
import { Store } from '../../src/worker/store';
import { loadFixture } from '../worker/helpers';
import { openClient } from './channel-worker';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NAMESPACE = 'property';

let scorer: Scorer;
beforeAll(async () => {
  await tf.setBackend('cpu');
  scorer = loadFixture();
});
afterAll(() => scorer.dispose());

/** Every event a test tracks carries a marker (its listId) and a time of its own, so the model can follow it. */
interface Marked {
  marker: string;
  time: number;
}

/**
 * What the store must hold: the markers of accepted events, with retention applied as the store
 * applies it (age against the engine's clock, then the newest `maxEvents` by time) after each write
 * and at each start.
 */
class Model {
  private events = new Map<string, number>();
  constructor(private readonly retention: Retention) {}

  add(events: readonly Marked[]): void {
    for (const e of events) this.events.set(e.marker, e.time);
  }

  clear(): void {
    this.events.clear();
  }

  retain(now: number): void {
    const cutoff = now - this.retention.maxAgeDays * DAY;
    const kept = [...this.events].filter(([, time]) => time >= cutoff).sort((a, b) => b[1] - a[1]).slice(0, this.retention.maxEvents);
    this.events = new Map(kept);
  }

  markers(): string[] {
    return [...this.events.keys()].sort();
  }
}

type Outcome = 'resolved' | string;

function outcomeOf(promise: Promise<unknown>): Promise<{ outcome: Outcome; error?: unknown }> {
  return promise.then(
    () => ({ outcome: 'resolved' }),
    (error: { code?: string }) => ({ outcome: error?.code ?? String(error), error }),
  );
}

// ---- values -------------------------------------------------------------------------------------

const knownIds = () => scorer.itemIds.slice(0, 40);
const CATEGORIES = ['Comedy', 'Drama', 'Horror', '<script>alert(1)</script>', '\ud800', 'Films > Kids'];

/** A valid event shape (the marker and time are filled in when it is tracked). */
const validEvent = fc.record(
  {
    type: fc.constantFrom(...EVENT_TYPES),
    item: fc.oneof(fc.nat({ max: 39 }), fc.string({ minLength: 1, maxLength: 12 })),
    hoursAgo: fc.nat({ max: 24 * 6 }),
    dwellMs: fc.option(fc.nat({ max: 60_000 }), { nil: undefined }),
    position: fc.option(fc.nat({ max: 50 }), { nil: undefined }),
    features: fc.option(
      fc.record({ category: fc.subarray(CATEGORIES, { maxLength: 3 }), price: fc.double({ min: 0, max: 1e6, noNaN: true }), text: fc.string({ maxLength: 40 }) }, { requiredKeys: [] }),
      { nil: undefined },
    ),
    weird: fc.constantFrom('none', 'cyclic-extra', 'bigint-extra', 'numeric-id'),
  },
  { requiredKeys: ['type', 'item', 'hoursAgo', 'weird'] },
);
type ValidEvent = typeof validEvent extends fc.Arbitrary<infer T> ? T : never;

/** Values `track` must refuse with an input code, storing nothing of the call. Factories: a revoked Proxy must be made fresh. */
const HOSTILE_EVENTS: Array<() => unknown> = [
  () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    return proxy;
  },
  () => ({ type: 'click', get itemId(): string { throw new Error('getter'); } }),
  () => ({ type: 'click', itemId: 'a', time: Number.NaN }),
  () => ({ type: 'click', itemId: 'a', features: { price: 1e39 } }),
  () => ({ type: 'click', itemId: 'a', features: { category: 5 } }),
  () => ({ type: 'click', itemId: 'a', features: { price: 10n } }),
  () => ({ type: 'click', itemId: 'x'.repeat(LIMITS.maxIdLength + 1) }),
  () => ({ type: 'like', itemId: 'a' }),
  () => ({ type: 'view', itemId: 'a', time: Date.now() + 3 * DAY }),
  () => null,
];

const trackCall = fc.record({
  events: fc.array(validEvent, { minLength: 0, maxLength: 12 }),
  hostile: fc.option(fc.nat({ max: HOSTILE_EVENTS.length - 1 }), { nil: undefined, freq: 3 }),
});
type TrackCall = typeof trackCall extends fc.Arbitrary<infer T> ? T : never;

const HOSTILE_CANDIDATES: Array<() => unknown> = [
  () => {
    const { proxy, revoke } = Proxy.revocable([], {});
    revoke();
    return proxy;
  },
  () => [{ id: 'a' }, { id: 'a' }],
  () => [{ id: 'c', score: 1e39 }],
  () => [{ id: 'x'.repeat(LIMITS.maxIdLength + 1) }],
  () => [{ id: 'e', embedding: [1, Number.NaN] }],
  () => [null],
  () => 'candidates',
];
const HOSTILE_OPTIONS: unknown[] = [{ k: -1 }, { k: '5' }, { serverWeight: -0.5 }, { diversity: 2 }, 'fast'];

const rerankCall = fc.record({
  known: fc.nat({ max: 40 }),
  unknown: fc.nat({ max: 60 }),
  scores: fc.boolean(),
  options: fc.record({ k: fc.nat({ max: 100 }), serverWeight: fc.double({ min: 0, max: 1, noNaN: true }), diversity: fc.double({ min: 0, max: 1, noNaN: true }), explain: fc.boolean() }, { requiredKeys: [] }),
  hostile: fc.option(fc.oneof(fc.nat({ max: HOSTILE_CANDIDATES.length - 1 }).map((i) => ({ candidates: i })), fc.nat({ max: HOSTILE_OPTIONS.length - 1 }).map((i) => ({ options: i }))), { nil: undefined, freq: 3 }),
});

/** Events in one call of a burst: enough of them overflow the page queue (LIMITS.maxQueuedEvents). */
const callSize = fc.constantFrom(1, 40, 700, 1000);

const op = fc.oneof(
  { weight: 5, arbitrary: trackCall.map((call) => ({ kind: 'track' as const, call })) },
  { weight: 2, arbitrary: fc.array(callSize, { minLength: 2, maxLength: 8 }).map((sizes) => ({ kind: 'burst' as const, sizes })) },
  { weight: 3, arbitrary: rerankCall.map((call) => ({ kind: 'rerank' as const, call })) },
  { weight: 2, arbitrary: fc.constant({ kind: 'train' as const }) },
  { weight: 2, arbitrary: fc.tuple(trackCall, trackCall, fc.boolean()).map(([before, after, training]) => ({ kind: 'forget' as const, before, after, training })) },
  { weight: 2, arbitrary: fc.tuple(trackCall, fc.array(callSize, { maxLength: 3 })).map(([call, sizes]) => ({ kind: 'close' as const, call, sizes })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'reload' as const }) },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 72 }).map((hours) => ({ kind: 'advance' as const, hours })) },
);

/** Records planted in storage before the first start: hostile ones (dropped) and valid ones (kept). */
const planted = fc.record({
  corruptWeights: fc.constantFrom('none', 'wrong-length', 'nan', 'no-tensors', 'not-an-object'),
  badEvents: fc.subarray(['no-time', 'string-time', 'numeric-category', 'object-category', 'future', 'bad-type'] as const),
  timeless: fc.constantFrom(0, 10, 600),
  badItems: fc.boolean(),
  badMeta: fc.boolean(),
  validEvents: fc.nat({ max: 20 }),
});
type Planted = typeof planted extends fc.Arbitrary<infer T> ? T : never;

// ---- the run ------------------------------------------------------------------------------------

class Run {
  private counter = 0;
  readonly model: Model;
  client!: Client;
  readonly idbFactory = new IDBFactory();
  private clock: number;

  constructor(
    readonly retention: Retention,
    private readonly start: number,
  ) {
    this.model = new Model(retention);
    this.clock = start;
  }

  now = (): number => this.clock;

  async plant(seed: Planted): Promise<void> {
    const store = await Store.open({ namespace: NAMESPACE, retention: this.retention, idbFactory: this.idbFactory, now: this.now });
    store.close();
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = this.idbFactory.open(`localrank:${NAMESPACE}`);
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    const tx = db.transaction(['events', 'items', 'weights', 'meta'], 'readwrite');
    const events = tx.objectStore('events');
    const time = this.start - HOUR;
    const bad: Record<Planted['badEvents'][number], object> = {
      'no-time': { id: 'b1', type: 'click', itemId: 'x' },
      'string-time': { id: 'b2', type: 'click', itemId: 'x', time: '5' },
      'numeric-category': { id: 'b3', type: 'click', itemId: 'x', time, features: { category: 5 } },
      'object-category': { id: 'b4', type: 'click', itemId: 'x', time, features: { category: { a: 1 } } },
      future: { id: 'b5', type: 'click', itemId: 'x', time: this.start + 30 * DAY },
      'bad-type': { id: 'b6', type: 'like', itemId: 'x', time },
    };
    for (const name of seed.badEvents) events.put(bad[name]);
    for (let i = 0; i < seed.timeless; i++) events.put({ id: `timeless-${i}`, type: 'view', itemId: 'y' });
    const valid: Marked[] = [];
    for (let i = 0; i < seed.validEvents; i++) {
      const marked = this.mark();
      valid.push(marked);
      events.put({ id: `seed-${i}`, type: 'click', itemId: knownIds()[i % 40], time: marked.time, listId: marked.marker });
    }
    if (seed.badItems) {
      tx.objectStore('items').put({ id: 'bad-item', features: { category: 7 }, seenAt: this.start });
      tx.objectStore('items').put({ id: knownIds()[0], features: { category: { x: 1 } }, seenAt: this.start });
    }
    const reactions: Record<Exclude<Planted['corruptWeights'], 'none'>, unknown> = {
      'wrong-length': { modelVersion: scorer.version, savedAt: this.start, tensors: { reactions: { shape: [7], values: new Float32Array(7) } } },
      nan: { modelVersion: scorer.version, savedAt: this.start, tensors: { reactions: { shape: [4], values: Float32Array.of(Number.NaN, 0, 0, 0) } } },
      'no-tensors': { modelVersion: scorer.version, savedAt: this.start },
      'not-an-object': 'garbage',
    };
    if (seed.corruptWeights !== 'none') tx.objectStore('weights').put(reactions[seed.corruptWeights], 'user');
    if (seed.badMeta) {
      tx.objectStore('meta').put('not a report', 'lastTraining');
      tx.objectStore('meta').put({ junk: 'x'.repeat(1000) }, 'junk');
    }
    await new Promise((resolve, reject) => {
      tx.oncomplete = resolve;
      tx.onerror = () => reject(tx.error);
    });
    db.close();
    this.model.add(valid);
  }

  async open(): Promise<void> {
    this.client = await openClient(scorer, NAMESPACE, this.idbFactory, this.retention, this.now);
    // The start-up sweep and retention.
    this.model.retain(this.clock);
  }

  /** A fresh marker and a time no other event has (ties would make retention's order depend on random ids). */
  private mark(hoursAgo = 0): Marked {
    this.counter++;
    return { marker: `m${this.counter}`, time: this.start - hoursAgo * HOUR - this.counter };
  }

  /** The events of a call, as the page would pass them, and their markers. */
  build(call: TrackCall): { input: unknown[]; marked: Marked[] } {
    const marked: Marked[] = [];
    const input: unknown[] = call.events.map((e: ValidEvent) => {
      const m = this.mark(e.hoursAgo);
      marked.push(m);
      const itemId = typeof e.item === 'number' ? knownIds()[e.item] : e.item;
      const event: Record<string, unknown> = { type: e.type, itemId: e.weird === 'numeric-id' ? 12345 : itemId, time: m.time, listId: m.marker };
      if (e.dwellMs !== undefined) event.dwellMs = e.dwellMs;
      if (e.position !== undefined) event.position = e.position;
      if (e.features) {
        const features: Record<string, unknown> = { ...e.features };
        // Unknown fields are ignored by validation, whatever they hold.
        if (e.weird === 'cyclic-extra') features.self = features;
        if (e.weird === 'bigint-extra') features.extra = 10n;
        event.features = features;
      }
      return event;
    });
    if (call.hostile !== undefined) input.splice(input.length >> 1, 0, HOSTILE_EVENTS[call.hostile]());
    return { input, marked };
  }

  /** Tracks calls of `sizes` plain views at once, without waiting in between. */
  private burst(sizes: readonly number[]): Array<Promise<{ outcome: Outcome; marked: Marked[] }>> {
    return sizes.map((n) => {
      const marked = Array.from({ length: n }, () => this.mark(n % 5));
      const events = marked.map((m, i) => ({ type: 'view' as const, itemId: knownIds()[i % 40], time: m.time, listId: m.marker }));
      return outcomeOf(this.client.track(events)).then(({ outcome }) => ({ outcome, marked }));
    });
  }

  /** Tracks a call and records what its outcome means for the model. */
  async track(call: TrackCall): Promise<{ outcome: Outcome; marked: Marked[] }> {
    const { input, marked } = this.build(call);
    const { outcome, error } = await outcomeOf(this.client.track(input as TrackEvent[]));
    if (call.hostile !== undefined) {
      expect(isInputError(error), `a hostile track() must be an input error, got ${outcome}`).toBe(true);
    } else {
      expect(['resolved', 'QUEUE_FULL', 'CLOSED', 'FORGOTTEN']).toContain(outcome);
    }
    return { outcome, marked };
  }

  accept(results: ReadonlyArray<{ outcome: Outcome; marked: Marked[] }>): void {
    for (const r of results) if (r.outcome === 'resolved') this.model.add(r.marked);
    if (results.some((r) => r.outcome === 'resolved' && r.marked.length > 0)) this.model.retain(this.clock);
  }

  async step(o: Op): Promise<void> {
    switch (o.kind) {
      case 'track':
        this.accept([await this.track(o.call)]);
        break;
      case 'burst': {
        const results = await Promise.all(this.burst(o.sizes));
        for (const r of results) expect(['resolved', 'QUEUE_FULL']).toContain(r.outcome);
        this.accept(results);
        break;
      }
      case 'rerank':
        await this.rerank(o.call);
        break;
      case 'train': {
        const { outcome } = await outcomeOf(this.client.train());
        expect(outcome).toBe('resolved');
        break;
      }
      case 'forget': {
        const training = o.training ? outcomeOf(this.client.train()) : null;
        const before = this.track(o.before);
        const forgetting = outcomeOf(this.client.forget());
        const after = this.track(o.after);
        const [b, f, a] = await Promise.all([before, forgetting, after, training]);
        expect(f.outcome).toBe('resolved');
        // What was tracked before forget() is gone, stored or not; what came after is kept.
        expect(['resolved', 'FORGOTTEN']).toContain(o.before.hostile === undefined ? b.outcome : 'resolved');
        this.model.clear();
        this.accept([a]);
        break;
      }
      case 'close': {
        const tracked = this.track(o.call);
        const burst = this.burst(o.sizes);
        await this.client.close();
        const t = await tracked;
        expect(['resolved', 'CLOSED']).toContain(o.call.hostile === undefined ? t.outcome : 'resolved');
        const results = await Promise.all(burst);
        for (const r of results) expect(['resolved', 'QUEUE_FULL', 'CLOSED']).toContain(r.outcome);
        this.accept([t, ...results]);
        expect((await outcomeOf(this.client.track({ type: 'view', itemId: 'late' }))).outcome).toBe('CLOSED');
        await this.open();
        break;
      }
      case 'reload':
        await this.client.close();
        await this.open();
        break;
      case 'advance':
        this.clock += o.hours * HOUR;
        break;
    }
  }

  private async rerank(call: typeof rerankCall extends fc.Arbitrary<infer T> ? T : never): Promise<void> {
    const ids = [...knownIds().slice(0, call.known), ...Array.from({ length: call.unknown }, (_, i) => `new-${i}`)];
    let candidates: unknown = ids.map((id, i): Candidate => ({ id, ...(call.scores ? { score: ids.length - i } : {}), features: { category: [CATEGORIES[i % 3]], text: `Item ${id}` } }));
    let options: unknown = call.options;
    if (call.hostile && 'candidates' in call.hostile) candidates = HOSTILE_CANDIDATES[call.hostile.candidates]();
    if (call.hostile && 'options' in call.hostile) options = HOSTILE_OPTIONS[call.hostile.options];
    const ranked = await this.client.rerank(candidates as Candidate[], options as undefined).then(
      (result) => ({ result }),
      (error: unknown) => ({ error }),
    );
    if ('error' in ranked) {
      expect(call.hostile, `a valid rerank rejected: ${String(ranked.error)}`).toBeDefined();
      expect(isInputError(ranked.error)).toBe(true);
      return;
    }
    expect(call.hostile).toBeUndefined();
    this.expectAnswers(ranked.result, ids);
  }

  private expectAnswers(result: Awaited<ReturnType<Client['rerank']>>, ids: readonly string[]): void {
    expect(result.items.map((i) => i.id).sort()).toEqual([...ids].sort());
    if (result.personalized) {
      for (const item of result.items) expect(Number.isFinite(item.score)).toBe(true);
    } else if (ids.length > 0) {
      expect(result.fallback?.code).toBe('NO_EVIDENCE');
    }
  }

  /** The invariants, after every step. */
  async check(): Promise<void> {
    const data: ExportedData = await this.client.exportData();
    const stored = data.events.map((e) => e.listId ?? '').filter((m) => m.startsWith('m')).sort();
    expect(stored).toEqual(this.model.markers());
    expect(data.events.length).toBeLessThanOrEqual(this.retention.maxEvents);
    expect(data.items.length).toBeLessThanOrEqual(LIMITS.maxRememberedItems);
    const info = await this.client.info();
    expect(info.state).toBe('ready');
    if (info.state === 'ready') expect(info.events).toBe(data.events.length);
    expect(info.queuedEvents).toBe(0);
    const ids = knownIds().slice(0, 10);
    this.expectAnswers(await this.client.rerank(ids.map((id) => ({ id }))), ids);
  }

  /** At the end, with the engine closed: what is on disk, record by record. */
  async checkDisk(): Promise<void> {
    await this.client.close();
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = this.idbFactory.open(`localrank:${NAMESPACE}`);
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    const count = (name: string) =>
      new Promise<number>((resolve) => {
        const req = db.transaction(name).objectStore(name).count();
        req.onsuccess = () => resolve(req.result);
      });
    expect(await count('events')).toBeLessThanOrEqual(this.retention.maxEvents);
    expect(await count('items')).toBeLessThanOrEqual(LIMITS.maxRememberedItems);
    expect(await count('weights')).toBeLessThanOrEqual(1);
    expect(await count('meta')).toBeLessThanOrEqual(2);
    db.close();
  }
}

type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

describe('the personalizer under any sequence of calls, values and stored records', () => {
  it('loses nothing accepted, stores nothing refused, keeps every store bounded and stays usable', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({ maxEvents: fc.constantFrom(5, 40, 5000), maxAgeDays: fc.constantFrom(1, 3, 90) }),
        planted,
        fc.array(op, { minLength: 1, maxLength: 10 }),
        async (retention, seed, ops) => {
          const run = new Run(retention, Date.now());
          await run.plant(seed);
          await run.open();
          await run.check();
          for (const o of ops) {
            await run.step(o);
            await run.check();
          }
          await run.checkDisk();
        },
      ),
      { numRuns: Number(process.env.LOCALRANK_PROPERTY_RUNS ?? 30), endOnFailure: true },
    );
  }, 600_000);
});
