import { describe, expect, it } from 'vitest';
import { serverOrder, unruledOrder } from '../../src/tag/server-order';

describe('serverOrder', () => {
  it('returns every candidate in the given order, unpersonalised', () => {
    expect(serverOrder([{ id: 1 }, { id: 'b' }], { code: 'TIMEOUT', message: 'm' })).toEqual({
      items: [
        { id: '1', score: -0, modelScore: null, serverRank: 0 },
        { id: 'b', score: -1, modelScore: null, serverRank: 1 },
      ],
      personalized: false,
      fallback: { code: 'TIMEOUT', message: 'm' },
      arm: 'control',
      computeMs: 0,
    });
  });

  it('applies the rules it is given, and ignores them on input they cannot read', () => {
    const result = serverOrder([{ id: 'a' }, { id: 'b', features: { brand: 'Acme' } }, { id: 'c' }], { code: 'TIMEOUT', message: 'm' }, { pin: { c: 0 }, exclude: [{ field: 'brand', equals: 'acme' }] }, 'treatment');
    expect(result.items.map((i) => i.id)).toEqual(['c', 'a']);
    expect(result.excluded).toEqual([{ id: 'b', serverRank: 1, rule: 0 }]);
    expect(result.arm).toBe('treatment');
    expect(serverOrder([null, { id: 'b' }], { code: 'TIMEOUT', message: 'm' }, { pin: { b: 0 } }).items.map((i) => i.id)).toEqual(['undefined', 'b']);
  });
});

describe('unruledOrder', () => {
  it('keeps the given order of whatever the page passed, without rules', () => {
    const result = unruledOrder([{ id: 'a', score: 1 }, null, { id: 3, score: 9 }], { code: 'NO_CONSENT', message: 'm' }, 'treatment');
    expect(result.items.map((i) => i.id)).toEqual(['a', 'undefined', '3']);
    expect(result).toMatchObject({ personalized: false, arm: 'treatment', fallback: { code: 'NO_CONSENT' } });
    expect(unruledOrder('not a list', { code: 'TIMEOUT', message: 'm' }).items).toEqual([]);
  });
});
