/**
 * Numbers at the edge of float32 never reach a page as NaN: inputs beyond the range are refused
 * (validate.test), and what is within it but overflows in the towers leaves the model out.
 */
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportModel, initParams } from '../../src/training/pretrain/model';
import { DEFAULT_CONFIG } from '../../src/training/pretrain/pretrain';
import { Engine } from '../../src/worker/engine';
import { modelPartOf } from '../../src/worker/model/part';

const FLOAT32_MAX = 3.4028234663852886e38;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A small model that projects server embeddings of length 3 (with large weights), with ids a, b, c. */
async function modelWithEmbeddings() {
  const config = { ...DEFAULT_CONFIG, dim: 8, maxHistory: 5, blocks: 1, ffnDim: 8, hashBuckets: 32, maxTokens: 4, serverEmbeddingDim: 3 };
  const params = initParams(config, 3, 1);
  // A projection as large as a model may have: an embedding at the float32 limit overflows through it.
  params['item/server'].assign(tf.fill([3, 8], 500));
  const artifacts = await exportModel(params, config, { name: 's', itemIds: ['a', 'b', 'c'], eventType: 'click', sequences: [], timestamps: false, features: [{}, {}, {}] }, null);
  tf.dispose(Object.values(params));
  return artifacts;
}

describe('numbers at the edge of float32', () => {
  it('server scores and embeddings at the float32 limit give finite scores, never NaN with personalized: true', async () => {
    const engine = await Engine.create({
      model: modelPartOf(await modelWithEmbeddings()),
      namespace: 'numbers',
      backend: 'cpu',
      retention: { maxEvents: 100, maxAgeDays: 30 },
      autoTrain: false,
      idbFactory: new IDBFactory(),
    });
    await engine.track([{ type: 'click', itemId: 'a' }, { type: 'click', itemId: 'b' }]);
    const edge = [FLOAT32_MAX, -FLOAT32_MAX, FLOAT32_MAX];
    const ranked = await engine.rerank(
      [
        { id: 'x', score: FLOAT32_MAX, embedding: edge },
        { id: 'y', score: -FLOAT32_MAX, embedding: edge.map((v) => -v) },
        { id: 'a', score: 0 },
        { id: 'z', score: 1, embedding: [1, 2, 3] },
      ],
      { explain: true },
    );
    expect(ranked.items).toHaveLength(4);
    for (const item of ranked.items) {
      expect(Number.isFinite(item.score), JSON.stringify(item)).toBe(true);
      if (item.modelScore !== null) expect(Number.isFinite(item.modelScore), JSON.stringify(item)).toBe(true);
    }
    await engine.close();
  });
});
