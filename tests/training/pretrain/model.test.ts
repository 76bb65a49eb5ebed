import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dataset, Sequence } from '../../../src/training/data/dataset';
import { contentIndex, gatherRows, initParams, itemTable, touchedRows } from '../../../src/training/pretrain/model';
import { DEFAULT_CONFIG, DEFAULT_OPTIONS, pretrain } from '../../../src/training/pretrain/pretrain';
import { rankWithScorer } from '../../../src/training/pretrain/rank';
import { meanMetrics } from '../../../src/training/pretrain/metrics';
import { Scorer } from '../../../src/worker/model/scorer';

describe('pretraining on wasm', () => {
  beforeAll(async () => { await tf.setBackend('wasm'); });
  afterAll(async () => { await tf.setBackend('cpu'); });

  it('gatherRows has the gradient of tf.gather, summing repeated rows', async () => {
    const table = tf.tensor2d([[1, 2], [3, 4], [5, 6]]);
    const idx = tf.tensor1d([2, 0, 2], 'int32');
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(gatherRows(t, idx), tf.tensor2d([[1, 1], [2, 2], [3, 3]]))));
    expect(Array.from(await g(table).data())).toEqual([2, 2, 0, 0, 4, 4]);
  });

  it('a step computes the item rows it touches exactly as the whole table would, gradients included', async () => {
    const n = 30;
    const data: Dataset = {
      name: 'c',
      itemIds: Array.from({ length: n }, (_, i) => `i${i}`),
      features: Array.from({ length: n }, (_, i) => ({ category: ['A', `B${i % 4}`], brand: `b${i % 3}` })),
      eventType: 'view',
      sequences: [],
      timestamps: true,
    };
    const config = { ...DEFAULT_CONFIG, dim: 8, hashBuckets: 64 };
    const params = initParams(config, n, 3);
    const content = contentIndex(data, config)!;
    const keep = tf.tensor2d(Array.from({ length: n + 1 }, (_, i) => (i === 0 || i % 3 === 0 ? 0 : 1)), [n + 1, 1]);
    const used = Int32Array.from([7, 0, 3, 7, 12, 29]);
    const { rows, local } = touchedRows([used, Int32Array.from([12, 5])]);
    expect(Array.from(rows)).toEqual([0, 3, 5, 7, 12, 29]);
    const weight = tf.randomNormal([used.length, 8], 0, 1, 'float32', 9);
    const vars = [params['item/id'], params['item/hash']];
    const full = tf.variableGrads(() => tf.sum(tf.mul(gatherRows(itemTable(params, content, keep as tf.Tensor2D), tf.tensor1d(used, 'int32')), weight)) as tf.Scalar, vars);
    const part = tf.variableGrads(
      () => tf.sum(tf.mul(gatherRows(itemTable(params, content, keep as tf.Tensor2D, tf.tensor1d(rows, 'int32')), tf.tensor1d(local(used), 'int32')), weight)) as tf.Scalar,
      vars,
    );
    expect(await part.value.data()).toEqual(await full.value.data());
    for (const v of vars) expect(await part.grads[v.name].data()).toEqual(await full.grads[v.name].data());
    tf.dispose([full.value, part.value, ...Object.values(full.grads), ...Object.values(part.grads), keep, weight, content.buckets, content.counts, ...Object.values(params)]);
  });

  it('learns a deterministic successor pattern and exports a loadable model', async () => {
    // Items follow i -> i + 1 (mod 20): a model that learned anything ranks the successor first.
    const n = 20;
    const sequences: Sequence[] = Array.from({ length: 120 }, (_, u) => {
      const len = 6 + (u % 5);
      const items = Int32Array.from({ length: len }, (_, i) => 1 + ((u + i) % n));
      return { user: String(u), items, times: Float64Array.from({ length: len }, (_, i) => i * 1000) };
    });
    const data: Dataset = { name: 'ring', itemIds: Array.from({ length: n }, (_, i) => `i${i}`), eventType: 'purchase', sequences, timestamps: false };
    const config = { ...DEFAULT_CONFIG, dim: 16, maxHistory: 8, blocks: 1, ffnDim: 16 };
    const result = await pretrain(data, sequences, config, { ...DEFAULT_OPTIONS, epochs: 12, evalEvery: 12, learningRate: 0.02, dropout: 0, negatives: 64 });
    const scorer = Scorer.fromArtifacts(result.manifest, result.weights);
    const cases = [3, 7, 11].map((start) => {
      const hist = [0, 1, 2].map((k) => ({ itemId: `i${(start + k) % n}`, type: 'purchase' as const, time: k * 1000 }));
      const target = `i${(start + 3) % n}`;
      return { user: 'u', history: hist, now: 3000, candidates: [{ id: target }, ...data.itemIds.filter((id) => id !== target).map((id) => ({ id }))] };
    });
    const metrics = meanMetrics(await rankWithScorer(scorer, cases));
    expect(metrics['HR@1']).toBe(1);
    scorer.dispose();
  }, 60_000);
});
