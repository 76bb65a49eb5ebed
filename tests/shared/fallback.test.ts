import { describe, expect, it } from 'vitest';
import { serverOrderResult } from '../../src/shared/fallback';

describe('serverOrderResult', () => {
  it('is the server order, every candidate once, marked as not personalised with the reason', () => {
    const result = serverOrderResult([{ id: 1 }, { id: 'x' }], { code: 'TIMEOUT', message: 'slow' });
    expect(result.items.map((r) => [r.id, r.serverRank, r.modelScore])).toEqual([
      ['1', 0, null],
      ['x', 1, null],
    ]);
    expect(result).toMatchObject({ personalized: false, fallback: { code: 'TIMEOUT', message: 'slow' }, arm: 'treatment' });
    expect(result.excluded).toBeUndefined();
  });

  it('orders by score when every candidate has one, as the worker does', () => {
    const result = serverOrderResult([{ id: 'a', score: 1 }, { id: 'b', score: 3 }, { id: 'c', score: 2 }], { code: 'TIMEOUT', message: '' });
    expect(result.items.map((r) => [r.id, r.serverRank, r.score])).toEqual([
      ['b', 1, -0],
      ['c', 2, -1],
      ['a', 0, -2],
    ]);
  });

  it('applies the rules, for the arm it is given', () => {
    const result = serverOrderResult(
      [{ id: 'a' }, { id: 'b', features: { attributes: { inStock: false } } }, { id: 'c' }, { id: 'd' }],
      { code: 'HOLDOUT', message: '' },
      { exclude: [{ field: 'inStock', equals: false }], pin: { d: 0 } },
      'control',
    );
    expect(result.items.map((r) => r.id)).toEqual(['d', 'a', 'c']);
    expect(result).toMatchObject({ arm: 'control', excluded: [{ id: 'b', serverRank: 1, rule: 0 }] });
  });
});
