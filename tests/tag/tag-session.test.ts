import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TagSession, type EngineModule, type SessionEnv } from '../../src/tag/tag-session';
import type { PersonalizerEvent, TrackEvent } from '../../src/shared/types';
import type { TagOptions } from '../../src/tag/tag-config';

/** An engine that records calls; `fail` makes the named methods reject (`info`: answer degraded with that failure); `stall` makes track() wait forever, as while storage fails. */
function fakeEngine(fail: Partial<Record<'track' | 'rerank' | 'info' | 'create', unknown>> = {}, stall = false) {
  const calls = { tracked: [] as TrackEvent[][], forget: 0, close: 0, created: 0, options: [] as unknown[] };
  const listeners: Array<(e: PersonalizerEvent) => void> = [];
  const personalizer = {
    async track(events: TrackEvent[]) {
      if (stall) await new Promise(() => undefined);
      if (fail.track && (typeof fail.track !== 'function' || (fail.track as (b: TrackEvent[]) => boolean)(events))) {
        throw Object.assign(new Error('bad'), { code: 'INVALID_EVENT' });
      }
      calls.tracked.push(events);
    },
    async rerank(candidates: Array<{ id: string }>) {
      if (fail.rerank) throw fail.rerank;
      return { items: [...candidates].reverse().map((c, i) => ({ id: c.id, score: i, modelScore: i, serverRank: i })), personalized: true, computeMs: 1 };
    },
    async info() {
      if (fail.info) return { state: 'degraded', failure: fail.info, namespace: 'shop', queuedEvents: 0 };
      return { state: 'ready', events: calls.tracked.flat().length };
    },
    async exportData() {
      return { events: calls.tracked.flat() };
    },
    async forget() {
      calls.forget++;
    },
    async close() {
      calls.close++;
    },
    async train() {
      return null;
    },
    subscribe(listener: (e: PersonalizerEvent) => void) {
      listeners.push(listener);
      return () => undefined;
    },
  };
  const module: EngineModule = {
    async createPersonalizer(options) {
      calls.created++;
      calls.options.push(options);
      if (fail.create) throw fail.create;
      return personalizer as never;
    },
  };
  return { module, calls, emit: (e: PersonalizerEvent) => listeners.forEach((l) => l(e)) };
}

function memoryStorage() {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (k: string) => data.get(k) ?? null,
    setItem: (k: string, v: string) => void data.set(k, v),
    removeItem: (k: string) => void data.delete(k),
  };
}

function setup(options: TagOptions = {}, env: Partial<SessionEnv> & { engine?: ReturnType<typeof fakeEngine> } = {}) {
  const engine = env.engine ?? fakeEngine();
  let idle: (() => void) | null = null;
  const storage = memoryStorage();
  const local = memoryStorage();
  const pushed: Array<Record<string, unknown>> = [];
  const deleted: string[] = [];
  const imported: string[] = [];
  const session = new TagSession(
    {
      importEngine: async (url) => {
        imported.push(url);
        return engine.module;
      },
      whenIdle: (task) => {
        idle = task;
      },
      storage,
      localStorage: local,
      pushDataLayer: (entry) => void pushed.push(entry),
      gpc: false,
      engineUrl: 'https://shop.example/localrank.js',
      deleteDatabase: async (name) => void deleted.push(name),
      listPart: () => import('../../src/tag/list-part'),
      ...env,
    },
    options,
  );
  /** Lets the page "finish loading" and waits for the engine to come up. */
  const loadPage = async () => {
    expect(idle, 'the engine load was scheduled').not.toBeNull();
    idle!();
    await session.engine();
    await vi.runAllTimersAsync();
  };
  return { session, engine, storage, local, pushed, deleted, imported, loadPage, pageLoaded: () => idle!(), wasScheduled: () => idle !== null };
}

const click = (itemId: string, extra: Partial<TrackEvent> = {}): TrackEvent => ({ type: 'click', itemId, time: 1, ...extra });

beforeEach(() => {
  vi.useFakeTimers();
  vi.spyOn(console, 'debug').mockImplementation(() => undefined);
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('TagSession', () => {
  it('loads the engine only once the page is idle, and sends what was recorded before', async () => {
    const { session, engine, imported, loadPage } = setup({ namespace: 'shop', autoTrack: false, model: 'https://m/manifest.json' });
    session.record([click('A'), click('B')]);
    session.start();
    expect(imported).toEqual([]);
    await loadPage();
    expect(imported).toEqual(['https://shop.example/localrank.js']);
    expect(engine.calls.options).toEqual([{ namespace: 'shop', model: 'https://m/manifest.json' }]);
    expect(engine.calls.tracked.flat().map((e) => e.itemId)).toEqual(['A', 'B']);
    expect(await session.ready()).toBe(true);
  });

  it('sends held events before it reports healthy, so the first rerank reflects them', async () => {
    const { session, engine, loadPage } = setup();
    session.record(click('A'));
    let trackedWhenHealthy = -1;
    session.onHealthy(() => {
      trackedWhenHealthy = engine.calls.tracked.flat().length;
    });
    session.start();
    await loadPage();
    expect(trackedWhenHealthy).toBe(1);
  });

  it('a track() that stays pending (storage failing) holds the engine back at most timeoutMs', async () => {
    const { session, pageLoaded } = setup({ timeoutMs: 1000 }, { engine: fakeEngine({}, true) });
    session.record(click('A'));
    session.start();
    pageLoaded();
    await vi.advanceTimersByTimeAsync(1500);
    expect(await session.ready(0)).toBe(true);
  });

  it('counts an event two sources report once, genuine repeats each time, an impression once per list and page', async () => {
    const { session, engine, loadPage } = setup();
    session.start();
    await loadPage();
    const impression = { type: 'impression', itemId: 'A', listId: 'top' };
    session.record([click('A'), click('A'), impression, { type: 'add_to_cart', itemId: 'A' }], 'markup');
    session.record([click('A'), { type: 'add_to_cart', itemId: 'A' }, impression, { ...impression, listId: 'recs' }], 'datalayer');
    session.record([click('A')], 'datalayer');
    await vi.runAllTimersAsync();
    expect(engine.calls.tracked.flat().map((e) => `${e.type}:${e.itemId}:${e.listId ?? ''}`)).toEqual([
      'click:A:',
      'click:A:',
      'impression:A:top',
      'add_to_cart:A:',
      'impression:A:recs',
    ]);
    session.newPage();
    session.record([impression], 'markup');
    await vi.runAllTimersAsync();
    expect(engine.calls.tracked.flat()).toHaveLength(6);
  });

  it('hands the engine its listener for features cut to the limits (the engine cuts; the tag tells the page)', async () => {
    const cuts: string[] = [];
    const { session, engine, loadPage } = setup({ namespace: 'shop' }, { onCut: (field, kind) => void cuts.push(`${field} ${kind}`) });
    session.start();
    await loadPage();
    const options = engine.calls.options[0] as { namespace: string; onFeaturesCut: (field: string, kind: string) => void };
    expect(options.namespace).toBe('shop');
    options.onFeaturesCut('tags', 'list');
    expect(cuts).toEqual(['tags list']);
  });

  it('drops invalid events and retries a rejected batch one event at a time', async () => {
    const engine = fakeEngine({ track: (batch: TrackEvent[]) => batch.some((e) => e.itemId === 'bad') });
    const { session, loadPage } = setup({}, { engine });
    session.start();
    await loadPage();
    session.record([click('A'), { type: 'nope', itemId: 'X' }, { type: 'click' }, click(''), click('bad'), click('B')]);
    await vi.runAllTimersAsync();
    expect(engine.calls.tracked.flat().map((e) => e.itemId).sort()).toEqual(['A', 'B']);
  });

  describe('consent', () => {
    it('denied by Global Privacy Control: nothing is held and no engine is loaded', async () => {
      const { session, engine, wasScheduled } = setup({}, { gpc: true });
      session.record(click('A'));
      session.start();
      expect(wasScheduled()).toBe(false);
      expect(await session.ready()).toBe(false);
      expect(await session.rerank([{ id: 'a' }, { id: 'b' }])).toMatchObject({ personalized: false, fallback: { code: 'NO_CONSENT' } });
      expect(engine.calls.created).toBe(0);
    });

    it('an explicit yes overrides Global Privacy Control', async () => {
      const { session, engine, loadPage } = setup({}, { gpc: true });
      session.start();
      await session.setConsent(true);
      session.record(click('A'));
      await loadPage();
      expect(engine.calls.tracked.flat()).toHaveLength(1);
    });

    it('"required" holds events in memory until the answer: a yes sends them', async () => {
      const { session, engine, storage, wasScheduled, loadPage } = setup({ consent: 'required' });
      session.record(click('A'));
      session.start();
      expect(wasScheduled()).toBe(false);
      session.saveOutbox();
      expect(storage.data.size).toBe(0);
      await session.setConsent(true);
      await loadPage();
      expect(engine.calls.tracked.flat().map((e) => e.itemId)).toEqual(['A']);
    });

    it('"required" then no: held events are dropped, the database deleted, nothing loaded', async () => {
      const { session, engine, deleted } = setup({ consent: 'required', namespace: 'shop' });
      session.record(click('A'));
      session.start();
      await session.setConsent(false);
      session.record(click('B'));
      await vi.runAllTimersAsync();
      expect(engine.calls.created).toBe(0);
      expect(deleted).toEqual(['localrank:shop']);
    });

    it('withdrawn while running: the engine forgets and closes, then the database goes, and recording stops', async () => {
      const { session, engine, deleted, loadPage } = setup();
      session.start();
      await loadPage();
      session.record(click('A'));
      await vi.runAllTimersAsync();
      await session.setConsent(false);
      expect(engine.calls.forget).toBe(1);
      expect(engine.calls.close).toBe(1);
      expect(deleted).toEqual(['localrank:default']);
      session.record(click('B'));
      await vi.runAllTimersAsync();
      expect(engine.calls.tracked.flat().map((e) => e.itemId)).toEqual(['A']);
      expect(await session.exportData()).toBeNull();
    });

    it('withdrawn while the engine loads: it is discarded as soon as it arrives', async () => {
      let arrive!: () => void;
      const slow = new Promise<void>((resolve) => (arrive = resolve));
      const engine = fakeEngine();
      const { session, deleted, pageLoaded } = setup({}, {
        engine,
        importEngine: async () => {
          await slow;
          return engine.module;
        },
      });
      session.start();
      pageLoaded();
      await vi.advanceTimersByTimeAsync(0);
      await session.setConsent(false);
      arrive();
      await vi.runAllTimersAsync();
      expect(engine.calls.created).toBe(1);
      expect(engine.calls.forget).toBe(1);
      expect(engine.calls.close).toBe(1);
      expect(await session.ready()).toBe(false);
      expect(deleted).toEqual(['localrank:default', 'localrank:default']);
    });
  });

  describe('failures', () => {
    it('an engine that cannot load: rerank answers with the server order, never rejects', async () => {
      const { session, loadPage } = setup({}, { importEngine: () => Promise.reject(new TypeError('Failed to fetch dynamically imported module')) });
      session.start();
      await loadPage();
      expect(await session.ready()).toBe(false);
      const result = await session.rerank([{ id: 'a' }, { id: 'b' }]);
      expect(result).toMatchObject({ personalized: false, fallback: { code: 'ENGINE_UNAVAILABLE' } });
      expect(result.items.map((i) => i.id)).toEqual(['a', 'b']);
    });

    it('an engine that started degraded (model missing) is not healthy until it recovers', async () => {
      const engine = fakeEngine({ info: { code: 'MODEL_LOAD_FAILED', message: 'no model at /models/default/manifest.json (HTTP 404)' } });
      const { session, loadPage } = setup({}, { engine });
      let healthy = 0;
      session.onHealthy(() => healthy++);
      session.start();
      await loadPage();
      expect(await session.ready()).toBe(false);
      expect(healthy).toBe(0);
      engine.emit({ type: 'recovered', backend: 'cpu' });
      expect(healthy).toBe(1);
      engine.emit({ type: 'degraded', code: 'WORKER_FAILED', message: 'gone' });
      engine.emit({ type: 'recovered', backend: 'cpu' });
      expect(healthy, 'each recovery runs the task again').toBe(2);
    });

    it('rerank errors, even for bad input, resolve with the server order', async () => {
      const engine = fakeEngine({ rerank: Object.assign(new Error('dup'), { code: 'DUPLICATE_ID' }) });
      const { session, loadPage } = setup({}, { engine });
      session.start();
      await loadPage();
      expect(await session.rerank([{ id: 'a' }, { id: 'a' }])).toMatchObject({ personalized: false, fallback: { code: 'DUPLICATE_ID' } });
      expect(await session.rerank('not a list')).toMatchObject({ items: [], personalized: false });
    });

    it("without the engine, rerank keeps the shop's rules (from the list part), or the server's order where that part cannot load", async () => {
      const candidates = [{ id: 'a' }, { id: 'b', features: { brand: 'Acme' } }, { id: 'c' }];
      const rules = { pin: { c: 0 }, exclude: [{ field: 'brand', equals: 'acme' }] };
      const ruled = setup({ consent: 'required' });
      ruled.session.start();
      expect((await ruled.session.rerank(candidates, rules)).items.map((i) => i.id)).toEqual(['c', 'a']);
      const missing = setup({ consent: 'required' }, { listPart: () => Promise.reject(new TypeError('Failed to fetch dynamically imported module')) });
      missing.session.start();
      const result = await missing.session.rerank(candidates, rules);
      expect(result.items.map((i) => i.id)).toEqual(['a', 'b', 'c']);
      expect(result).toMatchObject({ personalized: false, fallback: { code: 'NO_CONSENT' } });
    });

    it('rerank waits for a loading engine at most timeoutMs', async () => {
      const { session } = setup({ timeoutMs: 500 });
      session.start();
      const pending = session.rerank([{ id: 'a' }]);
      await vi.advanceTimersByTimeAsync(600);
      expect(await pending).toMatchObject({ personalized: false, fallback: { code: 'TIMEOUT' } });
    });
  });

  describe('outbox', () => {
    it('keeps unsent events across a navigation in the same tab, and sends them on the next page', async () => {
      const first = setup({ namespace: 'shop' });
      first.session.start();
      first.session.record(click('A'));
      first.session.saveOutbox();
      expect([...first.storage.data.keys()]).toEqual(['localrank:outbox:shop']);

      const next = setup({ namespace: 'shop' }, { storage: first.storage });
      next.session.start();
      expect(first.storage.data.size).toBe(0);
      await next.loadPage();
      expect(next.engine.calls.tracked.flat().map((e) => e.itemId)).toEqual(['A']);
    });

    it('is emptied when the page comes back, and never written without consent', async () => {
      const { session, storage } = setup({}, { gpc: true });
      session.start();
      session.record(click('A'));
      session.saveOutbox();
      expect(storage.data.size).toBe(0);

      const granted = setup();
      granted.session.start();
      granted.session.record(click('A'));
      granted.session.saveOutbox();
      granted.session.removeOutbox();
      expect(granted.storage.data.size).toBe(0);
    });

    it('is dropped when the next page has no consent', async () => {
      const storage = memoryStorage();
      storage.setItem('localrank:outbox:default', JSON.stringify([click('A')]));
      const { session, engine } = setup({}, { storage, gpc: true });
      session.start();
      expect(storage.data.size).toBe(0);
      expect(engine.calls.created).toBe(0);
    });

    it('survives broken storage', () => {
      const throwing = {
        getItem: () => {
          throw new Error('SecurityError');
        },
        setItem: () => {
          throw new Error('QuotaExceededError');
        },
        removeItem: () => {
          throw new Error('SecurityError');
        },
      };
      const { session } = setup({}, { storage: throwing });
      expect(() => {
        session.start();
        session.record(click('A'));
        session.saveOutbox();
        session.removeOutbox();
      }).not.toThrow();
    });
  });
});

describe('the holdout arm and the exposure', () => {
  it('is decided with consent, kept in localStorage, and the same on the next page', async () => {
    const { session, local } = setup({ holdout: 0.5, namespace: 'ab' });
    const arm = session.arm;
    expect(local.data.get('localrank:bucket:ab')).toMatch(/^\d{1,3}$/);
    const again = setup({ holdout: 0.5, namespace: 'ab' }, { localStorage: local } as never);
    expect(again.session.arm).toBe(arm);
  });

  it('stores nothing without consent, or without a holdout, and forgets the bucket with the rest', async () => {
    const pending = setup({ holdout: 0.5, consent: 'required' });
    expect(pending.session.arm).toBe('control');
    expect(pending.local.data.size).toBe(0);
    const none = setup({});
    expect(none.session.arm).toBe('treatment');
    expect(none.local.data.size).toBe(0);
    const granted = setup({ holdout: 0.5 });
    void granted.session.arm;
    expect(granted.local.data.size).toBe(1);
    await granted.session.setConsent(false);
    expect(granted.local.data.size).toBe(0);
    expect(granted.session.arm).toBe('control');
  });

  it('pushes the exposure once per page view, only when the shop asks, and only with consent', async () => {
    const reported = setup({ holdout: 1, report: 'datalayer' });
    reported.session.exposed('home');
    reported.session.exposed('search');
    expect(reported.pushed).toEqual([{ event: 'localrank_exposure', localrank_arm: 'control', localrank_list: 'home' }]);
    reported.session.newPage();
    reported.session.exposed(undefined);
    expect(reported.pushed).toHaveLength(2);
    expect(reported.pushed[1]).toEqual({ event: 'localrank_exposure', localrank_arm: 'control' });
    const quiet = setup({ holdout: 1 });
    quiet.session.exposed('home');
    expect(quiet.pushed).toEqual([]);
    const noConsent = setup({ report: 'datalayer', consent: 'required' });
    noConsent.session.exposed('home');
    expect(noConsent.pushed).toEqual([]);
    await noConsent.session.setConsent(true);
    noConsent.session.exposed('home');
    expect(noConsent.pushed).toEqual([{ event: 'localrank_exposure', localrank_arm: 'treatment', localrank_list: 'home' }]);
  });
});
