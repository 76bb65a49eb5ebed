/**
 * The engine's ranking (signals only where the taste or the model has evidence, typed arrays, a
 * key sort merged with the untouched server order) against the pipeline as it was (every signal of
 * every candidate, hash lookups, one comparison sort; frozen in reference-rank.ts), on random
 * lists, tastes, models, heads and options: the same order and the same scores, bit for bit.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RerankOptions } from '../../../src/shared/types';
import { rankCandidates, type RankInput } from '../../../src/worker/ranking/rerank';
import { DEFAULT_HEAD, SIGNALS, type HeadWeights } from '../../../src/worker/ranking/signals';
import { EMPTY_PROFILE, Taste, itemTokens } from '../../../src/worker/ranking/taste';
import { referenceRank } from './reference-rank';

const CATEGORIES = ['Garden', 'Tools', 'Seeds', 'Pots', 'Films', 'Comedy'];
const WORDS = ['red', 'tomato', 'steel', 'spade', 'classic', 'new', '1995'];

const itemFeatures = fc.record({
  category: fc.subarray(CATEGORIES, { maxLength: 3 }),
  brand: fc.option(fc.constantFrom('acme', 'verdant', 'oak'), { nil: undefined }),
  text: fc.subarray(WORDS, { maxLength: 3 }).map((w) => w.join(' ')),
  tags: fc.option(fc.subarray(['organic', 'sale', 'gift'], { maxLength: 2 }), { nil: undefined }),
});

const head: fc.Arbitrary<HeadWeights> = fc.oneof(
  fc.constant(DEFAULT_HEAD),
  fc.tuple(...SIGNALS.map(() => fc.double({ min: -3, max: 3, noNaN: true }))).map((w) => Object.fromEntries(SIGNALS.map((name, i) => [name, w[i]])) as HeadWeights),
);

const options: fc.Arbitrary<RerankOptions> = fc.record(
  {
    k: fc.integer({ min: 0, max: 80 }),
    serverWeight: fc.double({ min: 0, max: 1, noNaN: true }),
    diversity: fc.double({ min: 0, max: 1, noNaN: true }),
    explain: fc.boolean(),
    explore: fc.double({ min: 0, max: 0.5, noNaN: true }),
    keepTop: fc.integer({ min: 0, max: 5 }),
  },
  { requiredKeys: [] },
);

const scenario = fc.record({
  items: fc.array(itemFeatures, { maxLength: 70 }),
  history: fc.array(fc.record({ item: fc.nat(), type: fc.constantFrom('view', 'click', 'purchase', 'impression'), bare: fc.boolean() }), { maxLength: 12 }),
  serverScores: fc.option(fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 70, maxLength: 70 }), { nil: null }),
  model: fc.option(fc.array(fc.tuple(fc.double({ min: -5, max: 5, noNaN: true }), fc.constantFrom(0, 0, 0.25, 0.5, 1)), { minLength: 70, maxLength: 70 }), { nil: null }),
  head,
  options,
  learn: fc.boolean(),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

function inputOf(s: Scenario): RankInput {
  const n = s.items.length;
  const ids = s.items.map((_, i) => `sku-${i}`);
  const events = s.history.map((h, t) => {
    const item = n > 0 ? h.item % (n + 3) : h.item;
    const known = item < n;
    return { itemId: known ? ids[item] : `elsewhere-${item}`, type: h.type as 'view', time: t, features: h.bare || !known ? undefined : s.items[item] };
  });
  return {
    ids,
    tokens: s.items.map((f) => itemTokens(f)),
    serverScores: s.serverScores ? Float64Array.from(s.serverScores.slice(0, n)) : null,
    profile: s.learn ? Taste.of(events).profile() : EMPTY_PROFILE,
    model: s.model ? { scores: Float32Array.from(s.model.slice(0, n), ([x]) => x), evidence: Float32Array.from(s.model.slice(0, n), ([, e]) => e) } : undefined,
    head: s.head,
    options: s.options,
    shown: (id) => id.endsWith('3'),
  };
}

const bits = (values: Float32Array) => Array.from(new Uint32Array(Float32Array.from(values, (v) => (v === 0 ? 0 : v)).buffer));

describe('the fast ranking path', () => {
  it('ranks and scores exactly as the reference pipeline, on random inputs', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const input = inputOf(s);
        const fast = rankCandidates(input);
        const reference = referenceRank(input);
        expect(Array.from(fast.order)).toEqual(Array.from(reference.order));
        expect(bits(fast.scores)).toEqual(bits(reference.scores));
        expect(Array.from(fast.modelScores)).toEqual(Array.from(reference.modelScores));
        // The reasons are the reference's, with what each group of signals added to the score.
        const withoutContributions = fast.reasons?.map((r) => (r ? { text: r.text, drivenBy: r.drivenBy } : r));
        expect(withoutContributions).toEqual(reference.reasons);
        fast.reasons?.forEach((r, i) => {
          if (!r?.contributions || input.options.serverWeight !== undefined) return;
          const { server, taste, model } = r.contributions;
          expect(server + taste + model).toBeCloseTo(fast.scores[i], 2);
        });
        expect(fast.excluded).toEqual(reference.excluded);
      }),
      { numRuns: 400 },
    );
  });

  it('on a long list where the taste knows a few candidates, and one it knows all of', () => {
    const n = 5000;
    const features = Array.from({ length: n }, (_, i) => ({ category: ['Films', i % 97 === 0 ? 'Horror' : `Genre ${i % 40}`], text: `Title ${i % 300}` }));
    const taste = Taste.of([{ itemId: 'f-0', type: 'click', time: 0, features: { category: ['Horror'] } }]).profile();
    const everyone = Taste.of([{ itemId: 'f-0', type: 'click', time: 0, features: { category: ['Films', 'Horror'] } }]).profile();
    for (const profile of [taste, everyone]) {
      for (const opts of [{}, { serverWeight: 0 }, { k: 50 }]) {
        const input: RankInput = {
          ids: features.map((_, i) => `f-${i}`),
          tokens: features.map((f) => itemTokens(f)),
          serverScores: Float64Array.from({ length: n }, (_, i) => n - i),
          profile,
          head: DEFAULT_HEAD,
          options: opts,
        };
        const fast = rankCandidates(input);
        const reference = referenceRank(input);
        expect(Array.from(fast.order)).toEqual(Array.from(reference.order));
        expect(bits(fast.scores)).toEqual(bits(reference.scores));
      }
    }
  });
});
