/**
 * The engine core in real Chromium: a real Worker, real IndexedDB, each tfjs backend
 * (WebGPU on the SwiftShader adapter), the built bundle and the fixture model.
 */
import { expect, test, type Page } from '@playwright/test';
import type { RerankResult as Ranked, ReadyInfo } from '../../src/index';
import { call, open } from './harness';
import { BLANK, FILMS, candidateOf, recordRequests, tasteEvents } from './helpers';


const BACKENDS = ['cpu', 'wasm', 'webgl', 'webgpu'] as const;
const candidates = FILMS.slice(0, 100).map(candidateOf);
const comedies = FILMS.filter((f) => f.genres.includes('Comedy')).slice(100 / 4, 100 / 4 + 8);
const history = FILMS.slice(100, 112).map((f, i) => ({ type: 'click', itemId: f.id, time: Date.now() - (12 - i) * 60_000, features: { category: f.genres, text: f.title } }));

function rerank(page: Page, list: unknown[], options: Record<string, unknown> = {}): Promise<Ranked> {
  return call<Ranked>(page, 'rerank', list, options);
}

test('runs in a real worker on each backend and ranks the same on all of them', async ({ page }) => {
  const results: Record<string, Ranked> = {};
  for (const backend of BACKENDS) {
    await open(page, { backend, namespace: `backend-${backend}` });
    const info = await call<{ backend: string; gpu: { adapter: string } }>(page, 'info');
    expect(info.backend, `forced ${backend}`).toBe(backend);
    if (backend === 'webgpu') expect(info.gpu.adapter).toBe('software');
    await call(page, 'track', history);
    results[backend] = await rerank(page, candidates, { serverWeight: 0 });
    expect(results[backend].personalized, JSON.stringify(results[backend].fallback)).toBe(true);
    await call(page, 'close');
  }
  const reference = results.cpu.items;
  const refScore = new Map(reference.map((r) => [r.id, r.modelScore as number]));
  for (const backend of BACKENDS) {
    const items = results[backend].items;
    expect(items).toHaveLength(candidates.length);
    for (const item of items) expect(Math.abs((item.modelScore as number) - refScore.get(item.id)!)).toBeLessThan(2e-3);
    // Same order up to float noise: the top 10 agree.
    expect(items.slice(0, 10).map((i) => i.id)).toEqual(reference.slice(0, 10).map((i) => i.id));
  }
});

test('the bundled cross scorer runs on each backend and scores the same on all of them', async ({ page }) => {
  const scores: Record<string, Map<string, number | null>> = {};
  for (const backend of BACKENDS) {
    await open(page, { backend, model: '/dist/models/default/manifest.json', namespace: `cross-${backend}` });
    expect((await call<{ backend: string }>(page, 'info')).backend, `forced ${backend}`).toBe(backend);
    await call(page, 'track', history);
    const result = await rerank(page, candidates);
    expect(result.personalized, JSON.stringify(result.fallback)).toBe(true);
    scores[backend] = new Map(result.items.map((item) => [item.id, item.modelScore]));
    await call(page, 'close');
  }
  const reference = [...scores.cpu!].filter(([, score]) => score !== null);
  expect(reference.length, 'the history touches candidates, which the scorer scores').toBeGreaterThan(10);
  for (const backend of BACKENDS) {
    for (const [id, score] of reference) expect(Math.abs(scores[backend]!.get(id)! - score!), `${backend} ${id}`).toBeLessThan(2e-3);
  }
});

test('auto picks a correct backend that is not the software WebGPU adapter', async ({ page }) => {
  await open(page, { namespace: 'auto' });
  const info = await call<{ backend: string; backendReason: string; gpu: { adapter: string } }>(page, 'info');
  expect(info.gpu.adapter).toBe('software');
  expect(info.backend).not.toBe('webgpu');
  expect(info.backendReason).toMatch(/fastest correct|earlier measurement/);
});

test('rerank returns every candidate exactly once with its server rank and a reason on request', async ({ page }) => {
  await open(page, { namespace: 'shape' });
  await call(page, 'track', history);
  const result = await rerank(page, candidates, { explain: true, k: 50, diversity: 0.3 });
  expect(result.personalized).toBe(true);
  expect(result.items.map((i) => i.id).sort()).toEqual(candidates.map((c) => c.id).sort());
  for (const item of result.items) expect(candidates[item.serverRank].id).toBe(item.id);
  expect(result.items.filter((i) => i.reason).length).toBeGreaterThan(0);
  expect(result.items.find((i) => i.reason)?.reason?.text).toMatch(/^Because you viewed /);
  const empty = await rerank(page, []);
  expect(empty.items).toEqual([]);
});

test('bad input is refused with a typed error and stores nothing', async ({ page }) => {
  await open(page, { namespace: 'bad-input' });
  await call(page, 'track', [{ type: 'view', itemId: 'ok' }]);
  const outcome = await page.evaluate(async () => {
    const { lr } = window;
    const errors: Array<[string, string]> = [];
    for (const attempt of [
      // @ts-expect-error an unknown event type, on purpose
      () => lr.track([{ type: 'view', itemId: 'fine' }, { type: 'teleport', itemId: 'x' }]),
      // @ts-expect-error no itemId, on purpose
      () => lr.track({ type: 'click' }),
      () => lr.track({ type: 'click', itemId: 'x', dwellMs: Number.NaN }),
      () => lr.rerank([{ id: 'a' }, { id: 'a' }]),
    ]) {
      try {
        await attempt();
        errors.push(['none', '']);
      } catch (e) {
        const err = e as { name: string; code: string };
        errors.push([err.name, err.code]);
      }
    }
    return { errors, events: ((await lr.info()) as ReadyInfo).events };
  });
  expect(outcome.errors).toEqual([
    ['LocalrankError', 'UNKNOWN_EVENT_TYPE'],
    ['LocalrankError', 'MISSING_ID'],
    ['LocalrankError', 'NON_FINITE'],
    ['LocalrankError', 'DUPLICATE_ID'],
  ]);
  expect(outcome.events).toBe(1);
});

test('events and learned reactions survive a reload; exportData returns them; forget removes them', async ({ page }) => {
  await open(page, { namespace: 'persist' });
  const events = tasteEvents();
  const liked = events.filter((e) => e.type === 'click').map((e) => e.itemId);
  await call(page, 'track', events);
  const report = await call<{ steps: number; kept: boolean; reason: string }>(page, 'train');
  expect(report.steps, report.reason).toBeGreaterThan(0);
  expect(report.kept, report.reason).toBe(true);
  const before = await call<{ events: number; fineTuned: boolean }>(page, 'info');
  expect(before.events).toBe(events.length);
  expect(before.fineTuned).toBe(true);

  await page.reload();
  await open(page, { namespace: 'persist' });
  const after = await call<{ events: number; fineTuned: boolean; lastTraining: { steps: number } | null }>(page, 'info');
  expect(after.events).toBe(events.length);
  expect(after.fineTuned).toBe(before.fineTuned);
  expect(after.lastTraining?.steps).toBe(report.steps);

  const exported = await call<{ events: Array<{ itemId: string; type: string }>; weights: unknown }>(page, 'exportData');
  expect(exported.events).toHaveLength(events.length);
  expect(exported.events.filter((e) => e.type === 'click').map((e) => e.itemId)).toEqual(liked);
  expect(exported.weights !== null).toBe(before.fineTuned);
  expect(JSON.parse(JSON.stringify(exported))).toEqual(exported);

  await call(page, 'forget');
  await page.reload();
  await open(page, { namespace: 'persist' });
  const wiped = await call<{ events: number; fineTuned: boolean; lastTraining: unknown }>(page, 'info');
  expect(wiped).toMatchObject({ events: 0, fineTuned: false, lastTraining: null });
});

test('after clicks on a consistent group of items, related items move up', async ({ page }) => {
  await open(page, { namespace: 'taste' });
  const genre = 'Horror';
  // The server puts the genre last: only the visitor's clicks can bring it up.
  const pool = [...FILMS.filter((f) => !f.genres.includes(genre)).slice(0, 80), ...FILMS.filter((f) => f.genres.includes(genre)).slice(0, 20)];
  const clicked = pool.filter((f) => f.genres.includes(genre)).slice(0, 8);
  const list = pool.filter((f) => !clicked.includes(f)).map(candidateOf);
  const isGenre = new Set(pool.filter((f) => f.genres.includes(genre)).map((f) => f.id));
  const meanRank = (r: Ranked) => {
    const ranks = r.items.map((item, rank) => (isGenre.has(item.id) ? rank : -1)).filter((x) => x >= 0);
    return ranks.reduce((a, b) => a + b, 0) / ranks.length;
  };
  const before = await rerank(page, list);
  expect(before.personalized).toBe(false);
  await call(page, 'track', clicked.map((f) => ({ type: 'click', itemId: f.id, features: { category: f.genres, text: f.title } })));
  const after = await rerank(page, list);
  expect(after.personalized).toBe(true);
  // 12 genre items among 92: a mean rank that drops by a quarter of the list is a clear move.
  expect(meanRank(before) - meanRank(after), `mean rank of ${genre} films before ${meanRank(before).toFixed(1)}, after ${meanRank(after).toFixed(1)}`).toBeGreaterThan(list.length / 4);
});

test('with a model that cannot be loaded, rerank returns the server order and the page keeps working', async ({ page }) => {
  await open(page, { namespace: 'no-model', model: '/tests/fixtures/missing/manifest.json' });
  const result = await rerank(page, candidates.slice(0, 10));
  expect(result.personalized).toBe(false);
  expect(result.items.map((i) => i.id)).toEqual(candidates.slice(0, 10).map((c) => c.id));
  expect(result.fallback?.code).toBe('MODEL_LOAD_FAILED');
});

test('a whole session sends nothing but GETs for the code and the model', async ({ page }) => {
  const requests = recordRequests(page);
  await open(page, { namespace: 'privacy', autoTrain: { minNewEvents: 3, idleMs: 10 } });
  await call(page, 'track', history);
  await rerank(page, candidates, { explain: true });
  await call(page, 'train');
  await call(page, 'exportData');
  await page.reload();
  await open(page, { namespace: 'privacy' });
  await rerank(page, candidates);
  await page.goto(BLANK);
  expect(requests.length).toBeGreaterThan(3);
  for (const r of requests) {
    const path = new URL(r.url).pathname;
    expect(r.method, r.url).toBe('GET');
    expect(r.body, r.url).toBeNull();
    expect(path, r.url).toMatch(/^\/(dist\/|tests\/fixtures\/model\/|tests\/browser\/fixtures\/blank\.html|favicon\.ico)/);
    expect(new URL(r.url).search, r.url).toBe('');
  }
});

test('with no model option the bundled default model is loaded from beside the library', async ({ page, request }) => {
  const manifest = await (await request.get('/dist/models/default/manifest.json')).json();
  await page.goto(BLANK);
  const info = await page.evaluate(async () => {
    const bundle = '/dist/localrank.js';
    const lib = await import(/* @vite-ignore */ bundle);
    const lr = await lib.createPersonalizer({ namespace: 'default-model', autoTrain: false });
    const item = (id: string, category: string, text: string) => ({ id, features: { category: ['Kitchen', category], text } });
    const candidates = [item('1', 'Knives', 'chef knife steel'), item('2', 'Pans', 'frying pan iron'), item('3', 'Knives', 'paring knife'), item('4', 'Pans', 'sauce pan')];
    // A newcomer: the server's order, and nothing of the model part is loaded for it.
    const first = await lr.rerank(candidates);
    const modelForNewcomer = (await lr.info()).model;
    // Two interactions: fewer than its card asks for (minHistory 3), nothing of the model part loads.
    await lr.track([item('5', 'Knives', 'bread knife'), item('6', 'Knives', 'santoku knife')].map((c) => ({ type: 'click', itemId: c.id, features: c.features })));
    await lr.rerank(candidates);
    await new Promise((r) => setTimeout(r, 200));
    const modelAtTwo = (await lr.info()).model;
    await lr.track([{ type: 'click', itemId: '1', features: candidates[0].features }]);
    // The first personalised rerank with three is served from the taste and the head; the model part loads after it.
    await lr.rerank(candidates);
    const deadline = Date.now() + 60_000;
    while (['none', 'loading'].includes((await lr.info()).model) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const result = await lr.rerank(candidates);
    return { ...(await lr.info()), modelForNewcomer, modelAtTwo, first: first.personalized, personalized: result.personalized, scored: result.items.filter((i: { modelScore: number | null }) => i.modelScore !== null).length };
  });
  expect(info.modelForNewcomer).toBe('none');
  expect(info.modelAtTwo).toBe('none');
  expect(info.modelVersion).toBe(manifest.version);
  expect(info.model).toBe('ready');
  expect(info.first).toBe(false);
  expect(info.personalized).toBe(true);
  expect(info.scored).toBe(4);
});
