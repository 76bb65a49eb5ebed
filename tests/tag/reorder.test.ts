import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planOrder } from '../../src/tag/reorder';

/** A list, a ranking of the same items, and which places are pinned. */
const scenario = fc
  .uniqueArray(fc.string({ minLength: 1, maxLength: 4 }), { minLength: 0, maxLength: 30 })
  .chain((items) =>
    fc.tuple(
      fc.constant(items),
      fc.shuffledSubarray(items, { minLength: items.length, maxLength: items.length }),
      fc.array(fc.boolean(), { minLength: items.length, maxLength: items.length }),
    ),
  );

describe('planOrder', () => {
  it('places every item exactly once', () => {
    fc.assert(
      fc.property(scenario, ([current, ranked, pinned]) => {
        const next = planOrder(current, ranked, pinned);
        expect([...next].sort()).toEqual([...current].sort());
      }),
    );
  });

  it('never moves a pinned item', () => {
    fc.assert(
      fc.property(scenario, ([current, ranked, pinned]) => {
        const next = planOrder(current, ranked, pinned);
        current.forEach((item, i) => {
          if (pinned[i]) expect(next[i]).toBe(item);
        });
      }),
    );
  });

  it('fills the free places in the ranked order', () => {
    fc.assert(
      fc.property(scenario, ([current, ranked, pinned]) => {
        const next = planOrder(current, ranked, pinned);
        const fixed = new Set(current.filter((_, i) => pinned[i]));
        expect(next.filter((_, i) => !pinned[i])).toEqual(ranked.filter((item) => !fixed.has(item)));
      }),
    );
  });

  it('with nothing pinned is the ranked order; with everything pinned is unchanged', () => {
    expect(planOrder(['a', 'b', 'c'], ['c', 'a', 'b'], [false, false, false])).toEqual(['c', 'a', 'b']);
    expect(planOrder(['a', 'b', 'c'], ['c', 'a', 'b'], [true, true, true])).toEqual(['a', 'b', 'c']);
    // The first row is on screen: the rest is personalised around it.
    expect(planOrder(['a', 'b', 'c', 'd'], ['d', 'a', 'c', 'b'], [true, false, false, false])).toEqual(['a', 'd', 'c', 'b']);
  });
});
