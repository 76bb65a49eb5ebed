import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dataset } from '../../../src/training/data/dataset';
import { seededRandom } from '../../../src/training/data/random';
import { crossCase, sourceSpecs, tokenTable, trainCross } from '../../../src/training/pretrain/cross';
import { crossArtifacts, parseCrossSources } from '../../../src/training/pretrain/cross-model';
import { catalogueCases, trainHead } from '../../../src/training/pretrain/head';
import { crossConfig, crossTensorSpecs } from '../../../src/worker/model/cross-manifest';
import { PAIR_FEATURE_COUNT, PAIR_HISTORY } from '../../../src/worker/ranking/pairs';
import { SIGNAL_COUNT } from '../../../src/worker/ranking/signals';
import { tempFile } from '../data/helpers';

/**
 * A shop of `families` product families (a word and a tag each) whose users buy several items of
 * one family in a row: what the scorer must learn is "the next item shares the rare word and tag of
 * the latest ones", whatever the words are.
 */
function familyShop(name: string, seed: number, users = 300, families = 40, perFamily = 8): Dataset {
  const random = seededRandom(seed);
  const itemIds: string[] = [];
  const features = [];
  for (let f = 0; f < families; f++) {
    for (let k = 0; k < perFamily; k++) {
      itemIds.push(`${name}-${f}-${k}`);
      features.push({ text: `${name}word${f} item ${k % 3}`, tags: [`${name}tag${f}`, `${name}all`] });
    }
  }
  const sequences = Array.from({ length: users }, (_, u) => {
    const family = Math.floor(random() * families);
    const items = Int32Array.from({ length: 6 }, () => 1 + family * perFamily + Math.floor(random() * perFamily));
    return { user: `u${u}`, items: Int32Array.from(new Set(items)), times: Float64Array.from({ length: 6 }, (_, i) => i * 86_400_000) };
  }).filter((s) => s.items.length >= 3);
  return { name, itemIds, features, eventType: 'purchase', sequences: sequences.map((s) => ({ ...s, times: s.times.slice(0, s.items.length) })), timestamps: false } as unknown as Dataset;
}

describe('the cross scorer training', () => {
  beforeAll(async () => {
    await tf.setBackend('wasm');
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('computes the engine inputs of a case: signals, pairs of the history, the target among the candidates', () => {
    const data = familyShop('a', 1);
    const [spec] = sourceSpecs(data, 1, 3);
    const c = crossCase(data, spec, tokenTable(data));
    expect(c.n).toBe(spec.rows.length);
    expect(c.signals.length).toBe(c.n * SIGNAL_COUNT);
    expect(c.pairs.length).toBe(c.n * PAIR_HISTORY * PAIR_FEATURE_COUNT);
    expect(spec.rows[c.target]).toBe(spec.seq.items[spec.end]);
    // The target shares its family's word and tag with the history: the history touches it.
    expect(c.touched[c.target]).toBe(1);
  });

  it('learns to put the latest family first, and writes a model that declares it reads any catalogue', async () => {
    const data = familyShop('a', 2);
    const specs = sourceSpecs(data, 120, 4);
    const alone = trainHead(catalogueCases(data, specs), { epochs: 100 });
    const lines: string[] = [];
    const config = crossConfig(8);
    const trained = await trainCross([{ data, specs }], alone.weights, { config, epochs: 3, batchSize: 32, learningRate: 0.01, l2: 1e-5, seed: 1, log: (line) => lines.push(line) });
    const losses = lines.map((l) => Number(/loss ([\d.]+)/.exec(l)![1]));
    expect(losses).toHaveLength(3);
    expect(losses[2]).toBeLessThan(losses[0]);
    for (const spec of crossTensorSpecs(config)) expect(trained.params[spec.name].length).toBe(spec.shape.reduce((a, b) => a * b, 1));

    const trainedOn = [{ dataset: 'a', mode: 'catalogue' as const, cases: specs.length, path: 'a.txt' }];
    const { manifest, weights } = crossArtifacts(config, trained.params, trained.head, alone.weights, trainedOn);
    expect(manifest.card).toMatchObject({ datasets: ['a'], priorBeatsServer: false, readsAnyCatalogue: true, minHistory: 3 });
    expect(manifest.ranker?.alone).toEqual(alone.weights);
    expect(manifest.items.ids).toEqual([]);
    expect(weights.byteLength).toBe(manifest.weights.byteLength);
    expect(manifest.tensors.map((t) => t.name)).toEqual(crossTensorSpecs(config).map((t) => t.name));
  });

  it('reads a log with its attributes and item texts from one --logs entry', () => {
    const text = tempFile('shop_item2text.json', '{"1": "red tent", "2": "blue tent"}');
    const attributes = tempFile('shop_item2attributes.json', '{"1": [3, 4], "2": [3]}');
    expect(parseCrossSources(`shop.txt:${attributes}:${text},other.txt`)).toEqual([
      { path: 'shop.txt', catalogues: [attributes], text },
      { path: 'other.txt' },
    ]);
  });
});
