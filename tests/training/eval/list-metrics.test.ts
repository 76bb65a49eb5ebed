import { describe, expect, it } from 'vitest';
import { listMetrics } from '../../../src/training/eval/list-metrics';

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
