import { describe, expect, it } from 'vitest';
import { parsePrice } from '../../src/tag/price';

describe('parsePrice', () => {
  it.each([
    ['89', 89],
    ['$89', 89],
    ['89.90', 89.9],
    ['1,299.00', 1299],
    ['$1,299.00', 1299],
    ['1.299,00 €', 1299],
    ['1 299,50 zł', 1299.5],
    ['1\u00a0299,50\u00a0€', 1299.5],
    ["CHF 1'299.-", 1299],
    ['12.-', 12],
    ['89,90', 89.9],
    ['1,5', 1.5],
    ['.99', 0.99],
    ['1,299', 1299],
    ['1.299', 1299],
    ['1,299,000', 1_299_000],
    ['1.299.000,00', 1_299_000],
    ['₹1,23,456', 123_456],
    ['from £12', 12],
    ['USD 0.50', 0.5],
    ['0', 0],
  ])('reads %j as %d', (text, value) => {
    expect(parsePrice(text)).toBeCloseTo(value, 6);
  });

  it.each(['', 'free', '-5', '−5 €', '$10 - $20', '10–20', '1e5', '1,2,3', '1..5', 'call us'])('refuses %j', (text) => {
    expect(parsePrice(text)).toBeUndefined();
  });
});
