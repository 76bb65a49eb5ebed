import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateCases, type EngineFactory, type EvalCase, type Variant } from '../../../src/training/eval/eval-core';
import { rankWithScorer } from '../../../src/training/pretrain/rank';
import { Engine } from '../../../src/worker/engine';
import { modelPartOf } from '../../../src/worker/model/part';
import type { Scorer } from '../../../src/worker/model/scorer';
import { loadFixture, T0 } from '../../worker/helpers';

describe('evaluation through the engine', () => {
  let scorer: Scorer;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    scorer = loadFixture();
  });
  afterAll(() => scorer.dispose());

  const factory: EngineFactory = (user, clock, { learn }) =>
    Engine.create({
      model: modelPartOf(scorer),
      namespace: `t-${user}`,
      backend: 'cpu',
      retention: { maxEvents: 10_000, maxAgeDays: 100_000 },
      autoTrain: false,
      learn,
      idbFactory: new IDBFactory(),
      now: clock,
    });

  function cases(historyLength = 8): EvalCase[] {
    const ids = scorer.itemIds;
    return [0, 1, 2].map((u) => {
      const history = ids.slice(u * 20, u * 20 + historyLength).map((itemId, i) => ({ itemId, type: 'click' as const, time: T0 + i * 3_600_000 }));
      const candidates = ids.slice(200 + u * 30, 200 + u * 30 + 20).map((id) => ({ id }));
      return { user: `u${u}`, history, now: T0 + 9 * 3_600_000, candidates, target: String(candidates[7].id) };
    });
  }

  const MODEL_ALONE: Variant = { name: 'model alone', learn: false, rerank: { serverWeight: 0 } };

  it("the model-alone rank equals the scorer's own rank of the target", async () => {
    const list = cases();
    const results = await evaluateCases(factory, list, [MODEL_ALONE]);
    const direct = await rankWithScorer(
      scorer,
      list.map((c) => ({
        user: c.user,
        history: c.history,
        now: c.now,
        candidates: [{ id: c.target }, ...c.candidates.filter((x) => x.id !== c.target).map((x) => ({ id: String(x.id) }))],
      })),
    );
    expect(results.map((r) => r.ranks['model alone'])).toEqual(direct);
    expect(results.every((r) => r.serverRank === 8 && r.kept === null)).toBe(true);
  });

  it('keeps the server order for a user with no history, in every variant', async () => {
    const results = await evaluateCases(factory, cases(0), [MODEL_ALONE, { name: 'learning', learn: true, train: true }]);
    for (const r of results) {
      expect(r.ranks.learning).toBe(r.serverRank);
      expect(r.ranks['model alone']).toBe(r.serverRank);
    }
  });

  it('trains through train() and reports a rank after it', async () => {
    const results = await evaluateCases(factory, cases(), [{ name: 'learning', learn: true, train: true }]);
    for (const r of results) {
      expect(r.ranks.learning).toBeGreaterThanOrEqual(1);
      expect(r.ranks.learning).toBeLessThanOrEqual(20);
      expect(typeof r.kept).toBe('boolean');
    }
  });
});
