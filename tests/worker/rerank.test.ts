import { describe, expect, it } from 'vitest';
import { packCandidates } from '../../src/shared/protocol';
import { blend, categoryAffinity, meanRow, order, reasonFor, serverSignalOf, standardise, unitRows } from '../../src/worker/rerank';

describe('blend and order', () => {
  it('serverWeight 1 keeps the server order, 0 follows the model', () => {
    const model = Float32Array.from([0, 1, 2]);
    expect(order(blend(model, serverSignalOf(null, 3), 1))).toEqual([0, 1, 2]);
    expect(order(blend(model, serverSignalOf(null, 3), 0))).toEqual([2, 1, 0]);
  });

  it('uses server scores when every candidate has one, else the order', () => {
    expect(packCandidates([{ id: 'a', score: 1 }, { id: 'b', score: 5 }]).packed.scores).toEqual(Float64Array.from([1, 5]));
    expect(packCandidates([{ id: 'a', score: 1 }, { id: 'b' }]).packed.scores).toBeNull();
    const signal = serverSignalOf([1, 5], 2);
    expect(signal[1]).toBeGreaterThan(signal[0]);
    const byOrder = serverSignalOf(null, 2);
    expect(byOrder[0]).toBeGreaterThan(byOrder[1]);
  });

  it('returns every index exactly once, also with k and diversity', () => {
    const n = 300;
    const scores = Float32Array.from({ length: n }, (_, i) => Math.sin(i));
    const dim = 4;
    const unit = unitRows(Float32Array.from({ length: n * dim }, (_, i) => Math.cos(i * 0.37)), dim);
    for (const opts of [{}, { k: 10 }, { diversity: 0.5, unitVectors: unit, dim }, { k: 50, diversity: 1, unitVectors: unit, dim }]) {
      const out = order(scores, opts);
      expect(out).toHaveLength(n);
      expect(new Set(out).size).toBe(n);
    }
  });

  it('with k, only the head is personalised and the tail keeps the server order', () => {
    const out = order(Float32Array.from([0, 0.5, 3, 2, 1]), { k: 2 });
    expect(out).toEqual([2, 3, 0, 1, 4]);
  });

  it('diversity pushes a near-duplicate of the top item down', () => {
    // items 0 and 1 are identical vectors, 2 is orthogonal; relevance 0 > 1 > 2 by a little
    const unit = Float32Array.from([1, 0, 1, 0, 0, 1]);
    const rel = Float32Array.from([1, 0.9, 0.8]);
    expect(order(rel, {})).toEqual([0, 1, 2]);
    expect(order(rel, { diversity: 0.5, unitVectors: unit, dim: 2 })).toEqual([0, 2, 1]);
  });

  it('standardise is zero for constant input', () => {
    expect(Array.from(standardise(Float32Array.from([3, 3, 3])))).toEqual([0, 0, 0]);
  });

});

describe('reasonFor', () => {
  it('names the most similar recent interaction', () => {
    const dim = 2;
    const history = {
      events: [
        { itemId: 'h1', type: 'click' as const, label: 'Alien' },
        { itemId: 'h2', type: 'purchase' as const, label: 'Toy Story' },
      ],
      unitVectors: Float32Array.from([1, 0, 0, 1]),
    };
    const candidate = Float32Array.from([0.1, 0.99]);
    const reason = reasonFor(candidate, 0, history, dim);
    expect(reason?.text).toBe('Because you bought Toy Story');
    expect(reason?.drivenBy[0].itemId).toBe('h2');
    expect(reasonFor(Float32Array.from([-1, -1]), 0, history, dim)).toBeUndefined();
  });
});

describe('unitRows around a centre', () => {
  it('removes the shared direction, so items alike only in popularity are not similar', () => {
    // Two items that share a large common component but differ in taste.
    const dim = 2;
    const values = Float32Array.from([10, 1, 10, -1]);
    const plain = unitRows(values, dim);
    expect(plain[0] * plain[2] + plain[1] * plain[3]).toBeGreaterThan(0.9);
    const centred = unitRows(values, dim, Float32Array.from([10, 0]));
    expect(centred[0] * centred[2] + centred[1] * centred[3]).toBeCloseTo(-1);
  });

  it('meanRow needs enough rows to be meaningful', () => {
    expect(meanRow(Float32Array.from([1, 2, 3, 4]), 2)).toBeUndefined();
    expect(Array.from(meanRow(Float32Array.from([1, 2, 3, 4]), 2, 2)!)).toEqual([2, 3]);
  });
});

describe('categoryAffinity', () => {
  it('scores the overlap with recent interactions, the latest counting most', () => {
    const history = [['Drama'], ['Horror'], ['Horror', 'Thriller']];
    const scores = categoryAffinity([['Horror'], ['Drama'], ['Comedy'], undefined], history);
    expect(scores[0]).toBeGreaterThan(scores[1]);
    expect(scores[1]).toBeGreaterThan(0);
    expect(scores[2]).toBe(0);
    expect(scores[3]).toBe(0);
    // The same categories, older: less affinity.
    const older = categoryAffinity([['Horror']], [['Horror'], ['Drama'], ['Drama']]);
    expect(older[0]).toBeLessThan(scores[0]);
  });

  it('is all zeros without history categories', () => {
    expect(Array.from(categoryAffinity([['A']], [undefined, []]))).toEqual([0]);
  });
});
