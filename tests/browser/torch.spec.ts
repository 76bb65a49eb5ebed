/**
 * A model trained by the PyTorch trainer (2 processes, DistributedDataParallel) in real Chromium:
 * the engine's scores and user vectors equal PyTorch's, and the model personalises a shop page
 * through the script tag. Needs python3-torch (`npm test` installs it where it can) and the built bundle.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { readArtifacts } from '../../src/training/pretrain/artifacts';
import films from '../fixtures/films.json' with { type: 'json' };
import { parityCases, type ParityCase } from '../torch/cases';
import { runTorch, TORCH_MISSING, trainFixture, writeShopFixture } from '../torch/helpers';
import { BLANK } from './helpers';

const SERVER_DIM = 16;
const MODEL = 'reports/torch-model';
/**
 * The same model, declaring that its ranking for newcomers beats the server's: the engine then
 * scores for an empty history too, so the anonymous prior is compared as well.
 */
const PRIOR_MODEL = 'reports/torch-model-prior';
const MODEL_URL = `/${PRIOR_MODEL}/manifest.json`;

// Without PyTorch these are reported as skipped, and `npm test` says what to install (scripts/test.ts).
test.skip(TORCH_MISSING !== null, `PyTorch is missing: ${TORCH_MISSING}`);

test.beforeAll(async () => {
  test.setTimeout(180_000);
  const fixture = writeShopFixture(join(mkdtempSync(join(tmpdir(), 'lr-torch-')), 'data'));
  trainFixture(fixture, MODEL, 2, ['--server-embedding-dim', String(SERVER_DIM)]);
  cpSync(MODEL, PRIOR_MODEL, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(MODEL, 'manifest.json'), 'utf8')) as { card?: { datasets: string[] } };
  writeFileSync(join(PRIOR_MODEL, 'manifest.json'), JSON.stringify({ ...manifest, card: { datasets: manifest.card?.datasets ?? [], priorBeatsServer: true } }));
});

/** Solves x W = e_k for every k: embeddings whose server projection is exactly the k-th unit vector. */
function inverseRows(w: Float32Array, n: number): number[][] {
  const a = Array.from({ length: n }, (_, i) => [...Array.from(w.subarray(i * n, i * n + n)), ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < n; c++) {
    let pivot = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r][c]) > Math.abs(a[pivot][c])) pivot = r;
    [a[c], a[pivot]] = [a[pivot], a[c]];
    const p = a[c][c];
    for (let j = 0; j < 2 * n; j++) a[c][j] /= p;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = a[r][c];
      for (let j = 0; j < 2 * n; j++) a[r][j] -= f * a[c][j];
    }
  }
  // Rows of W^-1 (as x W = e_k means x = e_k W^-1).
  return a.map((row) => row.slice(n));
}

/** The engine's model score per candidate; null where the evidence rule keeps the model out. */
async function engineScores(page: Page, namespace: string, c: ParityCase): Promise<Map<string, number | null>> {
  const result = await page.evaluate(
    async ([url, ns, events, candidates]) => {
      const bundle = '/dist/localrank.js';
      const lib = await import(/* @vite-ignore */ bundle);
      const lr = await lib.createPersonalizer({ model: url, namespace: ns, autoTrain: false, backend: 'wasm', loadModel: 'eager' });
      if (events.length) await lr.track(events);
      const ranked = await lr.rerank(candidates, { serverWeight: 0 });
      const info = await lr.info();
      await lr.close();
      return { items: ranked.items as Array<{ id: string; modelScore: number | null }>, backend: info.backend as string, modelVersion: info.modelVersion as string };
    },
    [MODEL_URL, namespace, c.history, c.candidates] as const,
  );
  expect(result.backend).toBe('wasm');
  return new Map(result.items.map((i) => [i.id, i.modelScore]));
}

test('the engine in Chromium computes the scores and user vectors of PyTorch within 1e-4', async ({ page }) => {
  const { manifest, weights } = readArtifacts(MODEL);
  const server = manifest.tensors.find((t) => t.name === 'item/server')!;
  const basis = inverseRows(new Float32Array(weights, server.offset, SERVER_DIM * SERVER_DIM), SERVER_DIM);
  const now = Date.now();
  // The basis items carry a film's features, so the model knows them by content (the evidence rule
  // scores nothing it knows nothing of); the features add the same vector to each, which cancels
  // in the differences that read the user vector.
  const film = films[0] as { title: string; genres: string[] };
  const known = { category: film.genres, text: film.title };
  const cases = parityCases(manifest.items.ids.slice(0, 12), SERVER_DIM, now).map((c) => ({
    // The engine never reads impressions into the history; PyTorch is asked the same.
    history: c.history.filter((e) => e.type !== 'impression' && e.time <= now),
    now,
    candidates: [
      ...c.candidates,
      { id: 'basis-zero', features: known, embedding: new Array(SERVER_DIM).fill(0) },
      ...basis.map((embedding, k) => ({ id: `basis-${k}`, features: known, embedding })),
    ],
  }));
  const path = join(mkdtempSync(join(tmpdir(), 'lr-cases-')), 'cases.json');
  writeFileSync(path, JSON.stringify(cases));
  const torch = JSON.parse(runTorch(['score', '--model', MODEL, '--cases', path])) as Array<{ user: number[]; scores: number[] }>;

  await page.goto(BLANK);
  for (const [i, c] of cases.entries()) {
    const scores = await engineScores(page, `torch-parity-${i}`, c);
    // Items known by id or by content are scored; an item with neither id nor features is not.
    for (const id of [...manifest.items.ids.slice(0, 10), 'new-1', 'new-2', 'basis-zero', ...basis.map((_, k) => `basis-${k}`)]) {
      expect(scores.get(id), `case ${i} ${id} scored`).toEqual(expect.any(Number));
    }
    expect(scores.get('bare'), `case ${i}: nothing known of "bare"`).toBeNull();
    c.candidates.forEach((candidate, j) => {
      const score = scores.get(candidate.id);
      if (score === null || score === undefined) return;
      expect(Math.abs(score - torch[i].scores[j]), `case ${i} ${candidate.id}`).toBeLessThan(1e-4);
    });
    // Score of (the film's content + e_k) minus score of the film's content: the user vector's k-th entry.
    const user = basis.map((_, k) => scores.get(`basis-${k}`)! - scores.get('basis-zero')!);
    user.forEach((value, k) => expect(Math.abs(value - torch[i].user[k]), `case ${i} user[${k}]`).toBeLessThan(1e-4));
  }
});

test('the exported model personalises a shop page through the script tag', async ({ page }) => {
  const { manifest } = readArtifacts(MODEL);
  // The shop's script tag names the fixture model; serve the PyTorch model in its place.
  await page.route('**/tests/fixtures/model/manifest.json', (route) => route.fulfill({ path: join(MODEL, 'manifest.json'), contentType: 'application/json' }));
  await page.route('**/tests/fixtures/model/weights.bin', (route) => route.fulfill({ path: join(MODEL, 'weights.bin'), contentType: 'application/octet-stream' }));
  await page.addInitScript(() => {
    document.addEventListener('DOMContentLoaded', () => {
      const order = Array.from(document.querySelectorAll('#recs [data-lr-item]'), (c) => c.getAttribute('data-lr-item'));
      (window as unknown as { serverOrder: string[] }).serverOrder = order as string[];
    });
  });
  // The model part at start-up: the page's first rerank is the model's, as the test compares.
  await page.goto('/tests/browser/fixtures/shop/index.html?impressionMs=600000&loadModel=eager');
  await page.waitForFunction(() => (window as unknown as { shop: { ready?: boolean } }).shop.ready !== undefined, null, { timeout: 60_000 });
  expect(await page.evaluate(() => (window as unknown as { shop: { ready: boolean } }).shop.ready)).toBe(true);
  const info = await page.evaluate(() => (window as unknown as { localrank(...a: unknown[]): Promise<{ modelVersion: string }> }).localrank('info'));
  expect(info.modelVersion).toBe(manifest.version);

  const handle = await page.waitForFunction(
    () => (window as unknown as { shop: { reranked: Array<{ listId?: string }> } }).shop.reranked.find((d) => d.listId === 'recs'),
    null,
    { timeout: 60_000 },
  );
  const detail = (await handle.jsonValue()) as { personalized: boolean; order: string[] };
  const server = await page.evaluate(() => (window as unknown as { serverOrder: string[] }).serverOrder);
  expect(detail.personalized).toBe(true);
  expect(detail.order, 'the PyTorch model reorders the list').not.toEqual(server);
  expect(await page.$$eval('#recs [data-lr-item]', (tiles) => tiles.map((t) => t.getAttribute('data-lr-item')))).toEqual(detail.order);
  // The order is the model's own (items it has no id for are placed by their content).
  const candidates = await page.$$eval('#recs [data-lr-item]', (tiles) =>
    tiles.map((t) => ({
      id: t.getAttribute('data-lr-item')!,
      features: { category: t.getAttribute('data-lr-category')!.split('>').map((c) => c.trim()), text: t.getAttribute('data-lr-title')! },
    })),
  );
  const byServer = server.map((id) => candidates.find((c) => c.id === id)!);
  const expected = await page.evaluate(
    (list) => (window as unknown as { localrank(...a: unknown[]): Promise<{ items: Array<{ id: string }> }> }).localrank('rerank', list, { serverWeight: 0 }),
    byServer,
  );
  expect(expected.items.map((i) => i.id)).toEqual(detail.order);
  expect(readFileSync(join(MODEL, 'model-card.md'), 'utf8')).toContain(manifest.version);
});
