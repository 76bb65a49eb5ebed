/**
 * The cross scorer as the engine runs it: loaded lazily on a shop whose catalogue shares no token
 * with the model's logs (its card says it reads any catalogue), it scores the candidates the
 * visitor's history touches, in the server's order whatever the list's order, and fine-tunes the
 * visitor's own offset on the lists they chose from only when asked to.
 */
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { crossArtifacts } from '../../../src/training/pretrain/cross-model';
import { Engine } from '../../../src/worker/engine';
import type { ModelPartModule } from '../../../src/worker/model/contract';
import { crossConfig, crossTensorSpecs } from '../../../src/worker/model/cross-manifest';
import { sha256Hex } from '../../../src/worker/model/loader';
import * as part from '../../../src/worker/model/part';
import { DEFAULT_HEAD, SIGNAL_COUNT } from '../../../src/worker/ranking/signals';
import type { Candidate } from '../../../src/shared/types';
import { crossScores } from '../../../src/worker/model/cross';
import { crossInputs, pairHistory, touchedScores, touchedScoresDense } from '../../../src/worker/model/cross-part';
import { CONTEXT_COUNT, PAIR_FEATURE_COUNT, PAIR_HISTORY } from '../../../src/worker/ranking/pairs';
import { itemTokens, Taste } from '../../../src/worker/ranking/taste';

const MANIFEST = 'https://cdn.example/cross/manifest.json';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A small cross model with seeded weights, served over a fake network. */
async function crossShop(options: { fineTune?: boolean } = {}) {
  const config = crossConfig(8);
  let seed = 7;
  const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 0.6;
  const params = Object.fromEntries(crossTensorSpecs(config).map(({ name, shape }) => [name, Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, random)]));
  const { manifest, weights } = crossArtifacts(config, params, { ...DEFAULT_HEAD, model: 1 }, DEFAULT_HEAD, [{ dataset: 'elsewhere', mode: 'catalogue', cases: 1 }]);
  manifest.weights.sha256 = await sha256Hex(weights);
  const requests: string[] = [];
  const fetch = (async (input: string | URL | Request) => {
    requests.push(String(input));
    if (String(input) === MANIFEST) return new Response(JSON.stringify(manifest));
    if (String(input).endsWith('/weights.bin')) return new Response(weights.slice(0));
    return new Response('no', { status: 404 });
  }) as typeof globalThis.fetch;
  const engine = await Engine.create({
    model: MANIFEST,
    modelPart: async (): Promise<ModelPartModule> => part,
    namespace: `cross-${Math.random()}`,
    backend: 'cpu',
    retention: { maxEvents: 1000, maxAgeDays: 30 },
    autoTrain: false,
    fineTune: options.fineTune,
    idbFactory: new IDBFactory(),
    fetch,
  });
  return { engine, requests };
}

/** Words no log of the model holds. */
const catalogue: Candidate[] = [
  { id: 'zorb-1', features: { text: 'quillon zorbet vase', tags: ['glass'] } },
  { id: 'mott-1', features: { text: 'brindle mottar lamp', tags: ['light'] } },
  { id: 'zorb-2', features: { text: 'quillon zorbet bowl', tags: ['glass'] } },
  { id: 'mott-2', features: { text: 'brindle mottar shade', tags: ['light'] } },
  { id: 'plain', features: { text: 'ordinary thing' } },
];

/** Clicks on three glass items (the model's card needs three interactions), none of them a candidate. */
async function likeGlass(engine: Engine, count = 3): Promise<void> {
  for (let i = 0; i < count; i++) await engine.track({ type: 'click', itemId: `zorb-${9 - i}`, features: { text: `quillon zorbet ${['cup', 'jar', 'pot'][i]}`, tags: ['glass'] } });
}

async function untilReady(engine: Engine): Promise<void> {
  for (let i = 0; i < 200 && (await engine.info()).model !== 'ready'; i++) await new Promise((r) => setTimeout(r, 10));
  expect((await engine.info()).model).toBe('ready');
}

describe('the cross scorer in the engine', () => {
  it('keeps a newcomer\'s order, loads after the first personalised rerank with the interactions its card needs, then scores what the history touches', async () => {
    const { engine, requests } = await crossShop();
    const newcomer = await engine.rerank(catalogue);
    expect(newcomer.items.map((x) => x.id)).toEqual(catalogue.map((x) => x.id));
    await likeGlass(engine, 2);
    const early = await engine.rerank(catalogue);
    expect(early.personalized).toBe(true);
    await new Promise((r) => setTimeout(r, 20));
    expect((await engine.info()).model, 'two interactions: fewer than the card\'s minHistory').toBe('none');
    expect(requests.some((r) => r.endsWith('weights.bin'))).toBe(false);
    await likeGlass(engine, 3);
    const first = await engine.rerank(catalogue);
    expect(first.items.every((x) => x.modelScore === null)).toBe(true);
    await untilReady(engine);
    const next = await engine.rerank(catalogue, { explain: true });
    const scored = next.items.filter((x) => x.modelScore !== null).map((x) => x.id).sort();
    expect(scored).toEqual(['zorb-1', 'zorb-2']);
    const reason = next.items.find((x) => x.id === 'zorb-1')!.reason!;
    expect(reason.contributions!.model).not.toBe(0);
    await engine.close();
  });

  it('scores each item the same whatever the order the list comes in, with the server\'s scores', async () => {
    const { engine } = await crossShop();
    await likeGlass(engine);
    await engine.rerank(catalogue);
    await untilReady(engine);
    const inOrder = await engine.rerank(catalogue.map((c, i) => ({ ...c, score: 10 - i })));
    const shuffled = await engine.rerank([...catalogue].reverse().map((c) => ({ ...c, score: 10 - catalogue.indexOf(c) })));
    const byId = (r: typeof inOrder) => Object.fromEntries(r.items.map((x) => [x.id, x.modelScore]));
    expect(byId(shuffled)).toEqual(byId(inOrder));
    expect(shuffled.items.map((x) => x.id)).toEqual(inOrder.items.map((x) => x.id));
    await engine.close();
  });

  it('fine-tunes the visitor\'s offset only with fineTune on, and says why it kept or rejected it', async () => {
    for (const fineTune of [false, true]) {
      const { engine } = await crossShop({ fineTune });
      for (const thing of ['globe', 'bulb', 'cord']) await engine.track({ type: 'click', itemId: `mott-${thing}`, features: { text: `brindle mottar ${thing}`, tags: ['light'] } });
      await engine.rerank(catalogue);
      await untilReady(engine);
      let t = Date.now() - 3_600_000;
      for (let page = 0; page < 8; page++) {
        const shown = [...catalogue].sort(() => 0.5 - ((page * 7919) % 13) / 13);
        await engine.track(shown.map((c, position) => ({ type: 'impression' as const, itemId: c.id, listId: `l${page}`, position, time: (t += 1000), features: c.features })));
        const chosen = shown.find((c) => String(c.id).startsWith('mott'))!;
        await engine.track({ type: 'click', itemId: chosen.id, listId: `l${page}`, position: shown.indexOf(chosen), time: (t += 1000), features: chosen.features });
      }
      const report = await engine.train();
      if (!fineTune) expect(report.fineTune).toBeUndefined();
      else {
        expect(report.fineTune!.examples).toBeGreaterThanOrEqual(5);
        expect(report.fineTune!.reason).toMatch(/^(kept|rejected): held-out MRR/);
        expect(report.fineTune!.kept).toBe(report.fineTune!.holdoutAfter >= report.fineTune!.holdoutBefore && report.fineTune!.reason.startsWith('kept'));
        const stored = (await engine.exportData()).weights;
        if (report.fineTune!.kept) expect(stored?.tensors.adaptation?.values).toHaveLength(8);
      }
      await engine.close();
    }
  });
});

describe('touchedScores', () => {
  it('reads only the slots that hold an interaction, fused for ranking and plain for fine-tuning, and scores as the full sixteen would', () => {
    const config = crossConfig(8);
    let seed = 11;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 0.6;
    const params = Object.fromEntries(crossTensorSpecs(config).map(({ name, shape }) => [name, tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, random), shape)]));
    const tokens = catalogue.map((c) => itemTokens(c.features));
    const ids = catalogue.map((c) => String(c.id));
    for (const count of [1, 3, PAIR_HISTORY + 2]) {
      const history = Array.from({ length: count }, (_, i) => ({ itemId: `h${i}`, type: 'click' as const, time: i, features: { text: i % 2 ? 'quillon zorbet jar' : 'brindle mottar lamp', tags: [i % 2 ? 'glass' : 'light'] } }));
      const interactions = pairHistory(history, (h) => itemTokens(h.features));
      const inputs = crossInputs(ids, tokens, interactions, Taste.of(history).profile());
      const t = inputs.touched.length;
      const rows = (values: Float32Array, width: number) => Float32Array.from(inputs.touched.flatMap((r) => Array.from(values.subarray(r * width, (r + 1) * width))));
      const full = crossScores(params, {
        pairs: tf.tensor4d(rows(inputs.pairs.values, PAIR_HISTORY * PAIR_FEATURE_COUNT), [1, t, PAIR_HISTORY, PAIR_FEATURE_COUNT]),
        mask: tf.tensor2d(inputs.pairs.mask, [1, PAIR_HISTORY]),
        signals: tf.tensor3d(rows(inputs.signals, SIGNAL_COUNT), [1, t, SIGNAL_COUNT]),
        context: tf.tensor3d(rows(inputs.pairs.context, CONTEXT_COUNT), [1, t, CONTEXT_COUNT]),
      });
      expect(t).toBeGreaterThan(0);
      const expected = full.dataSync();
      for (const scores of [touchedScores(params, inputs), touchedScoresDense(params, inputs)]) {
        const got = scores.dataSync();
        expect(got.length).toBe(t);
        expected.forEach((x, i) => expect(got[i]).toBeCloseTo(x, 5));
      }
    }
  });
});
