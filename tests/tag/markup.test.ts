import { describe, expect, it } from 'vitest';
import { readFeatures, readId, type Problems } from '../../src/tag/markup';

/** An element with these attributes, as far as markup.ts reads one. */
function element(attributes: Record<string, string>): Element {
  return {
    getAttribute: (name: string) => attributes[name] ?? null,
    attributes: Object.entries(attributes).map(([name, value]) => ({ name, value })),
  } as unknown as Element;
}

function read(attributes: Record<string, string>) {
  const problems: Problems = [];
  const features = readFeatures(element(attributes), problems);
  return { features, problems: problems.map((p) => `${p.code} ${p.attribute}`) };
}

describe('readId', () => {
  it('trims the id and refuses an empty or over-long one', () => {
    const problems: Problems = [];
    expect(readId(element({ 'data-lr-item': '  sku-1 ' }), 'data-lr-item', problems)).toBe('sku-1');
    expect(readId(element({ 'data-lr-item': ' ' }), 'data-lr-item', problems)).toBeUndefined();
    expect(readId(element({}), 'data-lr-item', problems)).toBeUndefined();
    expect(readId(element({ 'data-lr-item': 'x'.repeat(257) }), 'data-lr-item', problems)).toBeUndefined();
    expect(readId(element({ 'data-lr-item': 'x'.repeat(256) }), 'data-lr-item', problems)).toHaveLength(256);
    expect(problems.map((p) => p.code)).toEqual(['EMPTY_ID', 'EMPTY_ID', 'ID_TOO_LONG']);
  });
});

describe('readFeatures', () => {
  it('reads every documented attribute', () => {
    expect(
      read({
        'data-lr-category': 'Shoes > Running > Trail',
        'data-lr-price': '1.299,00 €',
        'data-lr-brand': 'Acme',
        'data-lr-title': 'Trail runner',
        'data-lr-tags': 'vegan, gift ,, sale',
        'data-lr-attr-color': 'red',
        'data-lr-attr-material': 'cotton, linen',
        'data-lr-item': 'sku-1',
      }),
    ).toEqual({
      features: {
        category: ['Shoes', 'Running', 'Trail'],
        price: 1299,
        brand: 'Acme',
        text: 'Trail runner',
        tags: ['vegan', 'gift', 'sale'],
        attributes: { color: 'red', material: ['cotton', 'linen'] },
      },
      problems: [],
    });
  });

  it('keeps the first 16 levels of a deeper category and says so', () => {
    const levels = Array.from({ length: 20 }, (_, i) => `L${i}`);
    const { features, problems } = read({ 'data-lr-category': levels.join(' > ') });
    expect(features?.category).toEqual(levels.slice(0, 16));
    expect(problems).toEqual(['CATEGORY_TOO_DEEP data-lr-category']);
  });

  it('drops what the engine would refuse, and only that', () => {
    const { features, problems } = read({
      'data-lr-price': 'call us',
      'data-lr-brand': 'b'.repeat(300),
      'data-lr-category': `Shoes > ${'c'.repeat(300)}`,
      'data-lr-tags': Array.from({ length: 70 }, (_, i) => `t${i}`).join(','),
      'data-lr-title': 't'.repeat(2000),
    });
    expect(features).toEqual({ category: ['Shoes'], text: 't'.repeat(512), tags: Array.from({ length: 64 }, (_, i) => `t${i}`) });
    expect(problems).toEqual(['TOO_LONG data-lr-category', 'BAD_PRICE data-lr-price', 'TOO_LONG data-lr-brand', 'TOO_MANY data-lr-tags']);
  });

  it('counts at most 64 attribute values per item', () => {
    const attributes = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`data-lr-attr-a${i}`, 'x, y']));
    const { features, problems } = read(attributes);
    const values = Object.values(features!.attributes!).flat();
    expect(values).toHaveLength(64);
    expect(problems[0]).toBe('TOO_MANY data-lr-attr-a32');
  });

  it('no attributes, no features', () => {
    expect(read({ 'data-lr-item': 'a' })).toEqual({ features: undefined, problems: [] });
  });
});
