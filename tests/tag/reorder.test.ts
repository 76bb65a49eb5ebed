import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planOrder, rearrange } from '../../src/tag/reorder';
import { FakeParent } from './fake-dom';

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

/**
 * A container's children: movable units (`u…`) among children that stay (`x…`: banners, pinned
 * tiles), and a new order for the movable ones.
 */
const layout = fc
  .array(fc.boolean(), { minLength: 0, maxLength: 40 })
  .chain((movable) => {
    const names = movable.map((m, i) => (m ? `u${i}` : `x${i}`));
    const units = names.filter((n) => n.startsWith('u'));
    return fc.tuple(fc.constant(names), fc.shuffledSubarray(units, { minLength: units.length, maxLength: units.length }));
  });

function run(names: string[], target: string[]) {
  const parent = new FakeParent(names);
  const free = new Set(parent.kids.filter((kid) => kid.name.startsWith('u')));
  const steps = rearrange(parent as unknown as Element, free as unknown as Set<Element>, target.map((n) => parent.get(n)) as unknown as Element[]);
  return { parent, steps };
}

describe('rearrange', () => {
  it('puts the movable units in the target order and leaves every other child in its place', () => {
    fc.assert(
      fc.property(layout, ([names, target]) => {
        const { parent, steps } = run(names, target);
        for (const _ of steps);
        let next = 0;
        expect(parent.names()).toEqual(names.map((n) => (n.startsWith('u') ? target[next++] : n)));
      }),
    );
  });

  it('leaves the list whole after every step: fixed children in place, the places so far final', () => {
    fc.assert(
      fc.property(layout, ([names, target]) => {
        const { parent, steps } = run(names, target);
        let done = 0;
        for (const _ of steps) {
          done++;
          const now = parent.names();
          names.forEach((n, i) => {
            if (!n.startsWith('u')) expect(now[i]).toBe(n);
          });
          expect(now.filter((n) => n.startsWith('u')).slice(0, done)).toEqual(target.slice(0, done));
        }
      }),
    );
  });

  it('moves each unit at most once, plus one move per fixed run a move crosses', () => {
    fc.assert(
      fc.property(layout, ([names, target]) => {
        const { parent, steps } = run(names, target);
        for (const _ of steps);
        const runs = names.filter((n, i) => !n.startsWith('u') && !names[i - 1]?.startsWith('x')).length;
        expect(parent.moves).toBeLessThanOrEqual(target.length * (1 + runs));
      }),
    );
  });

  it('an order close to the old one costs few moves: one item raised is one move', () => {
    const names = Array.from({ length: 12 }, (_, i) => `u${i}`);
    const { parent, steps } = run(names, ['u9', ...names.filter((n) => n !== 'u9')]);
    for (const _ of steps);
    expect(parent.moves).toBe(1);
    expect(parent.names()[0]).toBe('u9');
  });
});
