/**
 * The page-side client against fake workers on a real MessageChannel (comlink, as in the browser):
 * a worker that stops answering is noticed, every pending call settles, rerank falls back to the
 * server order, and the events queued meanwhile reach the restarted worker exactly once.
 */
import { expose } from 'comlink';
import { describe, expect, it } from 'vitest';
import { Client } from '../../src/page/client';
import { LocalrankError } from '../../src/shared/errors';
import type { PackedCandidates, WorkerApi, WorkerCallbacks, WorkerInit } from '../../src/shared/protocol';
import { LIMITS } from '../../src/shared/limits';
import type { EngineInfo, PersonalizerEvent, StoredEvent } from '../../src/shared/types';

const INIT: WorkerInit = {
  model: 'https://shop.example/model/manifest.json',
  namespace: 'client-test',
  backend: 'cpu',
  loadModel: 'lazy',
  modelPart: 'https://shop.example/assets/model.js',
  retention: { maxEvents: 100, maxAgeDays: 30 },
  autoTrain: false,
    fineTune: false,
  serverWeight: 0.3,
  wasmPaths: 'https://shop.example/wasm/',
};

const INFO: EngineInfo = {
  backend: 'cpu', backendReason: 'test', gpu: { adapter: 'none' }, model: 'ready', modelVersion: 'v1', events: 0,
  storage: 'memory', fineTuned: false, lastTraining: null, namespace: 'client-test',
};

/** What the fake workers store, shared like one IndexedDB database: events by id. */
class FakeStore {
  readonly events = new Map<string, StoredEvent>();
  deliveries = 0;
}

/**
 * A fake worker; `stuck = true` makes it stop answering anything, as a crashed or spinning worker
 * does. With `initError`, starting the engine fails with it.
 */
function fakeWorker(store: FakeStore, initError?: LocalrankError) {
  const { port1, port2 } = new MessageChannel();
  const state: { stuck: boolean; terminated: boolean; callbacks?: WorkerCallbacks; ranks?: boolean; closeMs?: number; asked: PackedCandidates[] } = { stuck: false, terminated: false, asked: [] };
  const never = new Promise<never>(() => undefined);
  const guard = <T>(answer: () => T | Promise<T>): Promise<T> => (state.stuck ? never : Promise.resolve(answer()));
  const api: WorkerApi = {
    init: (_, callbacks) => {
      state.callbacks = callbacks;
      if (initError) return Promise.reject(initError);
      return guard(() => INFO);
    },
    track: (events) =>
      guard(() => {
        store.deliveries++;
        let added = 0;
        for (const e of events) if (!store.events.has(e.id) && ++added) store.events.set(e.id, e);
        return added;
      }),
    // With `ranks`, every list comes back reversed, as a personalised answer.
    rerank: (candidates) => {
      state.asked.push(candidates);
      if (!state.ranks) return never;
      const n = (candidates.known ?? candidates.ids).length;
      const order = Int32Array.from({ length: n }, (_, i) => n - 1 - i);
      return guard(() => ({ order, scores: new Float32Array(n), modelScores: new Float32Array(n).fill(Number.NaN), computeMs: 0 }));
    },
    train: () => never,
    info: () => guard(() => ({ ...INFO, events: store.events.size })),
    exportData: () => never,
    forget: () => guard(() => store.events.clear()),
    close: () => guard(() => new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), state.closeMs ?? 0))),
    ping: () => guard(() => true as const),
  };
  expose(api, port2);
  const worker = Object.assign(port1, {
    terminate() {
      state.terminated = true;
      port1.close();
      port2.close();
    },
  }) as unknown as Worker;
  return { worker, state };
}

/** A client whose every (re)start gets a new fake worker over one shared store. */
function clientOnFakeWorkers() {
  const store = new FakeStore();
  const workers: Array<ReturnType<typeof fakeWorker>> = [];
  const client = new Client(INIT, { timeoutMs: 200 }, () => {
    const w = fakeWorker(store);
    workers.push(w);
    return w.worker;
  });
  return { store, workers, client };
}

describe('Client', () => {
  it('a worker that stops answering: pending calls settle, rerank falls back, queued events arrive once after the restart', async () => {
    const { store, workers, client } = clientOnFakeWorkers();
    const events: PersonalizerEvent[] = [];
    client.subscribe((e) => events.push(e));
    await client.start();
    await client.track([{ type: 'view', itemId: 'a' }, { type: 'view', itemId: 'b' }]);
    expect(store.events.size).toBe(2);

    workers[0].state.stuck = true;
    const started = Date.now();
    const training = client.train().then(() => 'resolved', (e: { code: string }) => e.code);
    // Times out in the worker: stays queued, and its promise waits until it is stored.
    const tracked = client.track({ type: 'click', itemId: 'c' }).then(() => store.events.size);
    const ranked = await client.rerank([{ id: 'x' }, { id: 'y' }, { id: 'z' }]);
    expect(ranked.personalized).toBe(false);
    expect(ranked.items.map((i) => i.id)).toEqual(['x', 'y', 'z']);

    // The 2-minute training call settles as soon as the watchdog gives up on the worker.
    expect(await training).toBe('WORKER_FAILED');
    expect(Date.now() - started).toBeLessThan(8_000);
    expect(events.some((e) => e.type === 'degraded')).toBe(true);
    expect(workers[0].state.terminated).toBe(true);
    expect((client as unknown as { unsent: unknown[] }).unsent).toHaveLength(1);
    // The fallback keeps the shop's rules.
    const ruled = await client.rerank([{ id: 'x' }, { id: 'y' }, { id: 'z', features: { brand: 'Acme' } }], { pin: { z: 0 }, exclude: ['y'] });
    expect(ruled).toMatchObject({ personalized: false, arm: 'treatment', excluded: [{ id: 'y', serverRank: 1, rule: 0 }] });
    expect(ruled.items.map((i) => i.id)).toEqual(['z', 'x']);
    const later = client.track({ type: 'click', itemId: 'd' }); // while degraded: queued

    // Restarted after 2 s; the queue is delivered; re-deliveries of 'c' are not stored twice.
    await waitFor(() => workers.length === 2 && store.events.size === 4, 8_000);
    expect(await tracked).toBeGreaterThanOrEqual(3);
    await later;
    expect([...store.events.values()].map((e) => e.itemId).sort()).toEqual(['a', 'b', 'c', 'd']);
    const info = await client.info();
    expect(info).toMatchObject({ events: 4, queuedEvents: 0 });
    expect(events.filter((e) => e.type === 'recovered')).toHaveLength(2);
    await client.close();
  }, 20_000);

  it('a GPU loss the model part recovers from is `recovered`', async () => {
    const { workers, client } = clientOnFakeWorkers();
    await client.start();
    const events: PersonalizerEvent[] = [];
    client.subscribe((e) => events.push(e));

    await workers[0].state.callbacks!.recovered('wasm', 'WebGL context lost; moved from webgl');
    await waitFor(() => events.length === 1, 2_000);
    expect(events).toEqual([{ type: 'recovered', backend: 'wasm' }]);
    expect(workers[0].state.terminated).toBe(false);
    await client.close();
  });

  it('info() answers after a failed start-up with the state and the failure, and after close(), instead of rejecting', async () => {
    const missing = new LocalrankError('MODEL_LOAD_FAILED', 'no model at https://shop.example/model/manifest.json (HTTP 404)');
    const client = new Client(INIT, {}, () => fakeWorker(new FakeStore(), missing).worker);
    await client.start();
    // Nothing can store it: the call waits, queued, until close() refuses it.
    const tracked = client.track({ type: 'view', itemId: 'a' }).then(() => 'stored', (e: { code?: string }) => e.code);
    expect(await client.info()).toEqual({
      state: 'degraded',
      arm: 'treatment',
      failure: { code: 'MODEL_LOAD_FAILED', message: missing.message },
      namespace: 'client-test',
      queuedEvents: 1,
    });
    await client.close();
    expect(await tracked).toBe('CLOSED');
    expect(await client.info()).toMatchObject({ state: 'closed' });
  });

  it('forget() with the worker stuck still clears the page-side queue and resolves', async () => {
    const store = new FakeStore();
    let current: ReturnType<typeof fakeWorker> | null = null;
    const client = new Client(INIT, { timeoutMs: 100 }, () => (current = fakeWorker(store)).worker);
    await client.start();
    current!.state.stuck = true;
    const queued = outcomeOf(client.track({ type: 'view', itemId: 'queued' }));
    // No IndexedDB in Node: the page-side fallback resolves (nothing was stored by the page).
    await client.forget();
    expect((client as unknown as { unsent: unknown[] }).unsent).toEqual([]);
    // Erased before it was stored: its promise says so instead of resolving.
    expect(await queued).toBe('FORGOTTEN');
    await client.close();
  }, 20_000);
});

describe('every accepted event is stored, or its track() rejects', () => {
  it('a burst beyond the page queue is refused whole with QUEUE_FULL; every resolved call is stored', async () => {
    const { store, client } = clientOnFakeWorkers();
    await client.start();
    const calls = Array.from({ length: 20 }, (_, c) =>
      Array.from({ length: 1000 }, (_, i) => ({ type: 'click' as const, itemId: `c${c}-${i}` })),
    );
    const outcomes = await Promise.all(calls.map((events) => outcomeOf(client.track(events))));
    const resolved = calls.filter((_, c) => outcomes[c] === 'resolved').flat();
    expect(outcomes.filter((o) => o !== 'resolved').every((o) => o === 'QUEUE_FULL')).toBe(true);
    expect(resolved.length).toBeGreaterThanOrEqual(LIMITS.maxQueuedEvents);
    // Exactly the events of the calls that resolved, none of the refused ones.
    expect([...store.events.values()].map((e) => e.itemId).sort()).toEqual(resolved.map((e) => e.itemId).sort());

    const singles = await Promise.all(Array.from({ length: 20_000 }, (_, i) => outcomeOf(client.track({ type: 'view', itemId: `s${i}` }))));
    const stored = [...store.events.values()].filter((e) => e.itemId.startsWith('s')).length;
    expect(stored).toBe(singles.filter((o) => o === 'resolved').length);
    expect(singles.every((o) => o === 'resolved' || o === 'QUEUE_FULL')).toBe(true);
    expect((await client.info()).queuedEvents).toBe(0);
    await client.close();
  }, 30_000);

  it('close() stores a track() still in flight; what it cannot store rejects with CLOSED', async () => {
    const healthy = clientOnFakeWorkers();
    await healthy.client.start();
    const tracked = outcomeOf(healthy.client.track({ type: 'purchase', itemId: 'sku-1' }));
    await healthy.client.close();
    expect(await tracked).toBe('resolved');
    expect([...healthy.store.events.values()].map((e) => e.itemId)).toEqual(['sku-1']);
    expect(await outcomeOf(healthy.client.track({ type: 'view', itemId: 'late' }))).toBe('CLOSED');

    const stuck = clientOnFakeWorkers();
    await stuck.client.start();
    stuck.workers[0].state.stuck = true;
    const lost = outcomeOf(stuck.client.track({ type: 'purchase', itemId: 'sku-2' }));
    await stuck.client.close();
    expect(await lost).toBe('CLOSED');
    expect(stuck.store.events.size).toBe(0);
  }, 20_000);

  it('a features object the page changed in place since the worker got it is sent again, and the answer to it is the one returned', async () => {
    const { client, workers } = clientOnFakeWorkers();
    await client.start();
    workers[0].state.ranks = true;
    const list = [{ id: 'a', features: { price: 5 } }, { id: 'b', features: { price: 6 } }];
    await client.rerank(list);
    await client.rerank(list);
    const asked = workers[0].state.asked;
    expect(asked.map((call) => Array.from(call.known!)), 'the second call sends nothing the worker holds').toEqual([[0, 0], [1, 1]]);
    list[1].features.price = 9;
    const result = await client.rerank(list);
    expect(result.items.map((item) => item.id)).toEqual(['b', 'a']);
    // Posted on trust, then sent again with the change once the comparison saw it.
    expect(asked.slice(2).map((call) => [Array.from(call.known!), call.features])).toEqual([
      [[1, 1], []],
      [[1, 0], ['{"price":9}']],
    ]);
    await client.close();
  });

  it('a rerank asked for once close() is called gets the server order, even while the worker still answers', async () => {
    const { client, workers } = clientOnFakeWorkers();
    await client.start();
    Object.assign(workers[0].state, { ranks: true, closeMs: 100 });
    expect((await client.rerank([{ id: 'a' }, { id: 'b' }, { id: 'c' }])).items.map((item) => item.id), 'the worker answers').toEqual(['c', 'b', 'a']);
    const closing = client.close();
    const result = await client.rerank([{ id: 'a' }, { id: 'b' }, { id: 'c' }]);
    expect(result).toMatchObject({ personalized: false, fallback: { code: 'CLOSED' } });
    expect(result.items.map((item) => item.id)).toEqual(['a', 'b', 'c']);
    await closing;
  });

  it('forget() erases what was tracked before it (FORGOTTEN) and keeps what is tracked after it', async () => {
    const { store, workers, client } = clientOnFakeWorkers();
    await client.start();
    workers[0].state.stuck = true;
    const before = outcomeOf(client.track({ type: 'view', itemId: 'before' }));
    const forgetting = client.forget();
    const after = outcomeOf(client.track({ type: 'view', itemId: 'after' }));
    await forgetting;
    expect(await before).toBe('FORGOTTEN');
    // The worker was stuck: it is restarted and the event tracked after forget() is stored.
    expect(await after).toBe('resolved');
    expect([...store.events.values()].map((e) => e.itemId)).toEqual(['after']);
    await client.close();
  }, 30_000);
});

describe('Client with a holdout', () => {
  it('a holdout of 1: every answer is the server order with the rules, arm control, without asking the worker', async () => {
    const store = new FakeStore();
    // The fake worker never answers rerank: an answer at all shows the worker was not asked.
    const client = new Client({ ...INIT, namespace: 'holdout-all' }, { holdout: 1 }, () => fakeWorker(store).worker);
    await client.start();
    const result = await client.rerank([{ id: 'a', score: 1 }, { id: 'b', score: 3 }, { id: 'c', score: 2, features: { attributes: { inStock: false } } }], {
      exclude: [{ field: 'inStock', equals: false }],
      explore: 0.5,
    });
    expect(result).toMatchObject({ personalized: false, arm: 'control', fallback: { code: 'HOLDOUT' }, excluded: [{ id: 'c', serverRank: 2, rule: 0 }] });
    expect(result.items.map((i) => i.id)).toEqual(['b', 'a']);
    expect(await client.info()).toMatchObject({ state: 'ready', arm: 'control' });
    // Still recorded.
    await client.track({ type: 'click', itemId: 'a' });
    expect(store.events.size).toBe(1);
    await client.close();
  });

  it('a holdout of 0 (the default): everyone is in treatment', async () => {
    const client = new Client({ ...INIT, namespace: 'holdout-none' }, {}, () => fakeWorker(new FakeStore()).worker);
    await client.start();
    expect(await client.info()).toMatchObject({ arm: 'treatment' });
    expect((await client.rerank([])).arm).toBe('treatment');
    await client.close();
  });
});

/** 'resolved', or the code the promise rejected with. */
function outcomeOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'resolved',
    (error: { code?: string }) => error.code ?? String(error),
  );
}

async function waitFor(condition: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
