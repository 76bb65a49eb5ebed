/**
 * Fault injection in real Chromium: each test forces one real fault (a terminated or stuck worker,
 * a bad model download, a lost GPU, a full disk, a database closed or upgraded under us, a page
 * closed mid-training) and asserts the page keeps working, rerank falls back to the server order
 * while degraded, no stored event is lost, and the engine recovers when the fault clears.
 */
import { randomBytes } from 'node:crypto';
import { expect, test, type Page } from '@playwright/test';
import { BLANK, FILMS, TASTE_EVENTS, candidateOf, tasteEvents } from './helpers';
import { call, captureWorkers, emitted, errorOf, hitWorker, info, open, views, workerCount, type Fault } from './harness';

type Ranked = { items: Array<{ id: string; modelScore: number | null }>; personalized: boolean; fallback?: { code: string } };

const candidates = FILMS.slice(0, 40).map(candidateOf);
const serverOrder = candidates.map((c) => c.id);
const rerank = (page: Page) => call<Ranked>(page, 'rerank', candidates, { serverWeight: 0 });

async function storedListIds(page: Page): Promise<string[]> {
  const data = await call<{ events: Array<{ listId?: string }> }>(page, 'exportData');
  return data.events.map((e) => e.listId ?? '').filter(Boolean).sort();
}

test.describe('the worker dies or stops answering', () => {
  const cases: Array<[string, Fault | 'terminate']> = [
    ['terminated by the page', 'terminate'],
    ['closes itself mid-call (a crash)', 'exit'],
    ['spins in a stuck kernel', 'hang'],
    ['throws an uncaught error', 'throw'],
  ];
  for (const [what, fault] of cases) {
    test(`worker ${what}: pending calls settle, rerank falls back, queued events survive the restart`, async ({ page }) => {
      await captureWorkers(page);
      await open(page, { namespace: `crash-${fault}`, backend: 'cpu', timeoutMs: 1_000 });
      await call(page, 'track', views('before', 20));
      expect((await rerank(page)).personalized).toBe(true);
      expect(await workerCount(page)).toBe(1);

      // Start a long call (training) and a short one, then break the worker under them.
      const outcome = page.evaluate(async () => {
        const { lr } = window;
        const settle = (p: Promise<unknown>) => p.then(() => 'resolved', (e: { code?: string }) => `rejected ${e.code}`);
        const start = performance.now();
        const results = await Promise.all([settle(lr.train()), settle(lr.exportData())]);
        return { results, ms: performance.now() - start };
      });
      await hitWorker(page, fault);
      const settled = await outcome;
      // With a 1 s call timeout and the 1 s watchdog ping, everything settles within seconds.
      expect(settled.ms).toBeLessThan(10_000);
      for (const r of settled.results) expect(r).toMatch(/^(resolved|rejected (WORKER_FAILED|TIMEOUT))$/);

      // Degraded: rerank answers at once with the server's order; track queues.
      const degraded = await rerank(page);
      if (!degraded.personalized) expect(degraded.items.map((i) => i.id)).toEqual(serverOrder);
      await call(page, 'track', views('during', 15));

      // The worker is restarted (2 s backoff) and the queued events are delivered exactly once.
      await expect.poll(() => emitted(page).then((e) => e.some((x) => x.type === 'degraded')), { timeout: 15_000 }).toBe(true);
      await expect.poll(() => info(page).then((i) => i.events).catch(() => -1), { timeout: 20_000 }).toBe(35);
      expect(await workerCount(page)).toBeGreaterThanOrEqual(2);
      expect((await rerank(page)).personalized).toBe(true);
      const ids = await storedListIds(page);
      expect(ids).toEqual([...views('before', 20), ...views('during', 15)].map((e) => e.listId).sort());
      expect((await info(page)).queuedEvents).toBe(0);
    });
  }
});

test.describe('the model download goes wrong', () => {
  const cases: Array<[string, string, (body: Buffer) => Buffer | null]> = [
    ['fails (network error)', 'MODEL_LOAD_FAILED', () => null],
    ['is truncated', 'MODEL_INTEGRITY', (body) => body.subarray(0, body.length - 100)],
    ['does not match its manifest (one byte flipped)', 'MODEL_INTEGRITY', (body) => {
      const copy = Buffer.from(body);
      copy[copy.length >> 1] ^= 0xff;
      return copy;
    }],
  ];
  for (const [what, code, corrupt] of cases) {
    test(`a model download that ${what} is refused, the taste and the head rank meanwhile, and a later retry recovers`, async ({ page, context }) => {
      let broken = true;
      let attempts = 0;
      await context.route('**/tests/fixtures/model/weights.bin', async (route) => {
        attempts++;
        if (!broken) return route.continue();
        const response = await route.fetch();
        const bad = corrupt(await response.body());
        if (bad === null) return route.abort('connectionreset');
        return route.fulfill({ response, body: bad, headers: { ...response.headers(), 'content-length': String(bad.length) } });
      });
      await open(page, { namespace: `model-${code}-${what.length}`, backend: 'cpu' });
      // The engine runs without the model part, and says why it is out.
      expect(await call(page, 'info')).toMatchObject({ state: 'ready', model: 'failed', modelFailure: { code } });
      const first = await rerank(page);
      expect(first.personalized).toBe(false);
      expect(first.fallback?.code).toBe('NO_EVIDENCE');
      expect(first.items.map((i) => i.id)).toEqual(serverOrder);
      // The page keeps working: events are stored, and the taste personalises without the model.
      await page.evaluate((events) => {
        window.tracked = [window.lr.track(events).then(() => 'resolved', (e: { code?: string }) => `rejected ${e.code}`)];
      }, views('offline', 5));
      expect(await page.evaluate(() => Promise.all(window.tracked))).toEqual(['resolved']);
      const tasted = await rerank(page);
      expect(tasted.personalized).toBe(true);
      expect(tasted.items.every((i) => i.modelScore === null)).toBe(true);

      // When the model is next wanted, after the back-off (2 s), the download is tried again.
      broken = false;
      await expect.poll(() => rerank(page).then((r) => r.items.some((i) => i.modelScore !== null)), { timeout: 20_000 }).toBe(true);
      expect(attempts).toBeGreaterThanOrEqual(2);
      expect(await info(page)).toMatchObject({ model: 'ready', events: 5 });
    });
  }
});

for (const backend of ['webgl', 'webgpu'] as const) {
  test(`losing the GPU under ${backend} moves to another backend, reloads the weights and never ranks on zeros`, async ({ page }) => {
    await captureWorkers(page);
    await open(page, { namespace: `gpu-loss-${backend}`, backend });
    expect((await info(page)).backend).toBe(backend);
    await call(page, 'track', tasteEvents());
    const report = await call<{ kept: boolean; steps: number }>(page, 'train');
    expect(report.steps).toBeGreaterThan(0);
    const before = await rerank(page);
    expect(before.personalized).toBe(true);

    await hitWorker(page, 'lose-gpu');
    // Until the model is rebuilt, rerank answers from the taste and the head without the model, or
    // with its real scores: never zeros.
    for (let i = 0; i < 5; i++) {
      const during = await rerank(page);
      expect(during.personalized).toBe(true);
      const scores = during.items.map((x) => x.modelScore);
      if (!scores.every((s) => s === null)) expect(new Set(scores).size).toBeGreaterThan(1);
    }
    await expect.poll(async () => (await info(page)).backend, { timeout: 30_000 }).not.toBe(backend);
    const after = await info(page);
    expect(after.backendReason).toMatch(backend === 'webgl' ? /WebGL context lost/ : /WebGPU device lost/);
    expect(after.fineTuned).toBe(report.kept);
    expect((await emitted(page)).some((x) => x.type === 'recovered' && x.backend === after.backend)).toBe(true);
    const recovered = await rerank(page);
    expect(recovered.personalized).toBe(true);
    const was = new Map(before.items.map((x) => [x.id, x.modelScore as number]));
    for (const item of recovered.items) expect(Math.abs((item.modelScore as number) - was.get(item.id)!)).toBeLessThan(2e-3);
  });
}

test('IndexedDB that cannot be used (a foreign database in the way): runs in memory and says so', async ({ page }) => {
  await page.goto(BLANK);
  // Some other code on the origin holds `localrank:foreign` at a newer version without our stores.
  await page.evaluate(
    () =>
      new Promise<void>((resolve) => {
        const req = indexedDB.open('localrank:foreign', 7);
        req.onupgradeneeded = () => req.result.createObjectStore('theirs');
        req.onsuccess = () => {
          req.result.close();
          resolve();
        };
      }),
  );
  await open(page, { namespace: 'foreign', backend: 'cpu' });
  const state = await info(page);
  expect(state.storage).toBe('memory');
  expect(state.storageStatus?.lastError).toMatch(/using memory: .*lacks the events, weights, items, meta stores/);
  await call(page, 'track', views('mem', 10));
  expect((await info(page)).events).toBe(10);
  expect((await rerank(page)).personalized).toBe(true);
  // Their database is left as it was.
  const theirs = await page.evaluate(async () => (await indexedDB.databases()).find((d) => d.name === 'localrank:foreign')?.version);
  expect(theirs).toBe(7);
});

/**
 * Every event a page tracked is accounted for at this moment: stored (what `info().events` says,
 * which is what `exportData()` shows), pruned for quota (counted in the status) or waiting in the
 * page. Read again while a delivery in flight falls between the reads (a write committed whose
 * answer has not arrived counts twice for a moment); a count that is wrong stays wrong and fails.
 */
async function expectAccountedFor(page: Page, tracked: number, step: string): Promise<void> {
  await expect
    .poll(
      async () => {
        const state = await info(page);
        const stored = (await call<{ events: unknown[] }>(page, 'exportData')).events.length;
        const pruned = state.storageStatus?.prunedForQuota ?? 0;
        const queued = state.queuedEvents ?? 0;
        return state.events === stored && stored + pruned + queued === tracked ? 'accounted for' : `${step}: info().events ${state.events}, exportData ${stored}, pruned ${pruned}, queued ${queued}, tracked ${tracked}`;
      },
      { timeout: 15_000 },
    )
    .toBe('accounted for');
}

test('quota exceeded mid-write: the oldest events are pruned by policy, nothing is corrupt, every event is accounted for', async ({ page }) => {
  const cdp = await page.context().newCDPSession(page);
  await page.goto(BLANK);
  const origin = new URL(page.url()).origin;
  // IndexedDB applies a quota override to connections opened after it: set it before the first.
  await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: 300_000 });
  await open(page, { namespace: 'quota', backend: 'cpu' });
  await call(page, 'track', views('early', 200));
  let tracked = 200;
  await expectAccountedFor(page, tracked, 'before');
  const noise = (n: number) => randomBytes(n).toString('base64').slice(0, n);
  const big = (i: number) => ({
    type: 'view' as const,
    itemId: `big-${i}`,
    listId: `late-${i}`,
    features: { text: noise(500), category: Array.from({ length: 16 }, () => noise(250)) },
  });
  // While writes fail, a track() waits (its events queued in the page) instead of resolving: each
  // call is given a moment, and all of them must resolve once space returns. However the browser
  // counts the quota, after every call each event is stored, pruned or waiting.
  await page.evaluate(() => (window.tracked = []));
  for (let i = 0; i < 60; i++) {
    await page.evaluate(async (event) => {
      const settled = window.lr.track([event]).then(() => 'resolved', (e: { code?: string }) => `rejected ${e.code}`);
      window.tracked.push(settled);
      await Promise.race([settled, new Promise((resolve) => setTimeout(resolve, 100))]);
    }, big(i));
    tracked++;
    await expectAccountedFor(page, tracked, `big-${i}`);
  }
  const full = await info(page);
  expect(full.storageStatus?.lastError, JSON.stringify(full.storageStatus)).toMatch(/quota/i);
  expect(full.storageStatus!.prunedForQuota).toBeGreaterThan(0);
  // What is stored is whole and readable, oldest first; pruning took the oldest events first.
  const data = await call<{ events: Array<{ listId: string; time: number }> }>(page, 'exportData');
  const times = data.events.map((e) => e.time);
  expect([...times].sort((a, b) => a - b)).toEqual(times);
  expect(data.events.some((e) => e.listId === 'early-0')).toBe(false);
  expect((await rerank(page)).personalized).toBe(true);

  // The fault clears: the events still queued in the page are delivered, and every event tracked
  // is accounted for: stored, or pruned by policy (counted in the status).
  await cdp.send('Storage.overrideQuotaForOrigin', { origin });
  await call(page, 'track', [big(1000)]);
  tracked++;
  expect(new Set(await page.evaluate(() => Promise.all(window.tracked)))).toEqual(new Set(['resolved']));
  const healed = await info(page);
  expect(healed.queuedEvents).toBe(0);
  expect(healed.storageStatus?.state).not.toBe('failing');
  await expectAccountedFor(page, tracked, 'healed');
  const stored = (await call<{ events: Array<{ listId: string }> }>(page, 'exportData')).events;
  expect(stored.some((e) => e.listId === 'late-1000')).toBe(true);
  console.log(`quota: ${full.storageStatus!.prunedForQuota} events pruned, state ${full.storageStatus!.state}, ${full.queuedEvents} queued while full`);
});

test('the database closed under us (site data cleared): reopens, no hang, no stale memory', async ({ page }) => {
  const cdp = await page.context().newCDPSession(page);
  await open(page, { namespace: 'cleared', backend: 'cpu' });
  await call(page, 'track', tasteEvents());
  await call(page, 'train');
  expect((await info(page)).events).toBe(TASTE_EVENTS);
  const origin = new URL(page.url()).origin;
  await cdp.send('Storage.clearDataForOrigin', { origin, storageTypes: 'indexeddb' });
  // The engine notices, re-reads (now empty) storage and keeps working on a fresh database.
  // info().events is what is stored (0 at once); the weights in memory go when the engine re-reads.
  await expect.poll(async () => (({ events, fineTuned }) => ({ events, fineTuned }))(await info(page)), { timeout: 10_000 }).toEqual({ events: 0, fineTuned: false });
  await call(page, 'track', views('after', 7));
  const state = await info(page);
  expect(state).toMatchObject({ events: 7, storage: 'indexeddb', lastTraining: null });
  expect((await rerank(page)).personalized).toBe(true);
});

test('a newer schema upgrade in another tab while this tab holds the old version: neither hangs', async ({ context }) => {
  const a = await context.newPage();
  await open(a, { namespace: 'upgrade', backend: 'cpu' });
  await call(a, 'track', views('a', 10));
  const b = await context.newPage();
  await b.goto(BLANK);
  // Tab B runs a newer localrank (schema 3 adds a store); tab A's worker holds version 2.
  const upgradeMs = await b.evaluate(
    () =>
      new Promise<number>((resolve, reject) => {
        const start = performance.now();
        const req = indexedDB.open('localrank:upgrade', 3);
        req.onupgradeneeded = () => req.result.createObjectStore('newer');
        req.onblocked = () => undefined; // resolved only if A lets go
        req.onsuccess = () => {
          req.result.close();
          resolve(performance.now() - start);
        };
        req.onerror = () => reject(req.error);
      }),
  );
  expect(upgradeMs).toBeLessThan(2_000);
  // Tab A reopens the upgraded database (its stores are all there) and goes on.
  await call(a, 'track', views('a', 5, 10));
  expect(await info(a)).toMatchObject({ events: 15, storage: 'indexeddb' });
  const version = await b.evaluate(async () => (await indexedDB.databases()).find((d) => d.name === 'localrank:upgrade')?.version);
  expect(version).toBe(3);
});

test('a page closed during training leaves either the old weights or the new ones, never half', async ({ context }) => {
  const namespace = 'closed-mid-training';
  for (const delayMs of [0, 30, 120, 400]) {
    const page = await context.newPage();
    await open(page, { namespace, backend: 'cpu' });
    await call(page, 'track', tasteEvents(Date.now() + delayMs));
    page.evaluate(() => window.lr.train()).catch(() => undefined);
    await page.waitForTimeout(delayMs);
    await page.close();
  }
  const check = await context.newPage();
  await open(check, { namespace, backend: 'cpu' });
  const data = await call<{ weights: { savedAt: number; tensors: Record<string, { shape: number[]; values: number[] }> } | null; lastTraining: { at: number; kept: boolean } | null }>(check, 'exportData');
  if (data.weights) {
    for (const [name, t] of Object.entries(data.weights.tensors)) {
      expect(t.values.length, name).toBe(t.shape.reduce((a, b) => a * b, 1));
      expect(t.values.every(Number.isFinite), name).toBe(true);
    }
    // Weights and the report that kept them were written in one transaction.
    expect(data.lastTraining?.at).toBeGreaterThanOrEqual(data.weights.savedAt);
  }
  const state = await info(check);
  expect(state.fineTuned).toBe(data.weights !== null);
  expect((await call<Ranked>(check, 'rerank', candidates)).personalized).toBe(true);
});

test('rerank of an empty list, one item and 10,000 items works', async ({ page }) => {
  await open(page, { namespace: 'sizes', backend: 'cpu' });
  await call(page, 'track', tasteEvents());
  const sizes = await page.evaluate(async () => {
    const { lr } = window;
    const out: Array<{ n: number; ok: boolean; personalized: boolean; ms: number }> = [];
    for (const n of [0, 1, 10_000]) {
      const list = Array.from({ length: n }, (_, i) => ({ id: `sku-${i}`, features: { category: ['Shop', `c${i % 50}`], price: i % 100, text: `Item ${i}` } }));
      const start = performance.now();
      const r = await lr.rerank(list);
      const ids = new Set(r.items.map((x) => x.id));
      out.push({ n, ok: r.items.length === n && ids.size === n, personalized: r.personalized, ms: performance.now() - start });
    }
    return out;
  });
  for (const s of sizes) {
    expect(s.ok, `n=${s.n}`).toBe(true);
    expect(s.personalized, `n=${s.n}`).toBe(true);
  }
  console.log(`rerank sizes: ${sizes.map((s) => `${s.n} items ${s.ms.toFixed(0)} ms`).join(', ')}`);
});

test('a model that is missing keeps the engine retrying in the background, with backoff', async ({ page }) => {
  await captureWorkers(page);
  await open(page, { namespace: 'retry', model: '/tests/fixtures/missing/manifest.json' });
  expect((await rerank(page)).fallback?.code).toBe('MODEL_LOAD_FAILED');
  // First retry after 2 s, the next after 10 s more.
  await expect.poll(() => workerCount(page), { timeout: 6_000 }).toBe(2);
  await page.waitForTimeout(3_000);
  expect(await workerCount(page)).toBe(2);
});
