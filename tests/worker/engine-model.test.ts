/**
 * The model part loads lazily, and only where it can contribute: the engine ranks from the taste
 * and the head at once, starts loading the part after the first personalised rerank that finds a
 * candidate the model knows (or whose card says it reads any catalogue), and adds the model's term
 * to the reranks after it is ready. A shop whose catalogue the model does not know never loads it.
 */
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/worker/engine';
import type { ModelPartModule } from '../../src/worker/model/contract';
import { sha256Hex } from '../../src/worker/model/loader';
import * as part from '../../src/worker/model/part';
import { fixtureArtifacts } from './helpers';

const MANIFEST = 'https://shop.example/m/manifest.json';
const WEIGHTS = 'https://shop.example/m/weights.bin';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** The fixture model over a fake network (its card patched as a test asks), and the requests it saw. */
async function shop(card?: Record<string, unknown>) {
  const { manifest, weights } = fixtureArtifacts();
  const served = { ...manifest, weights: { ...manifest.weights, sha256: await sha256Hex(weights) }, ...(card ? { card: { datasets: ['elsewhere'], priorBeatsServer: false, ...card } } : {}) };
  const requests: string[] = [];
  const fetch = (async (input: string | URL | Request) => {
    const target = String(input);
    requests.push(target);
    if (target === MANIFEST) return new Response(JSON.stringify(served));
    if (target === WEIGHTS) return new Response(weights.slice(0));
    return new Response('no', { status: 404 });
  }) as typeof globalThis.fetch;
  const imports: number[] = [];
  const modelPart = async (): Promise<ModelPartModule> => {
    imports.push(Date.now());
    return part;
  };
  const engine = await Engine.create({
    model: MANIFEST,
    modelPart,
    namespace: 'lazy',
    backend: 'cpu',
    retention: { maxEvents: 1000, maxAgeDays: 30 },
    autoTrain: false,
    idbFactory: new IDBFactory(),
    fetch,
  });
  return { engine, requests, imports, ids: manifest.items.ids };
}

/** Waits until the model part has loaded or failed. */
async function settle(engine: Engine): Promise<void> {
  for (let i = 0; i < 2000 && !['ready', 'failed'].includes((await engine.info()).model); i++) await new Promise((r) => setTimeout(r, 10));
}

describe('the model part', () => {
  it('where the model knows the catalogue: loads after the first personalised rerank, then adds its term', { timeout: 30_000 }, async () => {
    const { engine, requests, imports, ids } = await shop();
    const candidates = ids.slice(0, 20).map((id, i) => ({ id, features: { category: [i % 2 ? 'Comedy' : 'Drama'] } }));
    expect((await engine.info()).model).toBe('none');
    expect((await engine.rerank(candidates)).fallback?.code).toBe('NO_EVIDENCE');
    await new Promise((r) => setTimeout(r, 10));
    expect(imports).toHaveLength(0);

    await engine.track({ type: 'click', itemId: ids[0], features: { category: ['Drama'] } });
    const first = await engine.rerank(candidates);
    expect(first.personalized).toBe(true);
    expect(first.items.every((i) => i.modelScore === null)).toBe(true);
    expect(requests).toEqual([MANIFEST]);

    await settle(engine);
    expect(imports).toHaveLength(1);
    expect(requests).toEqual([MANIFEST, WEIGHTS]);
    const info = await engine.info();
    expect(info).toMatchObject({ model: 'ready', backend: 'cpu' });
    const later = await engine.rerank(candidates);
    expect(later.items.filter((i) => i.modelScore !== null && Number.isFinite(i.modelScore))).toHaveLength(20);
    await engine.close();
  });

  it('where the model knows nothing of the catalogue: never loads it, and the taste still personalises', async () => {
    const { engine, requests, imports } = await shop();
    const candidates = Array.from({ length: 30 }, (_, i) => ({ id: `sku-${i}`, features: { category: ['Garden', i % 3 ? 'Tools' : 'Seeds'], brand: `b${i % 4}` } }));
    await engine.track({ type: 'click', itemId: 'sku-0', features: candidates[0].features });
    for (let i = 0; i < 3; i++) {
      const ranked = await engine.rerank(candidates);
      expect(ranked.personalized).toBe(true);
      expect(ranked.items.every((item) => item.modelScore === null)).toBe(true);
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(imports).toHaveLength(0);
    expect(requests).toEqual([MANIFEST]);
    expect(await engine.info()).toMatchObject({ model: 'none', backend: 'none' });
    await engine.close();
  });

  it('a card that says the model reads any catalogue loads it on a shop it never saw', { timeout: 30_000 }, async () => {
    const { engine, imports } = await shop({ readsAnyCatalogue: true });
    const candidates = Array.from({ length: 10 }, (_, i) => ({ id: `sku-${i}`, features: { category: ['Garden'] } }));
    await engine.track({ type: 'click', itemId: 'sku-0', features: candidates[0].features });
    await engine.rerank(candidates);
    await settle(engine);
    expect(imports).toHaveLength(1);
    expect((await engine.info()).model).toBe('ready');
    await engine.close();
  });
});
