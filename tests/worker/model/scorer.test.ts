import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalrankError } from '../../../src/shared/errors';
import { exportModel, initParams } from '../../../src/training/pretrain/model';
import { DEFAULT_CONFIG } from '../../../src/training/pretrain/pretrain';
import type { Dataset } from '../../../src/training/data/dataset';
import { MODEL_LIMITS, Scorer, type ModelManifest } from '../../../src/worker/model/scorer';
import type { ScorerConfig } from '../../../src/worker/model/tower';
import { fixtureArtifacts, history, loadFixture, T0 } from '../helpers';

interface CatalogItem { id: string; category: string[]; text: string }
const catalog = (): CatalogItem[] =>
  (JSON.parse(readFileSync(new URL('../../fixtures/model/catalog.json', import.meta.url), 'utf8')) as { items: CatalogItem[] }).items;

async function values(t: tf.Tensor): Promise<number[]> {
  const v = Array.from(await t.data());
  t.dispose();
  return v;
}

function cosine(a: number[], b: number[]): number {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) { ab += a[i] * b[i]; aa += a[i] * a[i]; bb += b[i] * b[i]; }
  return ab / Math.sqrt(aa * bb);
}

/** A random (untrained) model with a server-embedding projection, for shape and integrity checks. */
async function syntheticArtifacts(overrides: Partial<ScorerConfig> = {}) {
  const config: ScorerConfig = { ...DEFAULT_CONFIG, dim: 8, maxHistory: 5, blocks: 1, ffnDim: 8, hashBuckets: 32, maxTokens: 4, serverEmbeddingDim: 3, ...overrides };
  const data: Dataset = {
    name: 'synthetic', itemIds: ['a', 'b', 'c'], eventType: 'click', sequences: [], timestamps: false,
    features: [{ category: ['x'] }, { category: ['y'] }, { text: 'z' }],
  };
  const params = initParams(config, 3, 1);
  const out = await exportModel(params, config, data, null);
  tf.dispose(Object.values(params));
  return out;
}

function clone(manifest: ModelManifest): ModelManifest {
  return JSON.parse(JSON.stringify(manifest)) as ModelManifest;
}

function integrityError(fn: () => unknown): LocalrankError {
  try { fn(); } catch (e) { expect(e).toBeInstanceOf(LocalrankError); expect((e as LocalrankError).code).toBe('MODEL_INTEGRITY'); return e as LocalrankError; }
  throw new Error('expected MODEL_INTEGRITY');
}

describe('Scorer', () => {
  let scorer: Scorer;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    scorer = loadFixture();
  });
  afterAll(() => scorer.dispose());

  it('loads the fixture model with its declared dims', () => {
    const { manifest } = fixtureArtifacts();
    expect(scorer.dim).toBe(manifest.config.dim);
    expect(scorer.maxHistory).toBe(manifest.config.maxHistory);
    expect(scorer.version).toBe(manifest.version);
  });

  it('itemVectors returns one finite row per item, known or not', async () => {
    const ids = [scorer.itemIds[0], scorer.itemIds[1], 'never-seen'];
    const v = scorer.itemVectors(ids.map((id) => ({ id })));
    expect(v.shape).toEqual([3, scorer.dim]);
    expect((await values(v)).every(Number.isFinite)).toBe(true);
  });

  it('places an unknown item with a known item\'s features near that item', async () => {
    const items = catalog();
    let closer = 0;
    const trials = 20;
    for (let i = 0; i < trials; i++) {
      const known = items[i * 7];
      const other = items[i * 7 + 3];
      const v = await values(scorer.itemVectors([
        { id: `clone-${known.id}`, features: { category: known.category, text: known.text } },
        { id: known.id },
        { id: other.id },
      ]));
      const d = scorer.dim;
      const [u, k, o] = [v.slice(0, d), v.slice(d, 2 * d), v.slice(2 * d)];
      if (cosine(u, k) > cosine(u, o)) closer++;
    }
    expect(closer).toBeGreaterThanOrEqual(trials * 0.7);
  });

  it('unknown items with different features get different vectors', async () => {
    const v = await values(scorer.itemVectors([
      { id: 'x1', features: { category: ['Horror'], text: 'Night of the Living Dead (1968)' } },
      { id: 'x2', features: { category: ['Children', 'Animation'], text: 'Toy Story (1995)' } },
    ]));
    expect(v.slice(0, scorer.dim)).not.toEqual(v.slice(scorer.dim));
  });

  it('userVector works for an empty history and reads only the last maxHistory events', async () => {
    const empty = await values(scorer.userVector([], T0));
    expect(empty).toHaveLength(scorer.dim);
    expect(empty.every(Number.isFinite)).toBe(true);
    const ids = scorer.itemIds.slice(0, scorer.maxHistory + 5);
    const long = history(ids);
    const now = T0 + 3_600_000;
    const full = await values(scorer.userVector(long, now));
    const tail = await values(scorer.userVector(long.slice(5), now));
    full.forEach((x, i) => expect(x).toBeCloseTo(tail[i], 5));
    const other = await values(scorer.userVector(long.slice(0, -1), now));
    expect(other).not.toEqual(full);
  });

  it('score is the dot product of the user vector and each item vector', async () => {
    const user = scorer.userVector(history(scorer.itemIds.slice(0, 3)), T0 + 1e6);
    const items = scorer.itemVectors(scorer.itemIds.slice(10, 14).map((id) => ({ id })));
    const u = Array.from(await user.data());
    const it = Array.from(await items.data());
    const s = await values(scorer.score(user, items));
    s.forEach((x, i) => {
      const dot = u.reduce((acc, ui, j) => acc + ui * it[i * scorer.dim + j], 0);
      expect(x).toBeCloseTo(dot, 4);
    });
    tf.dispose([user, items]);
  });

  it('ranks films of the genre a user keeps clicking above other films', async () => {
    const items = catalog();
    const genreOf = (g: string) => items.filter((x) => x.category.includes(g));
    const horror = genreOf('Horror');
    const children = genreOf("Children's");
    expect(horror.length).toBeGreaterThan(8);
    expect(children.length).toBeGreaterThan(8);
    const now = T0 + 3_600_000;
    const meanScore = async (clicked: CatalogItem[], candidates: CatalogItem[]) => {
      const user = scorer.userVector(history(clicked.map((x) => x.id)), now);
      const vecs = scorer.itemVectors(candidates.map((x) => ({ id: x.id })));
      const s = await values(scorer.score(user, vecs));
      tf.dispose([user, vecs]);
      return s.reduce((a, b) => a + b, 0) / s.length;
    };
    const clickedHorror = horror.slice(0, 5);
    const rest = horror.slice(5);
    expect(await meanScore(clickedHorror, rest)).toBeGreaterThan(await meanScore(clickedHorror, children.slice(5)));
    const clickedKids = children.slice(0, 5);
    expect(await meanScore(clickedKids, children.slice(5))).toBeGreaterThan(await meanScore(clickedKids, rest));
  });

  it('reads what the manifest declares it knows: vocabulary, card and ranker head', () => {
    const { manifest, weights } = fixtureArtifacts();
    const declared = Scorer.fromArtifacts(
      { ...manifest, vocabulary: { tokens: ['c:drama'] }, card: { datasets: ['ml-100k'], priorBeatsServer: false }, ranker: { weights: { serverLog: 2 }, trainedOn: [] } },
      weights,
    );
    expect(declared.knownTokens?.has('c:drama')).toBe(true);
    expect(declared.card?.priorBeatsServer).toBe(false);
    expect(declared.ranker?.weights.serverLog).toBe(2);
    declared.dispose();
    expect(scorer.knownTokens).toBeNull();
    integrityError(() => Scorer.fromArtifacts({ ...manifest, vocabulary: { tokens: [1 as unknown as string] } }, weights));
    integrityError(() => Scorer.fromArtifacts({ ...manifest, ranker: { weights: { serverLog: Number.NaN }, trainedOn: [] } }, weights));
    integrityError(() => Scorer.fromArtifacts({ ...manifest, card: { datasets: 'x' } as never }, weights));
  });

  it('gives a history the same user vector alone and batched with a longer one (its start token in its own first slot)', async () => {
    const short = history(scorer.itemIds.slice(0, 1) as string[]);
    const long = history(scorer.itemIds.slice(5, 9) as string[]);
    const alone = await values(scorer.userStates([short], [T0 + 1e6]));
    const batched = await values(scorer.userStates([short, long], [T0 + 1e6, T0 + 1e6]));
    alone.forEach((x, i) => expect(batched[i]).toBeCloseTo(x, 4));
  });

  it('keeps the tensor count flat across calls', async () => {
    const run = async () => {
      const u = scorer.userVector(history(scorer.itemIds.slice(0, 7)), T0 + 1e6);
      const v = scorer.itemVectors([{ id: scorer.itemIds[3] }, { id: 'new', features: { category: ['Drama'], text: 'New film (2001)' } }]);
      const s = scorer.score(u, v);
      await s.data();
      tf.dispose([u, v, s]);
    };
    await run();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) await run();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('Scorer artifacts', () => {
  beforeAll(async () => { await tf.setBackend('cpu'); });

  it('uses a server embedding of the right length and ignores a wrong one', async () => {
    const { manifest, weights } = await syntheticArtifacts();
    const s = Scorer.fromArtifacts(manifest, weights);
    const v = await values(s.itemVectors([
      { id: 'a' },
      { id: 'a', embedding: [1, 2] },
      { id: 'a', embedding: [1, 2, 3] },
      { id: 'a', embedding: [1, Number.NaN, 3] },
    ]));
    const row = (i: number) => v.slice(i * 8, (i + 1) * 8);
    expect(row(1)).toEqual(row(0));
    expect(row(3)).toEqual(row(0));
    expect(row(2)).not.toEqual(row(0));
    s.dispose();
  });

  it('rejects a truncated weights file', async () => {
    const { manifest, weights } = await syntheticArtifacts();
    const e = integrityError(() => Scorer.fromArtifacts(manifest, weights.slice(0, weights.byteLength - 4)));
    expect(e.message).toMatch(/bytes/);
  });

  it('rejects a wrong shape, a missing or unexpected tensor, duplicate ids and a bad offset', async () => {
    const { manifest, weights } = await syntheticArtifacts();
    const m1 = clone(manifest); m1.tensors[1].shape = [1, 2];
    integrityError(() => Scorer.fromArtifacts(m1, weights));
    const m2 = clone(manifest); m2.tensors.pop();
    integrityError(() => Scorer.fromArtifacts(m2, weights));
    const m3 = clone(manifest); m3.tensors.push({ name: 'extra', shape: [1], offset: 0 });
    integrityError(() => Scorer.fromArtifacts(m3, weights));
    const m4 = clone(manifest); m4.items.ids = ['a', 'a', 'c'];
    integrityError(() => Scorer.fromArtifacts(m4, weights));
    const m5 = clone(manifest); m5.tensors[0].offset = weights.byteLength;
    integrityError(() => Scorer.fromArtifacts(m5, weights));
    const m6 = clone(manifest); m6.items.ids = ['a', 'b'];
    integrityError(() => Scorer.fromArtifacts(m6, weights));
    const m7 = clone(manifest); (m7 as { format: string }).format = 'other';
    integrityError(() => Scorer.fromArtifacts(m7, weights));
  });

  it('rejects non-finite weights', async () => {
    const { manifest, weights } = await syntheticArtifacts();
    const copy = weights.slice(0);
    new Float32Array(copy)[3] = Number.NaN;
    integrityError(() => Scorer.fromArtifacts(manifest, copy));
  });

  it('rejects finite weights of an insane magnitude (3e38 would overflow every score)', async () => {
    const { manifest, weights } = await syntheticArtifacts();
    const copy = weights.slice(0);
    new Float32Array(copy)[3] = 3e38;
    expect(integrityError(() => Scorer.fromArtifacts(manifest, copy)).message).toMatch(/beyond/);
    new Float32Array(copy)[3] = -(MODEL_LIMITS.weightMagnitude * 2);
    integrityError(() => Scorer.fromArtifacts(manifest, copy));
  });

  it('rejects config fields that size work beyond the limits, and tensors that overlap', async () => {
    const { manifest, weights } = await syntheticArtifacts();
    const huge = clone(manifest); huge.config.maxTokens = 2e7;
    integrityError(() => Scorer.fromArtifacts(huge, weights));
    const overlap = clone(manifest); overlap.tensors[1].offset = overlap.tensors[0].offset;
    integrityError(() => Scorer.fromArtifacts(overlap, weights));
  });

  it('scores the same on the wasm backend as on cpu', async () => {
    const { manifest, weights } = fixtureArtifacts();
    const compute = async () => {
      const s = Scorer.fromArtifacts(manifest, weights);
      const u = s.userVector(history(s.itemIds.slice(0, 6)), T0 + 1e6);
      const v = s.itemVectors([...s.itemIds.slice(20, 30).map((id) => ({ id })), { id: 'new', features: { category: ['Comedy'] } }]);
      const out = await values(s.score(u, v));
      tf.dispose([u, v]);
      s.dispose();
      return out;
    };
    const cpu = await compute();
    await tf.setBackend('wasm');
    try {
      const wasm = await compute();
      wasm.forEach((x, i) => expect(x).toBeCloseTo(cpu[i], 3));
    } finally {
      await tf.setBackend('cpu');
    }
  });
});
