import { describe, expect, it } from 'vitest';
import { caseMetrics, listMetrics, meanMetrics, pairedBootstrap, rankOf } from '../../src/training/metrics';
import { seededRandom } from '../../src/training/random';

describe('metrics', () => {
  it('rankOf counts negatives scoring at least the true item', () => {
    expect(rankOf(5, [1, 2, 3])).toBe(1);
    expect(rankOf(2, [1, 2, 3])).toBe(3);
    expect(rankOf(0, [1, 2, 3])).toBe(4);
  });

  it('HR and NDCG follow the textbook definitions', () => {
    expect(caseMetrics(1)).toEqual({ 'HR@1': 1, 'HR@5': 1, 'HR@10': 1, 'NDCG@5': 1, 'NDCG@10': 1, MRR: 1 });
    const m = caseMetrics(3);
    expect(m['HR@1']).toBe(0);
    expect(m['HR@5']).toBe(1);
    expect(m['NDCG@10']).toBeCloseTo(0.5, 10);
    expect(caseMetrics(11)['HR@10']).toBe(0);
    expect(caseMetrics(6)['NDCG@5']).toBe(0);
    expect(meanMetrics([1, 11]).MRR).toBeCloseTo((1 + 1 / 11) / 2, 10);
  });

  it('the paired bootstrap interval excludes zero for a consistent lift and covers it for noise', () => {
    const r = seededRandom(1);
    const a = Array.from({ length: 400 }, () => r());
    const lifted = a.map((x) => x + 0.05 + (r() - 0.5) * 0.02);
    const ci = pairedBootstrap(a, lifted, seededRandom(2));
    expect(ci.low).toBeGreaterThan(0);
    expect(ci.mean).toBeCloseTo(0.05, 2);
    const noise = a.map((x) => x + (r() - 0.5) * 0.2);
    const ci2 = pairedBootstrap(a, noise, seededRandom(3));
    expect(ci2.low).toBeLessThan(0);
    expect(ci2.high).toBeGreaterThan(0);
  });
});

describe('listMetrics', () => {
  const popularity: Record<string, number> = { a: 1, b: 2, c: 3, d: 4 };
  const facts = {
    size: 4,
    popularityRank: (id: string) => popularity[id],
    // a and b share every facet, everything else shares none
    similarity: (x: string, y: string) => ([x, y].sort().join('') === 'ab' ? 1 : 0),
  };

  it('counts the share of the catalogue shown, the mean popularity rank and the pairwise dissimilarity', () => {
    const m = listMetrics([['a', 'b'], ['c', 'd']], facts);
    expect(m.coverage).toBe(1);
    expect(m.novelty).toBeCloseTo((1.5 + 3.5) / 2);
    expect(m.diversity).toBeCloseTo((0 + 1) / 2);
  });

  it('a list of the bestsellers only is less novel and covers less', () => {
    const popular = listMetrics([['a', 'b'], ['a', 'b']], facts);
    const varied = listMetrics([['a', 'c'], ['b', 'd']], facts);
    expect(popular.coverage).toBeLessThan(varied.coverage);
    expect(popular.novelty).toBeLessThan(varied.novelty);
    expect(popular.diversity).toBeLessThan(varied.diversity);
  });

  it('without features diversity is NaN rather than a made-up figure', () => {
    expect(listMetrics([['a', 'c']], { ...facts, similarity: () => undefined }).diversity).toBeNaN();
  });
});
