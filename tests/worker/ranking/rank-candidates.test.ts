/**
 * The ranking pipeline as one pure function: plain arrays in, an order and scores out. The engine
 * only gathers its inputs (tokens, taste, model evidence), so these tests pin what it ranks.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EXPLAIN_LIMIT, order, rankCandidates, serverOrderOf, serverRanking, type HistoryEntry, type RankInput } from '../../../src/worker/ranking/rerank';
import { DEFAULT_HEAD } from '../../../src/worker/ranking/signals';
import { EMPTY_PROFILE, Taste, itemTokens } from '../../../src/worker/ranking/taste';

const kinds = ['Seeds', 'Tools', 'Pots'];
const features = (i: number) => ({ category: ['Garden', kinds[i % 3]], brand: `b${i % 5}` });

function input(n: number, extra: Partial<RankInput> = {}): RankInput {
  return {
    ids: Array.from({ length: n }, (_, i) => `g-${i}`),
    tokens: Array.from({ length: n }, (_, i) => itemTokens(features(i))),
    serverScores: null,
    profile: EMPTY_PROFILE,
    head: DEFAULT_HEAD,
    options: {},
    ...extra,
  };
}

const clickedTools = Taste.of([
  { itemId: 'x1', type: 'click', time: 1, features: { category: ['Garden', 'Tools'] } },
  { itemId: 'x2', type: 'click', time: 2, features: { category: ['Garden', 'Tools'] } },
]).profile();

describe('rankCandidates', () => {
  it('returns every candidate exactly once, for any options', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 150 }),
        fc.record({
          k: fc.option(fc.integer({ min: 0, max: 200 }), { nil: undefined }),
          diversity: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
          serverWeight: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
          explain: fc.boolean(),
        }),
        fc.boolean(),
        (n, options, tasted) => {
          const ranking = rankCandidates(input(n, { options, profile: tasted ? clickedTools : EMPTY_PROFILE }));
          expect(ranking.order).toHaveLength(n);
          expect(new Set(ranking.order).size).toBe(n);
          expect(ranking.scores).toHaveLength(n);
          expect(ranking.modelScores).toHaveLength(n);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('keeps the server order exactly when nothing but the server speaks', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), (n) => {
        expect(Array.from(rankCandidates(input(n)).order)).toEqual(Array.from({ length: n }, (_, i) => i));
      }),
    );
  });

  it('raises the unclicked items of the category clicked', () => {
    const n = 30;
    const ranking = rankCandidates(input(n, { profile: clickedTools }));
    const top = Array.from(ranking.order).slice(0, 10);
    // Three of the first ten are tools in the server's order; two clicks are evidence, not a verdict.
    expect(top.filter((i) => i % 3 === 1).length).toBeGreaterThanOrEqual(6);
  });

  it('follows the server scores when every candidate has one', () => {
    const n = 5;
    const scores = Float64Array.from([1, 5, 3, 4, 2]);
    expect(Array.from(serverOrderOf(scores, n))).toEqual([1, 3, 2, 4, 0]);
    expect(Array.from(rankCandidates(input(n, { serverScores: scores })).order)).toEqual([1, 3, 2, 4, 0]);
    expect(Array.from(serverRanking(scores, n).order)).toEqual([1, 3, 2, 4, 0]);
  });

  it('options.serverWeight overrides the head: 1 keeps the server order, 0 ranks by taste alone', () => {
    const n = 9;
    expect(Array.from(rankCandidates(input(n, { profile: clickedTools, options: { serverWeight: 1 } })).order)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(Array.from(rankCandidates(input(n, { profile: clickedTools, options: { serverWeight: 0 } })).order).slice(0, 3).sort()).toEqual([1, 4, 7]);
  });

  it('counts the model only as far as it knows an item', () => {
    const n = 6;
    const scores = Float32Array.from([0, 0, 0, 0, 0, 100]);
    const unknown = rankCandidates(input(n, { model: { scores, evidence: Float32Array.from([1, 1, 1, 1, 1, 0]) } }));
    expect(unknown.order[0]).toBe(0);
    expect(Number.isNaN(unknown.modelScores[5])).toBe(true);
    const known = rankCandidates(input(n, { model: { scores, evidence: new Float32Array(n).fill(1) } }));
    expect(known.order[0]).toBe(5);
    expect(known.modelScores[5]).toBe(100);
  });

  it('diversity spreads the categories of the first positions', () => {
    const n = 30;
    const plain = Array.from(rankCandidates(input(n, { profile: clickedTools })).order).slice(0, 3);
    const diverse = Array.from(rankCandidates(input(n, { profile: clickedTools, options: { diversity: 0.9 } })).order).slice(0, 3);
    expect(new Set(plain.map((i) => i % 3)).size).toBe(1);
    expect(new Set(diverse.map((i) => i % 3)).size).toBeGreaterThan(1);
  });

  it('explain gives reasons from the history, only to the first positions', () => {
    const n = EXPLAIN_LIMIT + 20;
    const history: HistoryEntry[] = [{ itemId: 'h', type: 'purchase', label: 'Pruning shears', tokens: itemTokens({ category: ['Garden', 'Tools'] }) }];
    const ranking = rankCandidates(input(n, { profile: clickedTools, history, options: { explain: true } }));
    const reasons = ranking.reasons!;
    expect(reasons).toHaveLength(n);
    for (const i of Array.from(ranking.order).slice(EXPLAIN_LIMIT)) expect(reasons[i]).toBeNull();
    expect(reasons[ranking.order[0]]?.text).toBe('Because you bought Pruning shears');
    expect(rankCandidates(input(n, { options: { explain: true } })).reasons!.every((r) => r === null)).toBe(true);
    expect(rankCandidates(input(n)).reasons).toBeUndefined();
  });
});

describe('order', () => {
  it('keeps the tail after k in the server order and breaks ties by it', () => {
    const scores = Float32Array.from([0, 5, 5, 1, 9]);
    const server = Int32Array.from([0, 1, 2, 3, 4]);
    expect(order(scores, server)).toEqual([4, 1, 2, 3, 0]);
    expect(order(scores, server, { k: 2 })).toEqual([4, 1, 0, 2, 3]);
  });
});
