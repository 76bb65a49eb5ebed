/**
 * The page's packer against the reference validation (`checkCandidates` + `packCandidates`): the
 * same typed error for every bad input, the same features for every good one, and features the
 * worker already holds left out only while it holds them.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CandidatePacker } from '../../src/page/pack';
import { packCandidates } from '../../src/shared/protocol';
import { checkCandidates } from '../../src/shared/validate';

const value = fc.oneof(fc.string({ maxLength: 6 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant(undefined));
const features = fc.oneof(
  fc.record({ category: fc.oneof(fc.string({ maxLength: 5 }), fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 })), price: fc.double({ min: -1, max: 100 }), text: fc.string({ maxLength: 8 }), brand: value, tags: fc.array(value, { maxLength: 3 }), attributes: fc.dictionary(fc.string({ maxLength: 3 }), fc.oneof(value, fc.array(fc.string({ maxLength: 3 }), { maxLength: 2 }))) }, { requiredKeys: [] }),
  value,
  fc.array(value, { maxLength: 2 }),
);
const candidate = fc.oneof(
  fc.record({ id: fc.oneof(fc.constantFrom('a', 'b', 'c', 'd', ''), fc.integer({ min: 0, max: 3 }), fc.double()), score: fc.oneof(fc.constant(undefined), fc.double(), fc.string({ maxLength: 2 })), features: fc.oneof(fc.constant(undefined), features) }, { requiredKeys: ['id'] }),
  value,
);

function outcome(run: () => unknown): unknown {
  try {
    return { ok: run() };
  } catch (error) {
    const e = error as { name: string; code: string; message: string };
    return { name: e.name, code: e.code, message: e.message };
  }
}

/** What the worker would read: `known` candidates take the features it holds from earlier calls. */
function resolve(packed: ReturnType<CandidatePacker['pack']>['packed'], held: Map<string, string | null>) {
  let sent = 0;
  return packed.ids.map((id, i) => {
    const json = packed.known?.[i] ? held.get(id) : (packed.features[packed.known ? sent++ : i] ?? null);
    held.set(id, json ?? null);
    return json;
  });
}

describe('CandidatePacker', () => {
  it('throws what checkCandidates throws, and packs what it packs, over repeated calls', () => {
    fc.assert(
      fc.property(fc.array(fc.array(candidate, { maxLength: 6 }), { minLength: 1, maxLength: 5 }), (calls) => {
        const packer = new CandidatePacker();
        const held = new Map<string, string | null>();
        for (const list of calls) {
          const reference = outcome(() => packCandidates(checkCandidates(list)).packed);
          const fast = outcome(() => packer.pack(list, 1));
          if ('ok' in (reference as object)) {
            const want = (reference as { ok: ReturnType<typeof packCandidates>['packed'] }).ok;
            const got = (fast as { ok: ReturnType<CandidatePacker['pack']> }).ok;
            expect(got.packed.ids).toEqual(want.ids);
            expect(got.packed.scores && Array.from(got.packed.scores)).toEqual(want.scores && Array.from(want.scores));
            expect(resolve(got.packed, held)).toEqual(want.features);
            packer.delivered(got.receipt);
          } else {
            expect(fast).toEqual(reference);
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it('leaves out the features a worker holds, sends changed ones, and all of them for a new worker or after forgetSent', () => {
    const packer = new CandidatePacker();
    const list = [{ id: 'a', features: { category: ['Garden'] } }, { id: 'b', features: { brand: 'Acme' } }, { id: 'c' }];
    const first = packer.pack(list, 1);
    expect(Array.from(first.packed.known!)).toEqual([0, 0, 0]);
    // Not answered yet: nothing counts as held.
    expect(Array.from(packer.pack(list, 1).packed.known!)).toEqual([0, 0, 0]);
    packer.delivered(first.receipt);
    const again = packer.pack([{ id: 'a', features: { category: ['Garden'] } }, { id: 'b', features: { brand: 'Oak' } }, { id: 'c' }], 1);
    expect(Array.from(again.packed.known!)).toEqual([1, 0, 1]);
    expect(again.packed.features).toEqual(['{"brand":"Oak"}']);
    packer.delivered(again.receipt);
    expect(Array.from(packer.pack(list, 2).packed.known!)).toEqual([0, 0, 0]);
    packer.forgetSent();
    expect(Array.from(packer.pack(list, 1).packed.known!)).toEqual([0, 0, 0]);
  });

  it('a features object changed in place is validated again', () => {
    const packer = new CandidatePacker();
    const features: { price: number } = { price: 5 };
    packer.delivered(packer.pack([{ id: 'a', features }], 1).receipt);
    features.price = Number.NaN;
    expect(() => packer.pack([{ id: 'a', features }], 1)).toThrow(expect.objectContaining({ code: 'NON_FINITE' }));
  });
});
