import { describe, expect, it } from 'vitest';
import { caseMetrics, meanMetrics, pairedBootstrap, rankOf } from '../../../src/training/pretrain/metrics';
import { seededRandom } from '../../../src/training/data/random';

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
