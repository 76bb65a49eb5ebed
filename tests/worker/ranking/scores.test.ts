/**
 * The engine scores cached item rows with a plain loop (`dotScores`) instead of the scorer's
 * tensor op; this proves the two agree on the fixture model, for known and unseen items.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dotScores } from '../../../src/worker/model/part';
import type { Scorer } from '../../../src/worker/model/scorer';
import { history, loadFixture, T0 } from '../helpers';

let scorer: Scorer;

beforeAll(async () => {
  await tf.setBackend('cpu');
  scorer = loadFixture();
});

afterAll(() => scorer.dispose());

describe('dotScores', () => {
  it('gives the scorer’s own scores for the same user and item vectors', async () => {
    const refs = [
      ...scorer.itemIds.slice(0, 40).map((id) => ({ id })),
      { id: 'never-seen', features: { category: ['Films', 'Comedy'], text: 'A new comedy' } },
    ];
    const itemTensor = scorer.itemVectors(refs);
    const userTensor = scorer.userVector(history(scorer.itemIds.slice(50, 60) as string[]), T0 + 3_600_000);
    const expected = scorer.score(userTensor, itemTensor);
    const dim = scorer.dim;
    const flat = (await itemTensor.data()) as Float32Array;
    const rows = refs.map((_, i) => flat.slice(i * dim, (i + 1) * dim));
    const got = dotScores((await userTensor.data()) as Float32Array, rows);
    const want = (await expected.data()) as Float32Array;
    [itemTensor, userTensor, expected].forEach((t) => t.dispose());
    expect(got).toHaveLength(refs.length);
    for (let i = 0; i < refs.length; i++) expect(got[i]).toBeCloseTo(want[i], 5);
  });
});
