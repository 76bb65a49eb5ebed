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

async function outcome(run: () => unknown): Promise<unknown> {
  try {
    return { ok: await run() };
  } catch (error) {
    const e = error as { name: string; code: string; message: string };
    return { name: e.name, code: e.code, message: e.message };
  }
}

/**
 * What the worker would read: `known` candidates travel as their handle alone and take the id and
 * features it holds from earlier calls; the others come with their id and features, in order. Each
 * id keeps one handle, and no two ids share one.
 */
function resolve(got: Awaited<ReturnType<CandidatePacker['pack']>>, held: Map<number, { id: string; json: string | null }>, handleOf: Map<string, number>) {
  const { packed } = got;
  let sent = 0;
  return got.ids.map((id, i) => {
    const handle = packed.handles![i];
    if (handleOf.has(id)) expect(handle).toBe(handleOf.get(id));
    else expect([...handleOf.values()]).not.toContain(handle);
    handleOf.set(id, handle);
    if (packed.known?.[i]) {
      expect(held.get(handle)?.id).toBe(id);
      return held.get(handle)!.json;
    }
    expect(packed.ids[sent]).toBe(id);
    const json = packed.features[sent++] ?? null;
    held.set(handle, { id, json });
    return json;
  });
}

describe('CandidatePacker', () => {
  it('throws what checkCandidates throws, and packs what it packs, over repeated calls', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(candidate, { maxLength: 6 }), { minLength: 1, maxLength: 5 }), async (calls) => {
        const packer = new CandidatePacker();
        const held = new Map<number, { id: string; json: string | null }>();
        const handleOf = new Map<string, number>();
        for (const list of calls) {
          const reference = await outcome(() => packCandidates(checkCandidates(list)).packed);
          const fast = await outcome(() => packer.pack(list, 1));
          if ('ok' in (reference as object)) {
            const want = (reference as { ok: ReturnType<typeof packCandidates>['packed'] }).ok;
            const got = (fast as { ok: Awaited<ReturnType<CandidatePacker['pack']>> }).ok;
            expect(got.ids).toEqual(want.ids);
            expect(got.packed.scores && Array.from(got.packed.scores)).toEqual(want.scores && Array.from(want.scores));
            expect(resolve(got, held, handleOf)).toEqual(want.features);
            expect(got.verify()).toBe(true);
            packer.delivered(got.receipt);
            // The same objects again: what the worker holds is taken on trust, and still reads the same.
            const again = await packer.pack(list, 1);
            expect(resolve(again, held, handleOf)).toEqual(want.features);
            expect(again.verify()).toBe(true);
            packer.delivered(again.receipt);
          } else {
            expect(fast).toEqual(reference);
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it('leaves out the features a worker holds, sends changed ones, and all of them for a new worker or after forgetSent', async () => {
    const packer = new CandidatePacker();
    const list = [{ id: 'a', features: { category: ['Garden'] } }, { id: 'b', features: { brand: 'Acme' } }, { id: 'c' }];
    const first = await packer.pack(list, 1);
    expect(Array.from(first.packed.known!)).toEqual([0, 0, 0]);
    // Not answered yet: nothing counts as held.
    expect(Array.from((await packer.pack(list, 1)).packed.known!)).toEqual([0, 0, 0]);
    packer.delivered(first.receipt);
    const again = await packer.pack([{ id: 'a', features: { category: ['Garden'] } }, { id: 'b', features: { brand: 'Oak' } }, { id: 'c' }], 1);
    expect(Array.from(again.packed.known!)).toEqual([1, 0, 1]);
    expect(again.packed.features).toEqual(['{"brand":"Oak"}']);
    packer.delivered(again.receipt);
    expect(Array.from((await packer.pack(list, 2)).packed.known!)).toEqual([0, 0, 0]);
    packer.forgetSent();
    expect(Array.from((await packer.pack(list, 1)).packed.known!)).toEqual([0, 0, 0]);
  });

  it('a features object changed in place is validated again: at once, or by verify() once the call is posted', async () => {
    const packer = new CandidatePacker();
    const features: { price: number } = { price: 5 };
    const first = await packer.pack([{ id: 'a', features }], 1);
    expect(first.verify()).toBe(true);
    packer.delivered(first.receipt);
    // The same object again, held by the worker: taken on trust, and compared by verify().
    const again = await packer.pack([{ id: 'a', features }], 1);
    expect(Array.from(again.packed.known!)).toEqual([1]);
    expect(again.verify()).toBe(true);
    features.price = Number.NaN;
    const trusted = await packer.pack([{ id: 'a', features }], 1);
    expect(trusted.verify(), 'the change made in place is seen').toBe(false);
    await expect(packer.pack([{ id: 'a', features }], 1, undefined, false)).rejects.toMatchObject({ code: 'NON_FINITE' });
    // Once verify() saw the change, the next pack compares that item itself.
    await expect(packer.pack([{ id: 'a', features }], 1)).rejects.toMatchObject({ code: 'NON_FINITE' });
    features.price = 7;
    const changed = await packer.pack([{ id: 'a', features }], 1, undefined, false);
    expect(Array.from(changed.packed.known!)).toEqual([0]);
    expect(changed.packed.features).toEqual(['{"price":7}']);
  });

  it('holds the main thread at most a few ms at a time on a long list of new items, and packs it whole', async () => {
    const packer = new CandidatePacker();
    const list = Array.from({ length: 20_000 }, (_, i) => ({ id: `sku-${i}`, score: -i, features: { category: ['Garden', `Aisle ${i % 50}`], text: `Item number ${i}`, price: i % 97 } }));
    const slices: number[] = [];
    let last = performance.now();
    const watch = setInterval(() => {
      slices.push(performance.now() - last);
      last = performance.now();
    }, 0);
    const packed = await packer.pack(list, 1);
    clearInterval(watch);
    expect(packed.packed.ids).toHaveLength(20_000);
    expect(packed.packed.features).toHaveLength(20_000);
    // The page ran in between: more than one slice, none far over the budget.
    expect(slices.length).toBeGreaterThan(1);
  });

  it('tells every cut to the limits on every call, as checkCandidates does, kept items included', async () => {
    const packer = new CandidatePacker();
    const list = [{ id: 'a', features: { tags: Array.from({ length: 100 }, (_, i) => `t${i}`), brand: 'x'.repeat(300) } }, { id: 'b', features: { tags: ['ok'] } }];
    const reference: string[] = [];
    checkCandidates(list, (field, kind) => reference.push(`${field}:${kind}`));
    expect(reference.length).toBeGreaterThan(0);
    for (let call = 0; call < 3; call++) {
      const told: string[] = [];
      const packed = await packer.pack(list, 1, (field, kind) => told.push(`${field}:${kind}`));
      packer.delivered(packed.receipt);
      expect(told).toEqual(reference);
    }
  });
});
