import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventType, StoredEvent } from '../../src/shared/types';
import type { Scorer } from '../../src/worker/scorer';
import { fineTune, improvesWithoutLoss, seededRandom } from '../../src/worker/trainer';
import { events, loadFixture } from './helpers';

interface CatalogItem { id: string; category: string[] }
const items = (JSON.parse(readFileSync(new URL('../fixtures/model/catalog.json', import.meta.url), 'utf8')) as { items: CatalogItem[] }).items;
const ofGenre = (g: string) => items.filter((x) => x.category.includes(g)).map((x) => x.id);

/** A user who clicks `liked` films, each after being shown it and two `shown` films. */
function session(liked: readonly string[], shown: readonly string[]): StoredEvent[] {
  const list: Array<[EventType, string]> = [];
  liked.forEach((id, i) => {
    list.push(['impression', id], ['impression', shown[(2 * i) % shown.length]], ['impression', shown[(2 * i + 1) % shown.length]]);
    list.push(['click', id]);
  });
  return events(list);
}

describe('fineTune', () => {
  let scorer: Scorer;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    scorer = loadFixture();
  });
  afterAll(() => scorer.dispose());

  it('skips cleanly when there is too little data', async () => {
    const r = await fineTune(scorer, null, events([['impression', items[0].id], ['click', items[0].id], ['view', items[1].id]]));
    expect(r).toMatchObject({ kept: false, steps: 0, adapter: null });
    expect(r.reason).toMatch(/too little data/);
  });

  it('learns from a consistent user: loss falls and the kept update does not hurt held-out events', async () => {
    const liked = ofGenre('Horror').slice(0, 12);
    const shown = ofGenre('Romance').slice(0, 12);
    const r = await fineTune(scorer, null, session(liked, shown), { random: seededRandom(3) });
    expect(r.steps).toBeGreaterThan(0);
    expect(r.examples).toBe(12);
    expect(r.lossAfter).toBeLessThan(r.lossBefore);
    if (r.kept) {
      expect(r.adapter).not.toBeNull();
      expect(r.holdoutAfter).toBeGreaterThanOrEqual(r.holdoutBefore);
    } else {
      expect(r.adapter).toBeNull();
      expect(r.holdoutAfter).toBeLessThan(r.holdoutBefore);
    }
    r.adapter?.dispose();
  });

  it('rejects an update that ranks the held-out events worse, and says why', async () => {
    // Trained on horror against shown children's films, then the recent positives are children's films.
    const horror = ofGenre('Horror').slice(0, 12);
    const kids = ofGenre("Children's");
    const list = session(horror, kids.slice(0, 10));
    const tail = events(kids.slice(10, 13).map((id) => ['click', id] as [EventType, string]));
    const last = list[list.length - 1].time;
    tail.forEach((e, i) => { e.time = last + (i + 1) * 60_000; e.id = `t${i}`; });
    const r = await fineTune(scorer, null, [...list, ...tail], { random: seededRandom(5), maxSteps: 60, learningRate: 0.05 });
    expect(r.kept).toBe(false);
    expect(r.adapter).toBeNull();
    expect(r.holdoutAfter).toBeLessThan(r.holdoutBefore);
    expect(r.reason).toMatch(/rejected/);
  });

  it('is deterministic given the random source', async () => {
    const evs = session(ofGenre('Comedy').slice(0, 8), ofGenre('War').slice(0, 8));
    const a = await fineTune(scorer, null, evs, { random: seededRandom(9) });
    const b = await fineTune(scorer, null, evs, { random: seededRandom(9) });
    expect(a.lossAfter).toBe(b.lossAfter);
    expect(a.holdoutAfter).toBe(b.holdoutAfter);
    if (a.adapter && b.adapter) {
      const [wa, wb] = [await a.adapter.toWeights(), await b.adapter.toWeights()];
      expect(Array.from(wa.b.values)).toEqual(Array.from(wb.b.values));
    }
    a.adapter?.dispose();
    b.adapter?.dispose();
  });

  it('awaits yieldBetweenSteps once per step', async () => {
    let yields = 0;
    const r = await fineTune(scorer, null, session(ofGenre('Drama').slice(0, 6), ofGenre('Action').slice(0, 6)), {
      maxSteps: 7,
      yieldBetweenSteps: async () => { yields++; },
    });
    expect(yields).toBe(7);
    r.adapter?.dispose();
  });

  it('leaves no tensors behind across calls', async () => {
    const evs = session(ofGenre('Thriller').slice(0, 8), ofGenre('Musical').slice(0, 8));
    const first = await fineTune(scorer, null, evs);
    first.adapter?.dispose();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      const r = await fineTune(scorer, null, evs, { random: seededRandom(i) });
      r.adapter?.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('trains on the wasm backend', async () => {
    await tf.setBackend('wasm');
    const s = loadFixture();
    try {
      const r = await fineTune(s, null, session(ofGenre('Horror').slice(0, 8), ofGenre('Romance').slice(0, 8)));
      expect(r.steps).toBeGreaterThan(0);
      expect(r.lossAfter).toBeLessThan(r.lossBefore);
      r.adapter?.dispose();
    } finally {
      s.dispose();
      await tf.setBackend('cpu');
    }
  });
});

describe('improvesWithoutLoss (the keep-or-reject guard)', () => {
  it('keeps an update only if the mean improves and no held-out event ranks worse', () => {
    expect(improvesWithoutLoss([0.5, 0.25], [0.5, 0.5])).toBe(true);
    expect(improvesWithoutLoss([0.5, 0.25], [1, 0.2])).toBe(false);
    expect(improvesWithoutLoss([0.5, 0.25], [0.5, 0.25])).toBe(false);
  });
});
