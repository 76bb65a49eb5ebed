import { describe, expect, it } from 'vitest';
import type { Problem } from '../../src/tag/markup';
import { listRules, parseCap, parseMatch, parseWeighted } from '../../src/tag/rules-markup';

function element(attributes: Record<string, string>): Element {
  return { getAttribute: (name: string) => attributes[name] ?? null } as unknown as Element;
}

describe('rule attributes', () => {
  it('read a match: a value, any of several, a range, a bound', () => {
    expect(parseMatch('instock=false')).toEqual({ field: 'instock', equals: 'false' });
    expect(parseMatch(' brand = Acme | Bolt ')).toEqual({ field: 'brand', oneOf: ['Acme', 'Bolt'] });
    expect(parseMatch('category=Shoes > Running')).toEqual({ field: 'category', equals: 'Shoes > Running' });
    expect(parseMatch('price=10..50')).toEqual({ field: 'price', min: 10, max: 50 });
    expect(parseMatch('price>=100')).toEqual({ field: 'price', min: 100 });
    expect(parseMatch('price<=9.5')).toEqual({ field: 'price', max: 9.5 });
    for (const bad of ['', 'brand', '=x', 'brand=', 'price>=cheap', `brand=${'x'.repeat(300)}`]) expect(parseMatch(bad), bad).toBeNull();
  });

  it('read a weight after @, and a cap as field max/within', () => {
    expect(parseWeighted('brand=Acme@0.3')).toEqual({ field: 'brand', equals: 'Acme', weight: 0.3 });
    expect(parseWeighted('brand=Acme')).toEqual({ field: 'brand', equals: 'Acme' });
    expect(parseWeighted('brand=Acme@2')).toBeNull();
    expect(parseCap('brand 2/10')).toEqual({ field: 'brand', max: 2, within: 10 });
    expect(parseCap('category 3')).toEqual({ field: 'category', max: 3 });
    for (const bad of ['brand', 'brand two', 'brand 2/0', '2/10']) expect(parseCap(bad), bad).toBeNull();
  });

  it('make the options of a list, reporting what does not read and keeping the rest', () => {
    const problems: Problem[] = [];
    const list = element({
      'data-lr-keep-top': '2',
      'data-lr-exclude': 'instock=false; nonsense; id=sku-1|sku-2',
      'data-lr-boost': 'brand=Acme@0.3',
      'data-lr-bury': 'price>=100',
      'data-lr-max-per-group': 'brand 2/10',
    });
    expect(listRules(list, [['sku-9', 3]], problems)).toEqual({
      keepTop: 2,
      exclude: [{ field: 'instock', equals: 'false' }, { field: 'id', oneOf: ['sku-1', 'sku-2'] }],
      boost: [{ field: 'brand', equals: 'Acme', weight: 0.3 }],
      bury: [{ field: 'price', min: 100 }],
      maxPerGroup: [{ field: 'brand', max: 2, within: 10 }],
      pin: { 'sku-9': 3 },
    });
    expect(problems).toEqual([{ code: 'BAD_RULE', attribute: 'data-lr-exclude' }]);
    const none: Problem[] = [];
    expect(listRules(element({ 'data-lr-keep-top': 'two' }), [], none)).toEqual({});
    expect(none).toEqual([{ code: 'BAD_RULE', attribute: 'data-lr-keep-top' }]);
  });
});
