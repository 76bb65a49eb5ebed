import { describe, expect, it } from 'vitest';
import { serverOrderResult } from '../../src/shared/fallback';

describe('serverOrderResult', () => {
  it('is the server order, every candidate once, marked as not personalised with the reason', () => {
    const result = serverOrderResult([{ id: 1 }, { id: 'x' }], { code: 'TIMEOUT', message: 'slow' });
    expect(result.items.map((r) => [r.id, r.serverRank, r.modelScore])).toEqual([
      ['1', 0, null],
      ['x', 1, null],
    ]);
    expect(result).toMatchObject({ personalized: false, fallback: { code: 'TIMEOUT', message: 'slow' } });
  });
});
