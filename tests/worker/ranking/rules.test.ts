/**
 * The shop's rules, one at a time, on small lists whose answer can be read off: what each rule
 * does, how they combine, and how conflicts are settled.
 */
import { describe, expect, it } from 'vitest';
import type { ItemFeatures } from '../../../src/shared/types';
import { applyRules, fieldValues, hasRules, matches, type Rules } from '../../../src/worker/ranking/rules';

const BRANDS = ['Acme', 'Bolt', 'Acme', 'Cora', 'Acme', 'Bolt', 'Dune', 'Acme'];

function list(n = 8): { ids: string[]; features: ItemFeatures[] } {
  const ids = Array.from({ length: n }, (_, i) => `p${i}`);
  const features = ids.map((_, i): ItemFeatures => ({
    brand: BRANDS[i % BRANDS.length],
    price: 10 * (i + 1),
    category: ['Shoes', i % 2 ? 'Running' : 'Walking'],
    tags: i === 3 ? ['sale'] : [],
    attributes: { inStock: i !== 2 && i !== 5, colour: i % 3 === 0 ? 'red' : 'blue' },
  }));
  return { ids, features };
}

/** Applies `rules` to a ranking given as candidate indices (the server's order is 0, 1, 2, ...). */
function run(rules: Rules, order: number[] = [7, 6, 5, 4, 3, 2, 1, 0], n = 8) {
  const { ids, features } = list(n);
  const server = Array.from({ length: n }, (_, i) => i);
  const result = applyRules(rules, { ids, features: (i) => features[i], order, server });
  return { order: Array.from(result.order), excluded: result.excluded };
}

describe('fieldValues and matches', () => {
  const f: ItemFeatures = { category: ['Shoes', 'Running'], brand: 'Acme', price: 42, tags: ['sale'], attributes: { inStock: false, Colour: ['red', 'navy'] } };

  it('reads every field, ignoring case and spaces', () => {
    expect(fieldValues('id', 'SKU-1', f)).toEqual(['sku-1']);
    expect(fieldValues('category', 'x', f)).toEqual(['shoes', 'running', 'shoes>running']);
    expect(fieldValues('Brand', 'x', f)).toEqual(['acme']);
    expect(fieldValues('price', 'x', f)).toEqual(['42']);
    expect(fieldValues('tags', 'x', f)).toEqual(['sale']);
    expect(fieldValues('instock', 'x', f)).toEqual(['false']);
    expect(fieldValues('colour', 'x', f)).toEqual(['red', 'navy']);
    expect(fieldValues('size', 'x', f)).toBeUndefined();
    expect(fieldValues('brand', 'x', undefined)).toBeUndefined();
  });

  it('holds when every condition given does', () => {
    const v = (field: string) => fieldValues(field, 'x', f);
    expect(matches({ field: 'inStock', equals: false }, v('inStock'))).toBe(true);
    expect(matches({ field: 'inStock', equals: true }, v('inStock'))).toBe(false);
    expect(matches({ field: 'category', equals: 'Shoes > Running' }, v('category'))).toBe(true);
    expect(matches({ field: 'category', equals: 'running' }, v('category'))).toBe(true);
    expect(matches({ field: 'brand', oneOf: ['Bolt', 'ACME'] }, v('brand'))).toBe(true);
    expect(matches({ field: 'price', min: 40, max: 50 }, v('price'))).toBe(true);
    expect(matches({ field: 'price', min: 43 }, v('price'))).toBe(false);
    expect(matches({ field: 'brand', min: 0 }, v('brand'))).toBe(false);
    expect(matches({ field: 'colour', equals: 'navy' }, v('colour'))).toBe(true);
    expect(matches({ field: 'size', equals: 'M' }, v('size'))).toBe(false);
  });

  it('knows when there is nothing to apply', () => {
    expect(hasRules(undefined)).toBe(false);
    expect(hasRules({ exclude: [], pin: {}, keepTop: 0, boost: [], maxPerGroup: [] })).toBe(false);
    expect(hasRules({ keepTop: 1 })).toBe(true);
    expect(hasRules({ maxPerGroup: { field: 'brand', max: 1 } })).toBe(true);
  });
});

describe('applyRules', () => {
  it('leaves the order as it is without rules', () => {
    expect(run({})).toEqual({ order: [7, 6, 5, 4, 3, 2, 1, 0], excluded: [] });
  });

  it('excludes ids and matches, reporting the entry that matched, in the server order', () => {
    const { order, excluded } = run({ exclude: ['p7', { field: 'inStock', equals: false }, 'p2'] });
    expect(order).toEqual([6, 4, 3, 1, 0]);
    expect(excluded).toEqual([
      { index: 2, rule: 1 },
      { index: 5, rule: 1 },
      { index: 7, rule: 0 },
    ]);
  });

  it('keeps the first server positions, among the items not excluded', () => {
    expect(run({ keepTop: 3 }).order).toEqual([0, 1, 2, 7, 6, 5, 4, 3]);
    expect(run({ keepTop: 3, exclude: ['p1'] }).order).toEqual([0, 2, 3, 7, 6, 5, 4]);
    expect(run({ keepTop: 99 }).order).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('pins items at their positions, the last position for one beyond the list', () => {
    expect(run({ pin: { p0: 0, p1: 3 } }).order).toEqual([0, 7, 6, 1, 5, 4, 3, 2]);
    expect(run({ pin: { p7: 50 } }).order).toEqual([6, 5, 4, 3, 2, 1, 0, 7]);
    expect(run({ pin: { unknown: 1 } }).order).toEqual([7, 6, 5, 4, 3, 2, 1, 0]);
  });

  it('settles pins that collide by the server order, and keepTop before pins', () => {
    // p3 and p5 both want position 1: p3 (better in the server order) gets it, p5 the next one.
    expect(run({ pin: { p5: 1, p3: 1 } }).order).toEqual([7, 3, 5, 6, 4, 2, 1, 0]);
    // Position 0 is kept for the server's first item: the pin takes the next free one.
    expect(run({ keepTop: 1, pin: { p4: 0 } }).order).toEqual([0, 4, 7, 6, 5, 3, 2, 1]);
    // An excluded item is not pinned.
    expect(run({ exclude: ['p4'], pin: { p4: 0 } }).order).toEqual([7, 6, 5, 3, 2, 1, 0]);
  });

  it('boosts and buries by a share of the list', () => {
    // Weight 1: every Bolt (p1, p5) above every other item; every Acme (p0, p2, p4, p7) below.
    expect(run({ boost: [{ field: 'brand', equals: 'Bolt', weight: 1 }] }).order).toEqual([5, 1, 7, 6, 4, 3, 2, 0]);
    expect(run({ bury: [{ field: 'brand', equals: 'Acme', weight: 1 }] }).order).toEqual([6, 5, 3, 1, 7, 4, 2, 0]);
    // Weight 0.3 moves p0 (last of 8, 0.125) past p1 (0.25) and p2 (0.375), not past p3 (0.5).
    expect(run({ boost: [{ field: 'id', equals: 'p0', weight: 0.3 }] }).order).toEqual([7, 6, 5, 4, 3, 0, 2, 1]);
    // Acme up and red down by 0.5 each: p0, both, stays; p3 and p6, red, go down; Acme goes up.
    expect(run({ boost: [{ field: 'brand', equals: 'Acme' }], bury: [{ field: 'colour', equals: 'red' }] }).order).toEqual([7, 4, 2, 5, 6, 1, 0, 3]);
  });

  it('caps a group within the first positions, the next items taking the places', () => {
    // Acme is p0, p2, p4, p7. Ranked 7, 6, 5, 4, 3, 2, 1, 0: at most one Acme in the first four.
    expect(run({ maxPerGroup: { field: 'brand', max: 1, within: 4 } }).order).toEqual([7, 6, 5, 3, 4, 2, 1, 0]);
    // Over the whole list, with nothing else left, the rest still comes (a cap never leaves a hole).
    expect(run({ maxPerGroup: { field: 'brand', max: 1 } }).order).toEqual([7, 6, 5, 3, 4, 2, 1, 0]);
    // A category groups by its whole path.
    expect(run({ maxPerGroup: { field: 'category', max: 2, within: 4 } }, [0, 2, 4, 6, 1, 3, 5, 7]).order).toEqual([0, 2, 1, 3, 4, 6, 5, 7]);
  });

  it('counts fixed items in a cap, and pins hold against it', () => {
    // p0 (Acme) is kept on top: no other Acme in the first four.
    expect(run({ keepTop: 1, maxPerGroup: { field: 'brand', max: 1, within: 4 } }).order).toEqual([0, 6, 5, 3, 7, 4, 2, 1]);
    // A pinned Acme at 1 and the cap: the pin holds, the cap works around it.
    expect(run({ pin: { p2: 1 }, maxPerGroup: { field: 'brand', max: 1, within: 4 } }).order).toEqual([6, 2, 5, 3, 7, 4, 1, 0]);
  });
});
