/**
 * Every rule holds in every result: over random candidates, rules, model scores and tastes, the
 * personalised ranking (`rankCandidates`), the worker's server order (`serverRanking`, no evidence)
 * and the page's answer without the worker (`serverOrderResult`: failures and the holdout's control
 * arm) all satisfy each rule, checked here from its documented meaning, not from the engine's code.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { serverOrderResult } from '../../../src/shared/fallback';
import type { FieldValue, GroupCap, ItemFeatures, ItemMatch, RerankOptions, WeightedMatch } from '../../../src/shared/types';
import { rankCandidates, serverOrderOf, serverRanking } from '../../../src/worker/ranking/rerank';
import { DEFAULT_HEAD } from '../../../src/worker/ranking/signals';
import { EMPTY_PROFILE, Taste, itemTokens } from '../../../src/worker/ranking/taste';

const BRANDS = ['Acme', 'Bolt', 'Cora'];
const KINDS = ['Seeds', 'Tools', 'Pots'];

const featuresArb: fc.Arbitrary<ItemFeatures | undefined> = fc.option(
  fc.record(
    {
      brand: fc.constantFrom(...BRANDS),
      price: fc.integer({ min: 0, max: 100 }),
      category: fc.constantFrom(...KINDS).map((k) => ['Garden', k]),
      attributes: fc.record({ inStock: fc.boolean() }),
    },
    { requiredKeys: [] },
  ),
  { nil: undefined, freq: 6 },
);

const FIELDS = ['brand', 'price', 'category', 'inStock', 'id'] as const;
const valueFor = (field: (typeof FIELDS)[number]): fc.Arbitrary<FieldValue> =>
  field === 'brand'
    ? fc.constantFrom(...BRANDS, 'acme ')
    : field === 'price'
      ? fc.integer({ min: 0, max: 100 })
      : field === 'category'
        ? fc.constantFrom(...KINDS, 'Garden > Tools', 'garden')
        : field === 'inStock'
          ? fc.constantFrom(true, false, 'false')
          : fc.integer({ min: 0, max: 30 }).map((i) => `c${i}`);

const matchArb: fc.Arbitrary<ItemMatch> = fc.constantFrom(...FIELDS).chain((field) =>
  fc.oneof(
    valueFor(field).map((equals) => ({ field, equals })),
    fc.array(valueFor(field), { minLength: 1, maxLength: 3 }).map((oneOf) => ({ field, oneOf })),
    fc.tuple(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 60 })).map(([min, span]) => ({ field, min, max: min + span })),
  ),
);
const weightedArb: fc.Arbitrary<WeightedMatch> = fc.tuple(matchArb, fc.option(fc.constantFrom(0, 0.2, 0.5, 1, 0.75), { nil: undefined })).map(([m, weight]) =>
  weight === undefined ? m : { ...m, weight },
);
const capArb: fc.Arbitrary<GroupCap> = fc.record(
  { field: fc.constantFrom('brand', 'category', 'inStock'), max: fc.integer({ min: 0, max: 3 }), within: fc.integer({ min: 1, max: 30 }) },
  { requiredKeys: ['field', 'max'] },
);

const rulesArb: fc.Arbitrary<RerankOptions> = fc.record(
  {
    exclude: fc.array(fc.oneof(fc.integer({ min: 0, max: 30 }).map((i) => `c${i}`), matchArb), { maxLength: 3 }),
    keepTop: fc.integer({ min: 0, max: 8 }),
    pin: fc.dictionary(fc.integer({ min: 0, max: 30 }).map((i) => `c${i}`), fc.oneof(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 35 })), { maxKeys: 5 }),
    boost: fc.array(weightedArb, { maxLength: 2 }),
    bury: fc.array(weightedArb, { maxLength: 2 }),
    maxPerGroup: fc.oneof(capArb, fc.array(capArb, { maxLength: 2 })),
  },
  { requiredKeys: [] },
);

const pipelineArb = fc.record(
  {
    k: fc.integer({ min: 0, max: 40 }),
    diversity: fc.double({ min: 0, max: 1, noNaN: true }),
    serverWeight: fc.double({ min: 0, max: 1, noNaN: true }),
    explore: fc.constantFrom(0.1, 0.25, 0.5),
    explain: fc.boolean(),
  },
  { requiredKeys: [] },
);

const caseArb = fc
  .integer({ min: 0, max: 30 })
  .chain((n) =>
    fc.record({
      features: fc.array(featuresArb, { minLength: n, maxLength: n }),
      serverScores: fc.option(fc.array(fc.integer({ min: -5, max: 5 }), { minLength: n, maxLength: n }), { nil: null }),
      model: fc.option(
        fc.record({
          scores: fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: n, maxLength: n }),
          evidence: fc.array(fc.constantFrom(0, 0.5, 1), { minLength: n, maxLength: n }),
        }),
        { nil: undefined },
      ),
      tasted: fc.boolean(),
      rules: rulesArb,
      pipeline: pipelineArb,
    }),
  );

// ---- each rule, from its meaning ----

function norm(v: unknown): string {
  return String(v).toLowerCase().replace(/\s*>\s*/g, '>').trim();
}

function valuesOf(field: string, id: string, f: ItemFeatures | undefined): string[] | undefined {
  if (field === 'id') return [norm(id)];
  if (!f) return undefined;
  if (field === 'inStock') return f.attributes?.inStock === undefined ? undefined : [norm(f.attributes.inStock)];
  if (field === 'category') return f.category ? [...(f.category as string[]).map(norm), norm((f.category as string[]).join('>'))] : undefined;
  const v = f[field as 'brand' | 'price'];
  return v === undefined ? undefined : [norm(v)];
}

function holds(m: ItemMatch, id: string, f: ItemFeatures | undefined): boolean {
  const values = valuesOf(m.field, id, f);
  if (!values) return false;
  if (m.equals !== undefined && !values.includes(norm(m.equals))) return false;
  if (m.oneOf && !m.oneOf.some((v) => values.includes(norm(v)))) return false;
  if (m.min !== undefined || m.max !== undefined) return values.some((v) => v !== '' && Number(v) >= (m.min ?? -Infinity) && Number(v) <= (m.max ?? Infinity));
  return true;
}

function groupOf(field: string, id: string, f: ItemFeatures | undefined): string | null {
  const values = valuesOf(field, id, f);
  if (!values) return null;
  return field === 'category' ? values[values.length - 1] : values.join('|');
}

interface Outcome {
  /** Candidate indices, best first. */
  order: number[];
  /** Excluded candidate indices with the entry that matched. */
  excluded: Array<{ index: number; rule: number }>;
}

/**
 * Asserts every rule of `options` on `outcome`. `base` is the order the rules were applied to (the
 * ranking without rules, or the server's order), `server` the server's order.
 */
function assertRules(outcome: Outcome, ids: string[], features: Array<ItemFeatures | undefined>, options: RerankOptions, base: number[], server: number[]): void {
  const n = ids.length;
  const { order, excluded } = outcome;
  // Every candidate exactly once: in the order or excluded.
  expect([...order, ...excluded.map((e) => e.index)].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));

  // exclude: exactly the candidates an entry names, each with the first entry that does, in the server's order.
  const entries = options.exclude ?? [];
  const expected = server
    .map((i) => ({ index: i, rule: entries.findIndex((e) => (typeof e === 'object' ? holds(e, ids[i], features[i]) : String(e) === ids[i])) }))
    .filter((e) => e.rule >= 0);
  expect(excluded).toEqual(expected);

  const kept = new Set(order);
  const serverKept = server.filter((i) => kept.has(i));
  const m = order.length;

  // keepTop: the server's first positions, in its order.
  const top = Math.min(options.keepTop ?? 0, m);
  expect(order.slice(0, top)).toEqual(serverKept.slice(0, top));

  // pin: at its position (the last one beyond the list); pins that collide are settled in the
  // server's order, the later one taking the next free position, else the last free one before.
  const indexOf = new Map(ids.map((id, i) => [id, i]));
  const taken = new Set(Array.from({ length: top }, (_, p) => p));
  const pins = Object.entries(options.pin ?? {})
    .map(([id, p]) => [indexOf.get(id) ?? -1, Math.min(p, m - 1)] as const)
    .filter(([i]) => kept.has(i) && !serverKept.slice(0, top).includes(i))
    .sort((a, b) => a[1] - b[1] || serverKept.indexOf(a[0]) - serverKept.indexOf(b[0]));
  for (const [i, p] of pins) {
    let at = p;
    while (taken.has(at) && at < m) at++;
    if (at === m) for (at = p; taken.has(at); at--);
    taken.add(at);
    expect(order[at], `${ids[i]} pinned at ${p}`).toBe(i);
  }
  const pinned = new Set(pins.map(([i]) => i));
  const fixed = (i: number) => pinned.has(i) || serverKept.slice(0, top).includes(i);

  // maxPerGroup: where a free item goes beyond a cap, no free item placed later was allowed there.
  const caps = options.maxPerGroup ? (Array.isArray(options.maxPerGroup) ? options.maxPerGroup : [options.maxPerGroup as GroupCap]) : [];
  const allowed = (y: number, p: number): boolean =>
    caps.every((cap) => {
      const within = Math.min(cap.within ?? m, m);
      const g = groupOf(cap.field, ids[y], features[y]);
      if (p >= within || g === null) return true;
      let count = 0;
      for (let q = 0; q < within; q++) if ((q < p || fixed(order[q])) && groupOf(cap.field, ids[order[q]], features[order[q]]) === g) count++;
      return count < cap.max;
    });
  for (let p = 0; p < m; p++) {
    if (fixed(order[p]) || allowed(order[p], p)) continue;
    for (let q = p + 1; q < m; q++) if (!fixed(order[q])) expect(allowed(order[q], p), `cap broken at ${p} while ${ids[order[q]]} fit`).toBe(false);
  }

  // boost / bury (without caps, which may override them): free items by place + net weight.
  if (caps.length === 0) {
    const ranked = base.filter((i) => kept.has(i));
    const lift = (i: number) => {
      let w = 0;
      for (const b of options.boost ?? []) if (holds(b, ids[i], features[i])) w += b.weight ?? 0.5;
      for (const b of options.bury ?? []) if (holds(b, ids[i], features[i])) w -= b.weight ?? 0.5;
      return Math.max(-1, Math.min(1, w));
    };
    const value = (i: number) => 1 - ranked.indexOf(i) / m + lift(i);
    const free = order.filter((i) => !fixed(i));
    for (let j = 1; j < free.length; j++) {
      const [a, b] = [free[j - 1], free[j]];
      expect(value(a) > value(b) || (value(a) === value(b) && ranked.indexOf(a) < ranked.indexOf(b)), `${ids[a]} before ${ids[b]}`).toBe(true);
    }
  }
}

const clicked = Taste.of([
  { itemId: 'x1', type: 'click', time: 1, features: { brand: 'Acme', category: ['Garden', 'Tools'] } },
  { itemId: 'c3', type: 'purchase', time: 2, features: { brand: 'Bolt' } },
]).profile();

describe('rules hold in every result', () => {
  it('in the personalised ranking, the server order without evidence, and the page fallback', () => {
    fc.assert(
      fc.property(caseArb, ({ features, serverScores, model, tasted, rules, pipeline }) => {
        const n = features.length;
        const ids = Array.from({ length: n }, (_, i) => `c${i}`);
        const options = { ...pipeline, ...rules };
        const server = Array.from(serverOrderOf(serverScores, n));
        const input = {
          ids,
          tokens: features.map((f) => itemTokens(f)),
          serverScores,
          profile: tasted ? clicked : EMPTY_PROFILE,
          model: model && { scores: Float32Array.from(model.scores), evidence: Float32Array.from(model.evidence) },
          head: DEFAULT_HEAD,
          features: (i: number) => features[i],
          shown: (id: string) => id === 'c3',
        };

        // The personalised pipeline: the rules over the ranking it makes without them.
        const base = Array.from(rankCandidates({ ...input, options: pipeline }).order);
        const ranked = rankCandidates({ ...input, options });
        assertRules({ order: Array.from(ranked.order), excluded: ranked.excluded ?? [] }, ids, features, options, base, server);

        // The worker's server order (no evidence yet).
        const plain = serverRanking(serverScores, n, { ids, features: (i) => features[i], options });
        assertRules({ order: Array.from(plain.order), excluded: plain.excluded ?? [] }, ids, features, options, server, server);

        // The page's answer without the worker: a failure, or the holdout's control arm.
        const candidates = ids.map((id, i) => ({ id, ...(serverScores ? { score: serverScores[i] } : {}), ...(features[i] ? { features: features[i] } : {}) }));
        for (const arm of ['treatment', 'control'] as const) {
          const result = serverOrderResult(candidates, { code: arm === 'control' ? 'HOLDOUT' : 'TIMEOUT', message: '' }, options, arm);
          expect(result.arm).toBe(arm);
          const outcome = { order: result.items.map((item) => item.serverRank), excluded: (result.excluded ?? []).map((e) => ({ index: e.serverRank, rule: e.rule })) };
          assertRules(outcome, ids, features, options, server, server);
          // The same answer as the worker's server order.
          expect(result.items.map((item) => item.id)).toEqual(Array.from(plain.order, (i) => ids[i]));
        }
      }),
      { numRuns: 400 },
    );
  });
});
