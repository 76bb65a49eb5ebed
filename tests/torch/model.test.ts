/**
 * The PyTorch trainer against the engine: a 2-process DistributedDataParallel run reproduces a
 * 1-process run with the same global batch, and its export loads into the engine's Scorer, which
 * computes the same user vectors and scores as the PyTorch scorer.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { readArtifacts } from '../../src/training/pretrain/artifacts';
import { featureTokens } from '../../src/worker/ranking/features';
import { Scorer, type ModelManifest } from '../../src/worker/model/scorer';
import { parityCases } from './cases';
import { runTorch, TORCH_MISSING, trainFixture, writeShopFixture } from './helpers';

const SERVER_DIM = 16;
let dir: string;

function tensorsOf(folder: string): Map<string, Float32Array> {
  const { manifest, weights } = readArtifacts(folder);
  return new Map(
    manifest.tensors.map((t) => [t.name, new Float32Array(weights, t.offset, t.shape.reduce((a, b) => a * b, 1))]),
  );
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

describe.skipIf(TORCH_MISSING)('PyTorch trainer', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
    dir = mkdtempSync(join(tmpdir(), 'lr-torch-'));
    const fixture = writeShopFixture(join(dir, 'data'));
    for (const processes of [1, 2]) trainFixture(fixture, join(dir, `p${processes}`), processes, ['--server-embedding-dim', String(SERVER_DIM)]);
  }, 240_000);

  it('2 processes give the weights of 1 process with the same global batch', () => {
    const one = tensorsOf(join(dir, 'p1'));
    const two = tensorsOf(join(dir, 'p2'));
    expect([...two.keys()]).toEqual([...one.keys()]);
    // Sums run in another order on two ranks; Adam divides by the gradient's own size, so a
    // coordinate whose gradient is nearly zero can move a little more: bound the worst and the mean.
    for (const [name, values] of one) {
      const other = two.get(name)!;
      expect(maxAbsDiff(values, other), name).toBeLessThan(1e-4);
      expect(values.reduce((s, v, i) => s + Math.abs(v - other[i]), 0) / values.length, name).toBeLessThan(1e-6);
    }
    const report = JSON.parse(readFileSync(join(dir, 'p2', 'report.json'), 'utf8'));
    expect(report.training.processes).toBe(2);
    const losses = report.training.epochs.map((e: { loss: number }) => e.loss);
    expect(losses.at(-1), 'the model trained').toBeLessThan(losses[0]);
  });

  it('exports a folder the engine loads: weights with their SHA-256, vocabulary, model card and report', () => {
    const folder = join(dir, 'p2');
    const { manifest, weights } = readArtifacts(folder);
    expect(createHash('sha256').update(new Uint8Array(weights)).digest('hex')).toBe(manifest.weights.sha256);
    const scorer = Scorer.fromArtifacts(manifest, weights);
    expect(scorer.dim).toBe(16);
    scorer.dispose();
    const vocabulary = (manifest as ModelManifest & { vocabulary: { tokens: string[] } }).vocabulary.tokens;
    expect(vocabulary).toEqual([...new Set(vocabulary)].sort());
    expect(vocabulary).toEqual(expect.arrayContaining(featureTokens({ category: ['Comedy', 'Romance'], text: 'Toy Story (1995)' })));
    expect(manifest.config.training).toMatchObject({ trainer: 'pytorch', processes: 2 });
    const report = JSON.parse(readFileSync(join(folder, 'report.json'), 'utf8'));
    expect(report.model.sha256).toBe(manifest.weights.sha256);
    expect(report.data).toMatchObject({ users: 120, catalogItems: 400, vocabulary: vocabulary.length });
    expect(existsSync(join(folder, 'model-card.md'))).toBe(true);
    expect(readFileSync(join(folder, 'model-card.md'), 'utf8')).toContain(manifest.version);
  });

  it('user vectors, item vectors and scores agree with the engine within 1e-4', async () => {
    const folder = join(dir, 'p2');
    const { manifest, weights } = readArtifacts(folder);
    const cases = parityCases(manifest.items.ids.slice(0, 12), SERVER_DIM, Date.UTC(2025, 5, 1));
    const path = join(dir, 'cases.json');
    writeFileSync(path, JSON.stringify(cases));
    const torch = JSON.parse(runTorch(['score', '--model', folder, '--cases', path])) as Array<{ user: number[]; scores: number[]; items: number[][] }>;
    const scorer = Scorer.fromArtifacts(manifest, weights);
    for (const [i, c] of cases.entries()) {
      const user = scorer.userVector(c.history, c.now);
      expect(maxAbsDiff(await user.data(), torch[i].user), `user vector ${i}`).toBeLessThan(1e-4);
      const items = scorer.itemVectors(c.candidates);
      const itemValues = (await items.array()) as number[][];
      itemValues.forEach((row, j) => expect(maxAbsDiff(row, torch[i].items[j]), `item ${c.candidates[j].id}`).toBeLessThan(1e-4));
      const scores = scorer.score(user, items);
      expect(maxAbsDiff(await scores.data(), torch[i].scores), `scores of case ${i}`).toBeLessThan(1e-4);
      tf.dispose([user, scores, items]);
    }
    // The cases really cover what they claim: content and server embeddings move unknown items.
    const bare = torch[0].items[cases[0].candidates.findIndex((c) => c.id === 'bare')];
    for (const id of ['new-1', 'new-2', 'new-3', 'emb-1', 'emb-2']) {
      expect(maxAbsDiff(torch[0].items[cases[0].candidates.findIndex((c) => c.id === id)], bare), id).toBeGreaterThan(1e-3);
    }
    scorer.dispose();
  });
});
