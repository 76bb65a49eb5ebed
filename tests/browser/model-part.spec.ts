/**
 * The model part (TensorFlow.js, the scorer, the weights, the wasm binaries) is downloaded only
 * where the model can contribute, and only after the first personalised rerank was served from the
 * taste and the head. Proved from the network log of the page and its workers: a newcomer's visit
 * requests none of it; on a shop the bundled model never saw (it reads any catalogue), the part
 * loads after the first personalised page; on a shop whose model knows the catalogue, the first
 * personalised rerank comes without it, the part is requested after that call, and the reranks
 * after it carry the model's scores.
 */
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import type { RerankResult } from '../../src/index';
import type { RerankedDetail } from '../../src/tag/reorder';
import { call, info, open } from './harness';
import { FILMS, candidateOf } from './helpers';
import { clickTilesAndWait } from './storefront';
import './window';

const GARDEN = '/tests/browser/fixtures/garden/index.html';
const CATALOG = (JSON.parse(readFileSync(new URL('./fixtures/garden/catalog.json', import.meta.url), 'utf8')) as { items: Array<{ id: string; features: { category: string[] } }> }).items;

/** What the model part is made of: its chunk, the wasm binaries, any weights file. */
const MODEL_PART = /\/assets\/model-[\w-]+\.js$|\.wasm$|\/weights\.bin$/;

/** Every request of the page and its workers, with when it was made (ms since the epoch). */
function requests(page: Page): Array<{ url: string; at: number }> {
  const log: Array<{ url: string; at: number }> = [];
  page.on('request', (request) => log.push({ url: request.url(), at: Date.now() }));
  return log;
}

test('a newcomer downloads no TensorFlow.js, wasm or weights; on a shop the model never saw, its part loads after the first personalised page', async ({ page }) => {
  const log = requests(page);
  await page.goto(GARDEN);
  await page.waitForFunction(() => window.garden.reranked.some((d) => d.listId === 'bestsellers'), null, { timeout: 60_000 });
  const seeds = CATALOG.filter((p) => p.features.category[1] === 'Seeds').map((p) => p.id);
  await clickTilesAndWait(page, seeds.slice(-4));
  expect(log.some((r) => /\/assets\/worker-[\w-]+\.js$/.test(r.url)), 'the worker was loaded').toBe(true);
  expect(log.some((r) => /\/models\/default\/manifest\.json$/.test(r.url)), "the model's manifest was read").toBe(true);
  expect(log.filter((r) => MODEL_PART.test(r.url)).map((r) => r.url), 'nothing of the model part for a newcomer').toEqual([]);

  await page.goto(GARDEN);
  const handle = await page.waitForFunction(() => window.garden.reranked.find((d) => d.listId === 'bestsellers'), null, { timeout: 60_000 });
  const personal = (await handle.jsonValue()) as RerankedDetail;
  expect(personal.personalized).toBe(true);
  expect(personal.modelScored, 'the first personalised page is ranked by the taste and the head').toBeUndefined();
  await expect.poll(async () => ((await page.evaluate(() => window.localrank('info'))) as { model: string }).model, { timeout: 60_000 }).toBe('ready');
  const part = log.filter((r) => MODEL_PART.test(r.url)).map((r) => new URL(r.url).pathname.replace(/-[\w-]{8}\.js$/, '.js'));
  expect(part).toEqual(expect.arrayContaining(['/dist/assets/model.js', '/dist/models/default/weights.bin']));
});

test('where the model knows the catalogue, its part loads after the first personalised rerank, then its scores count', async ({ page }) => {
  const log = requests(page);
  await open(page, { namespace: 'lazy-model', loadModel: 'lazy' });
  expect((await info(page)).model).toBe('none');
  const candidates = FILMS.slice(0, 40).map(candidateOf);
  const clicks = FILMS.slice(0, 40).filter((f) => f.genres.includes('Comedy')).slice(0, 4);
  await call(page, 'track', clicks.map((f) => ({ type: 'click', itemId: f.id, features: candidateOf(f).features })));
  expect(log.filter((r) => MODEL_PART.test(r.url)), 'nothing of the model part at start-up').toEqual([]);

  const asked = Date.now();
  const first = await call<RerankResult>(page, 'rerank', candidates);
  expect(first.personalized).toBe(true);
  expect(first.items.every((i) => i.modelScore === null), 'the first personalised rerank is served from the taste and the head').toBe(true);

  await expect.poll(async () => (await info(page)).model, { timeout: 30_000 }).toBe('ready');
  const part = log.filter((r) => MODEL_PART.test(r.url));
  expect(part.map((r) => new URL(r.url).pathname.replace(/-[\w-]{8}\.js$/, '.js'))).toEqual(
    expect.arrayContaining(['/dist/assets/model.js', '/tests/fixtures/model/weights.bin']),
  );
  for (const r of part) expect(r.at, `${r.url} requested before the first personalised rerank`).toBeGreaterThanOrEqual(asked);

  const later = await call<RerankResult>(page, 'rerank', candidates);
  expect(later.personalized).toBe(true);
  const scored = later.items.filter((i) => i.modelScore !== null);
  expect(scored).toHaveLength(candidates.length);
  for (const item of scored) expect(Number.isNaN(item.modelScore)).toBe(false);
  expect((await info(page)).backend).not.toBe('none');
});
