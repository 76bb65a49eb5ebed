/**
 * The ranking pipeline as one pure function: typed arrays in, an order and scores out. The engine
 * only gathers its inputs (item and user vectors, history), so these tests pin what it ranks.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { blend, EXPLAIN_LIMIT, order, rankCandidates, serverSignalOf, type HistoryEntry, type RankInput } from '../../src/worker/rerank';

const DIM = 3;
/** Row i points mostly along axis i % DIM; the user likes axis 0. */
const rowsOf = (n: number) => Array.from({ length: n }, (_, i) => Float32Array.from({ length: DIM }, (_, d) => (d === i % DIM ? 1 : 0.1 * ((i + d) % 3))));
const USER = Float32Array.from([1, 0, 0]);

function input(n: number, extra: Partial<RankInput> = {}): RankInput {
  return { user: USER, rows: rowsOf(n), serverScores: null, serverWeight: 0.3, options: {}, ...extra };
}

describe('rankCandidates', () => {
  it('returns every candidate exactly once, for any options', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 150 }),
        fc.record({ k: fc.option(fc.integer({ min: 0, max: 200 }), { nil: undefined }), diversity: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }), explain: fc.boolean() }),
        (n, options) => {
          const ranking = rankCandidates(input(n, { options }));
          expect(ranking.order).toHaveLength(n);
          expect(new Set(ranking.order).size).toBe(n);
          expect(ranking.scores).toHaveLength(n);
          expect(ranking.modelScores).toHaveLength(n);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('is the model score blended with the server signal, then ordered', () => {
    const n = 12;
    const ranking = rankCandidates(input(n, { serverScores: Float64Array.from({ length: n }, (_, i) => n - i) }));
    const model = Float32Array.from(rowsOf(n), (row) => row[0]);
    expect(Array.from(ranking.modelScores)).toEqual(Array.from(model));
    const blended = blend(model, serverSignalOf(Float64Array.from({ length: n }, (_, i) => n - i), n), 0.3);
    expect(Array.from(ranking.scores)).toEqual(Array.from(blended));
    expect(Array.from(ranking.order)).toEqual(order(blended));
  });

  it('options.serverWeight overrides the engine default: 1 keeps the server order', () => {
    const n = 9;
    expect(Array.from(rankCandidates(input(n, { options: { serverWeight: 1 } })).order)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(Array.from(rankCandidates(input(n, { serverWeight: 1 })).order)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(Array.from(rankCandidates(input(n, { serverWeight: 1, options: { serverWeight: 0 } })).order).slice(0, 3)).toEqual([0, 3, 6]);
  });

  it('affinity lifts candidates that share categories with recent interactions, removals aside', () => {
    const n = 6;
    const categories = [['A'], ['A'], ['A'], ['B'], ['B'], ['B']];
    const history: HistoryEntry[] = [{ itemId: 'h', type: 'click', label: 'h', categories: ['B'] }];
    const base = { serverWeight: 1, categories, history };
    const plain = rankCandidates(input(n, { ...base, options: {} }));
    const lifted = rankCandidates(input(n, { ...base, options: { affinity: 0.9 } }));
    expect(Array.from(plain.order).slice(0, 3)).toEqual([0, 1, 2]);
    expect(Array.from(lifted.order).slice(0, 3)).toEqual([3, 4, 5]);
    const removed = rankCandidates(input(n, { ...base, history: [{ ...history[0], type: 'remove_from_cart' }], options: { affinity: 0.9 } }));
    expect(Array.from(removed.order).slice(0, 3)).toEqual([0, 1, 2]);
  });

  it('explain gives reasons from the history, only to the first positions', () => {
    const n = EXPLAIN_LIMIT + 20;
    const history: HistoryEntry[] = [{ itemId: 'h', type: 'purchase', label: 'Toy Story' }];
    const ranking = rankCandidates(input(n, { history, historyRows: Float32Array.from([1, 0, 0]), options: { explain: true } }));
    const reasons = ranking.reasons!;
    expect(reasons).toHaveLength(n);
    const tail = Array.from(ranking.order).slice(EXPLAIN_LIMIT);
    for (const i of tail) expect(reasons[i]).toBeNull();
    expect(reasons[ranking.order[0]]?.text).toBe('Because you bought Toy Story');
    expect(rankCandidates(input(n, { options: { explain: true } })).reasons!.every((r) => r === null)).toBe(true);
    expect(rankCandidates(input(n)).reasons).toBeUndefined();
  });
});
