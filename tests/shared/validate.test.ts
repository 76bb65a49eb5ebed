import { describe, expect, it } from 'vitest';
import { LocalrankError } from '../../src/shared/errors';
import { LIMITS } from '../../src/shared/limits';
import { checkCandidates, checkRerankOptions, checkTrackEvents } from '../../src/shared/validate';

let n = 0;
const newId = () => `e${n++}`;

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(LocalrankError);
    return (error as LocalrankError).code;
  }
  return undefined;
}

describe('checkTrackEvents', () => {
  it('normalises a valid event, filling time and id and stringifying numeric ids', () => {
    const [e] = checkTrackEvents({ type: 'click', itemId: 42, features: { category: 'Shoes', price: 10, extra: 1 } }, 1000, () => 'x');
    expect(e).toEqual({ id: 'x', type: 'click', itemId: '42', time: 1000, features: { category: ['Shoes'], price: 10 } });
  });

  it('refuses bad events with stable codes', () => {
    expect(codeOf(() => checkTrackEvents({ type: 'like', itemId: 'a' }, 0, newId))).toBe('UNKNOWN_EVENT_TYPE');
    expect(codeOf(() => checkTrackEvents({ type: 'click' }, 0, newId))).toBe('MISSING_ID');
    expect(codeOf(() => checkTrackEvents({ type: 'click', itemId: '' }, 0, newId))).toBe('MISSING_ID');
    expect(codeOf(() => checkTrackEvents({ type: 'click', itemId: 'a', dwellMs: NaN }, 0, newId))).toBe('NON_FINITE');
    expect(codeOf(() => checkTrackEvents({ type: 'click', itemId: 'a', time: Infinity }, 0, newId))).toBe('NON_FINITE');
    expect(codeOf(() => checkTrackEvents({ type: 'click', itemId: 'a', features: { price: -1 } }, 0, newId))).toBe('INVALID_EVENT');
    expect(codeOf(() => checkTrackEvents('click', 0, newId))).toBe('INVALID_EVENT');
    const many = Array.from({ length: LIMITS.maxEventsPerBatch + 1 }, () => ({ type: 'view', itemId: 'a' }));
    expect(codeOf(() => checkTrackEvents(many, 0, newId))).toBe('BATCH_TOO_LARGE');
  });

  it('rejects the whole batch when one event is bad', () => {
    expect(codeOf(() => checkTrackEvents([{ type: 'view', itemId: 'a' }, { type: 'nope', itemId: 'b' }], 0, newId))).toBe(
      'UNKNOWN_EVENT_TYPE',
    );
  });

  it('keeps the first characters of long text, however long', () => {
    for (const length of [5000, 1_000_000]) {
      const [e] = checkTrackEvents({ type: 'view', itemId: 'a', features: { text: 'x'.repeat(length) } }, 0, newId);
      expect(e.features?.text?.length).toBe(LIMITS.maxTextLength);
    }
  });

  it('cuts feature lists over their limit and leaves out values over the id length, instead of refusing the event', () => {
    const cuts: string[] = [];
    const tags = Array.from({ length: 625 }, (_, i) => `tag ${i}`);
    const attributes = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`a${i}`, i % 2 ? `v${i}` : [`x${i}`, `y${i}`]]));
    const category = Array.from({ length: 40 }, (_, i) => `level ${i}`);
    const [e] = checkTrackEvents(
      { type: 'view', itemId: 'a', features: { tags: ['x'.repeat(300), ...tags], category, attributes, brand: 'b'.repeat(300) } },
      0,
      newId,
      (field, kind) => cuts.push(`${field} ${kind}`),
    );
    expect(e.features?.tags).toEqual(tags.slice(0, LIMITS.maxTags));
    expect(e.features?.category).toEqual(category.slice(0, LIMITS.maxCategories));
    expect(e.features?.brand).toBeUndefined();
    const values = Object.values(e.features?.attributes ?? {}).flat();
    expect(values).toHaveLength(LIMITS.maxAttributes);
    expect(Object.keys(e.features?.attributes ?? {}).slice(0, 3)).toEqual(['a0', 'a1', 'a2']);
    expect(cuts.sort()).toEqual(['attributes list', 'brand value', 'category list', 'tags list', 'tags value']);
  });

  it('refuses feature values it cannot read: wrong types and non-finite numbers', () => {
    expect(codeOf(() => checkTrackEvents({ type: 'view', itemId: 'a', features: { tags: [...Array(100).fill('t'), 7] } }, 0, newId))).toBe('INVALID_EVENT');
    expect(codeOf(() => checkTrackEvents({ type: 'view', itemId: 'a', features: { tags: 'a,b' } }, 0, newId))).toBe('INVALID_EVENT');
    expect(codeOf(() => checkTrackEvents({ type: 'view', itemId: 'a', features: { attributes: { size: NaN } } }, 0, newId))).toBe('NON_FINITE');
    expect(codeOf(() => checkTrackEvents({ type: 'view', itemId: 'a', features: { category: [{}] } }, 0, newId))).toBe('INVALID_EVENT');
    // A hole in a sparse list is not a value: refused, never stored as a hole.
    expect(codeOf(() => checkTrackEvents({ type: 'view', itemId: 'a', features: { tags: new Array(3) } }, 0, newId))).toBe('INVALID_EVENT');
    expect(codeOf(() => checkCandidates([{ id: 'a', features: { category: [, 'b'] } }]))).toBe('INVALID_CANDIDATES');
  });
});

describe('checkCandidates', () => {
  it('keeps order, converts embeddings to Float32Array and drops unknown fields', () => {
    const out = checkCandidates([{ id: 'a', score: 2, embedding: [1, 2] }, { id: 7, extra: true }]);
    expect(out.map((c) => c.id)).toEqual(['a', '7']);
    expect(out[0].embedding).toBeInstanceOf(Float32Array);
    expect(out[1]).toEqual({ id: '7' });
  });

  it('refuses duplicates, missing ids, non-finite scores and non-arrays', () => {
    expect(codeOf(() => checkCandidates([{ id: 'a' }, { id: 'a' }]))).toBe('DUPLICATE_ID');
    expect(codeOf(() => checkCandidates([{ score: 1 }]))).toBe('MISSING_ID');
    expect(codeOf(() => checkCandidates([{ id: 'a', score: NaN }]))).toBe('NON_FINITE');
    expect(codeOf(() => checkCandidates([{ id: 'a', embedding: [1, Infinity] }]))).toBe('NON_FINITE');
    expect(codeOf(() => checkCandidates({ id: 'a' }))).toBe('INVALID_CANDIDATES');
  });

  it('checks rerank options ranges; every bad option is INVALID_OPTIONS', () => {
    expect(checkRerankOptions({ k: 3.7, serverWeight: 0.5 })).toEqual({ k: 3, serverWeight: 0.5 });
    for (const bad of [{ serverWeight: 2 }, { serverWeight: -0.5 }, { diversity: -1 }, { k: -1 }, { k: '5' }, { k: NaN }, { k: Infinity }, { diversity: '0.5' }, 'fast', [1]]) {
      expect(codeOf(() => checkRerankOptions(bad)), JSON.stringify(bad)).toBe('INVALID_OPTIONS');
    }
  });

  it('checks the rules and explore; a bad rule is INVALID_OPTIONS', () => {
    const rules = {
      explore: 0.1,
      keepTop: 2.9,
      pin: { a: 3.2 },
      exclude: ['a', 7, { field: 'inStock', equals: false, note: 'ignored' }],
      boost: [{ field: 'brand', oneOf: ['Acme', 'Bolt'], weight: 0.5 }],
      bury: [{ field: 'price', min: 100 }],
      maxPerGroup: { field: 'brand', max: 2, within: 10 },
    };
    expect(checkRerankOptions(rules)).toEqual({
      explore: 0.1,
      keepTop: 2,
      pin: { a: 3 },
      exclude: ['a', '7', { field: 'inStock', equals: false }],
      boost: [{ field: 'brand', oneOf: ['Acme', 'Bolt'], weight: 0.5 }],
      bury: [{ field: 'price', min: 100 }],
      maxPerGroup: { field: 'brand', max: 2, within: 10 },
    });
    expect(checkRerankOptions({ maxPerGroup: [{ field: 'brand', max: 1 }] })).toEqual({ maxPerGroup: [{ field: 'brand', max: 1 }] });
    for (const bad of [
      { explore: 0.6 },
      { keepTop: -1 },
      { pin: [] },
      { pin: { a: -1 } },
      { pin: { a: '1' } },
      { exclude: 'a' },
      { exclude: [''] },
      { exclude: [{ field: 'brand' }] },
      { exclude: [{ field: '', equals: 'x' }] },
      { exclude: [{ field: 'brand', equals: {} }] },
      { exclude: [{ field: 'price', min: NaN }] },
      { boost: [{ field: 'brand', equals: 'x', weight: 2 }] },
      { bury: [{ field: 'brand', oneOf: 'x' }] },
      { maxPerGroup: { field: 'brand' } },
      { maxPerGroup: { field: 'brand', max: 1, within: 0 } },
      { maxPerGroup: [null] },
      { boost: Array.from({ length: 101 }, () => ({ field: 'brand', equals: 'x' })) },
    ]) {
      expect(codeOf(() => checkRerankOptions(bad)), JSON.stringify(bad).slice(0, 80)).toBe('INVALID_OPTIONS');
    }
  });

  it('cuts a candidate\'s long feature lists; the other candidates are untouched', () => {
    const tags = Array.from({ length: 65 }, (_, i) => `t${i}`);
    const out = checkCandidates([{ id: 'a', features: { tags } }, { id: 'b', features: { tags: ['x'] } }]);
    expect(out.map((c) => c.id)).toEqual(['a', 'b']);
    expect(out[0].features?.tags).toEqual(tags.slice(0, LIMITS.maxTags));
    expect(out[1].features?.tags).toEqual(['x']);
  });

  it('says INVALID_CANDIDATES for anything wrong with a candidate that is not a number or an id', () => {
    expect(codeOf(() => checkCandidates([{ id: 'x'.repeat(LIMITS.maxIdLength + 1) }]))).toBe('INVALID_CANDIDATES');
    expect(codeOf(() => checkCandidates([{ id: 'a', score: '3' }]))).toBe('INVALID_CANDIDATES');
    for (const features of ['shoes', { tags: 'a' }, { tags: [1] }, { category: [null] }, { brand: 3 }, { text: [] }, { price: -1 }, { price: '3' }, { attributes: [] }, { attributes: { a: {} } }]) {
      expect(codeOf(() => checkCandidates([{ id: 'a', features }])), JSON.stringify(features)).toBe('INVALID_CANDIDATES');
    }
    expect(codeOf(() => checkCandidates([{ id: 'a', features: { price: NaN } }]))).toBe('NON_FINITE');
    expect(codeOf(() => checkTrackEvents({ type: 'view', itemId: 'x'.repeat(LIMITS.maxIdLength + 1) }, 0, newId))).toBe('INVALID_EVENT');
  });

  it('refuses numbers beyond the float32 range (they would be Infinity in the model)', () => {
    expect(codeOf(() => checkCandidates([{ id: 'c', score: 1e39 }]))).toBe('NON_FINITE');
    expect(codeOf(() => checkCandidates([{ id: 'c', score: -1e39 }]))).toBe('NON_FINITE');
    expect(codeOf(() => checkCandidates([{ id: 'c', embedding: [1, 3.5e38] }]))).toBe('NON_FINITE');
    expect(codeOf(() => checkTrackEvents({ type: 'view', itemId: 'a', features: { price: 1e39 } }, 0, newId))).toBe('NON_FINITE');
    expect(checkCandidates([{ id: 'c', score: 3.4e38 }])[0].score).toBe(3.4e38);
  });
});

describe('a revoked Proxy or a throwing trap anywhere', () => {
  function revoked(): object {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    return proxy;
  }
  const throwing = new Proxy([], { get() { throw new Error('trap'); } });

  it('is a typed error of the call it was passed to, never a raw TypeError', () => {
    expect(codeOf(() => checkTrackEvents(revoked(), 0, newId))).toBe('INVALID_EVENT');
    expect(codeOf(() => checkTrackEvents(throwing, 0, newId))).toBe('INVALID_EVENT');
    expect(codeOf(() => checkCandidates(revoked()))).toBe('INVALID_CANDIDATES');
    expect(codeOf(() => checkCandidates(throwing))).toBe('INVALID_CANDIDATES');
    expect(codeOf(() => checkRerankOptions(revoked()))).toBe('INVALID_OPTIONS');
    expect(codeOf(() => checkRerankOptions({ get k() { throw new Error('getter'); } }))).toBe('INVALID_OPTIONS');
  });
});

describe('event time', () => {
  it('accepts past times and a little clock skew, refuses the far future', () => {
    const now = 1_700_000_000_000;
    expect(checkTrackEvents({ type: 'view', itemId: 'a', time: now - 1 }, now, () => 'x')[0].time).toBe(now - 1);
    expect(checkTrackEvents({ type: 'view', itemId: 'a', time: now + 60_000 }, now, () => 'x')[0].time).toBe(now + 60_000);
    expect(codeOf(() => checkTrackEvents({ type: 'view', itemId: 'a', time: now + 2 * 86_400_000 }, now, () => 'x'))).toBe('INVALID_EVENT');
  });
});
