/**
 * The engine through the built npm entry (dist/localrank.js) in each engine: a real module Worker,
 * the engine's own IndexedDB, the wasm backend, the fixture model. Which engine runs which test:
 * engines.ts.
 */
import type { RerankResult, ReadyInfo } from '../../src/index';
import { FILMS, candidateOf, tasteEvents } from '../browser/helpers';
import { call, engineTest, expect, openLr, type Driver } from './harness';

const candidates = FILMS.slice(0, 100).map(candidateOf);
const history = FILMS.slice(100, 112).map((f, i) => ({ type: 'click', itemId: f.id, time: Date.now() - (12 - i) * 60_000, features: { category: f.genres, text: f.title } }));

const rerank = (driver: Driver, list: unknown[], options: Record<string, unknown> = {}) => call<RerankResult>(driver, 'rerank', list, options);
const info = (driver: Driver) => call<ReadyInfo>(driver, 'info');

engineTest('npm entry: a newcomer gets the exact server order; clicks on one genre raise it', async ({ driver }) => {
  await openLr(driver, { namespace: 'taste' });
  const genre = 'Horror';
  // The server puts the genre last: only the visitor's clicks can bring it up.
  const pool = [...FILMS.filter((f) => !f.genres.includes(genre)).slice(0, 80), ...FILMS.filter((f) => f.genres.includes(genre)).slice(0, 20)];
  const clicked = pool.filter((f) => f.genres.includes(genre)).slice(0, 8);
  const list = pool.filter((f) => !clicked.includes(f)).map(candidateOf);
  const isGenre = new Set(pool.filter((f) => f.genres.includes(genre)).map((f) => f.id));
  const meanRank = (r: RerankResult) => {
    const ranks = r.items.map((item, rank) => (isGenre.has(item.id) ? rank : -1)).filter((x) => x >= 0);
    return ranks.reduce((a, b) => a + b, 0) / ranks.length;
  };
  const before = await rerank(driver, list);
  expect(before.personalized).toBe(false);
  expect(before.fallback?.code).toBe('NO_EVIDENCE');
  expect(before.items.map((i) => i.id)).toEqual(list.map((c) => c.id));

  await call(driver, 'track', clicked.map((f) => ({ type: 'click', itemId: f.id, features: { category: f.genres, text: f.title } })));
  const after = await rerank(driver, list, { explain: true });
  expect(after.personalized).toBe(true);
  expect(after.items.map((i) => i.id).sort()).toEqual(list.map((c) => c.id).sort());
  // 12 genre items among 92: a mean rank that drops by a quarter of the list is a clear move.
  expect(meanRank(before) - meanRank(after), `mean rank of ${genre} films before ${meanRank(before).toFixed(1)}, after ${meanRank(after).toFixed(1)}`).toBeGreaterThan(list.length / 4);
  expect(after.items.find((i) => i.reason)?.reason?.text).toMatch(/^Because you viewed /);
});

engineTest('npm entry: the engine runs in a module Worker on the wasm backend, scoring as the cpu backend does', async ({ driver }) => {
  await driver.goto('/tests/browser/fixtures/blank.html');
  // Record the Workers the library creates, before it is imported.
  await driver.evaluate(() => {
    const Native = window.Worker;
    (window as unknown as { created: Array<{ url: string; type: string }> }).created = [];
    window.Worker = class extends Native {
      constructor(url: string | URL, options?: WorkerOptions) {
        super(url, options);
        (window as unknown as { created: Array<{ url: string; type: string }> }).created.push({ url: String(url), type: options?.type ?? 'classic' });
      }
    };
  });
  const results: Record<string, { info: ReadyInfo; result: RerankResult }> = {};
  for (const backend of ['wasm', 'cpu']) {
    const outcome = await driver.evaluate(
      async ([bundle, model, backend, events, list]) => {
        const lib = (await import(bundle)) as Window['localrankLib'];
        const lr = await lib.createPersonalizer({ model, backend: backend as 'wasm', namespace: `backend-${backend}`, autoTrain: false, loadModel: 'eager' });
        await lr.track(events as never);
        const result = await lr.rerank(list as never, { serverWeight: 0 });
        const info = await lr.info();
        await lr.close();
        return { info, result };
      },
      ['/dist/localrank.js', '/tests/fixtures/model/manifest.json', backend, history, candidates] as [string, string, string, unknown[], unknown[]],
    );
    results[backend] = outcome as { info: ReadyInfo; result: RerankResult };
  }
  const created = await driver.evaluate(() => (window as unknown as { created: Array<{ url: string; type: string }> }).created);
  expect(created).toHaveLength(2);
  for (const worker of created) {
    expect(worker.type).toBe('module');
    expect(new URL(worker.url).pathname).toMatch(/^\/dist\/.*\.js$/);
  }
  expect(results.wasm!.info).toMatchObject({ state: 'ready', backend: 'wasm', storage: 'indexeddb' });
  expect(results.cpu!.info).toMatchObject({ state: 'ready', backend: 'cpu' });
  const reference = new Map(results.cpu!.result.items.map((i) => [i.id, i.modelScore as number]));
  expect(results.wasm!.result.personalized).toBe(true);
  for (const item of results.wasm!.result.items) expect(Math.abs((item.modelScore as number) - reference.get(item.id)!), item.id).toBeLessThan(2e-3);
  expect(results.wasm!.result.items.slice(0, 10).map((i) => i.id)).toEqual(results.cpu!.result.items.slice(0, 10).map((i) => i.id));
});

engineTest('npm entry: train() keeps a fit; events and reactions survive a reload, exportData returns them, forget() removes them', async ({ driver }) => {
  await openLr(driver, { namespace: 'persist' });
  const events = tasteEvents();
  const liked = events.filter((e) => e.type === 'click').map((e) => e.itemId);
  await call(driver, 'track', events);
  const report = await call<{ steps: number; kept: boolean; reason: string }>(driver, 'train');
  expect(report.steps, report.reason).toBeGreaterThan(0);
  expect(report.kept, report.reason).toBe(true);
  expect(await info(driver)).toMatchObject({ events: events.length, fineTuned: true, storage: 'indexeddb' });

  await driver.reload();
  await openLr(driver, { namespace: 'persist' });
  const after = await info(driver);
  expect(after).toMatchObject({ events: events.length, fineTuned: true });
  expect(after.lastTraining?.steps).toBe(report.steps);
  const exported = await call<{ events: Array<{ itemId: string; type: string }>; weights: unknown }>(driver, 'exportData');
  expect(exported.events).toHaveLength(events.length);
  expect(exported.events.filter((e) => e.type === 'click').map((e) => e.itemId)).toEqual(liked);
  expect(exported.weights).not.toBeNull();

  await call(driver, 'forget');
  await driver.reload();
  await openLr(driver, { namespace: 'persist' });
  expect(await info(driver)).toMatchObject({ events: 0, fineTuned: false, lastTraining: null });
  expect((await call<{ events: unknown[] }>(driver, 'exportData')).events).toEqual([]);
});

engineTest('npm entry: a track() in flight when close() is called is stored; calls after close() reject or fall back', async ({ driver }) => {
  await openLr(driver, { namespace: 'close-race' });
  const outcome = await driver.evaluate(async (list) => {
    const settle = (p: Promise<unknown>) => p.then(() => 'resolved', (e: { code?: string }) => e.code ?? String(e));
    const tracked = settle(window.lr.track({ type: 'purchase', itemId: 'sku-1' }));
    const closing = settle(window.lr.close());
    const late = settle(window.lr.track({ type: 'view', itemId: 'late' }));
    const fallback = await window.lr.rerank(list as never);
    return {
      tracked: await tracked,
      closed: await closing,
      late: await late,
      train: await settle(window.lr.train()),
      fallback: { personalized: fallback.personalized, ids: fallback.items.map((i) => i.id), code: fallback.fallback?.code },
      state: (await window.lr.info()).state,
    };
  }, candidates.slice(0, 10));
  expect(outcome).toMatchObject({ tracked: 'resolved', closed: 'resolved', late: 'CLOSED', train: 'CLOSED', state: 'closed' });
  expect(outcome.fallback).toMatchObject({ personalized: false, ids: candidates.slice(0, 10).map((c) => c.id) });
  await openLr(driver, { namespace: 'close-race' });
  const stored = await call<{ events: Array<{ itemId: string }> }>(driver, 'exportData');
  expect(stored.events.map((e) => e.itemId)).toEqual(['sku-1']);
});

engineTest('npm entry: a forced webgpu backend runs on the software adapter and ranks as cpu does', async ({ driver, facts }) => {
  const ranked: Record<string, RerankResult> = {};
  for (const backend of ['webgpu', 'cpu']) {
    await openLr(driver, { backend, namespace: `gpu-${backend}` });
    const i = await call<ReadyInfo>(driver, 'info');
    expect(i.backend).toBe(backend);
    if (backend === 'webgpu') expect(i.gpu.adapter).toBe(facts.gpuAdapter);
    await call(driver, 'track', history);
    ranked[backend] = await rerank(driver, candidates, { serverWeight: 0 });
    expect(ranked[backend]!.personalized).toBe(true);
    await call(driver, 'close');
  }
  const reference = new Map(ranked.cpu!.items.map((i) => [i.id, i.modelScore as number]));
  for (const item of ranked.webgpu!.items) expect(Math.abs((item.modelScore as number) - reference.get(item.id)!)).toBeLessThan(2e-3);
});

engineTest('npm entry: without WebGPU, a forced webgpu backend falls back to a correct one', async ({ driver, facts }) => {
  await driver.goto('/tests/browser/fixtures/blank.html');
  expect(await driver.evaluate(() => 'gpu' in navigator && !!(navigator as { gpu?: unknown }).gpu)).toBe(false);
  await openLr(driver, { backend: 'webgpu', namespace: 'no-gpu' });
  const i = await info(driver);
  expect(i.gpu.adapter).toBe(facts.gpuAdapter);
  expect(['wasm', 'cpu', 'webgl']).toContain(i.backend);
  expect(i.backendReason).toMatch(/webgpu/i);
  await call(driver, 'track', history);
  const result = await rerank(driver, candidates);
  expect(result.personalized).toBe(true);
});
