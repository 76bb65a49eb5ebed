/**
 * Property tests over the input checks that guard `track` and `rerank`: for any input at all the
 * checks either return clean, normalised data or throw a `LocalrankError` with a documented code:
 * never another exception, never a hang, never a value that would store garbage.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LocalrankError, type ErrorCode } from '../../src/shared/errors';
import { LIMITS } from '../../src/shared/limits';
import { EVENT_TYPES, type ItemFeatures, type StoredEvent } from '../../src/shared/types';
import { checkCandidates, checkRerankOptions, checkTrackEvents } from '../../src/shared/validate';

const INPUT_CODES: ReadonlySet<ErrorCode> = new Set([
  'INVALID_EVENT',
  'UNKNOWN_EVENT_TYPE',
  'MISSING_ID',
  'NON_FINITE',
  'BATCH_TOO_LARGE',
  'INVALID_CANDIDATES',
  'DUPLICATE_ID',
  'INVALID_OPTIONS',
]);

/** Runs `fn`; returns its value, or the code of the LocalrankError it threw (anything else fails). */
function outcome<T>(fn: () => T): { value: T } | { code: ErrorCode } {
  try {
    return { value: fn() };
  } catch (error) {
    expect(error).toBeInstanceOf(LocalrankError);
    const code = (error as LocalrankError).code;
    expect(INPUT_CODES.has(code), code).toBe(true);
    return { code };
  }
}

const MARKUP = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', '\u0000', '\ud800', '{{7*7}}', '${x}', '</title>'];
const weirdString = fc.oneof(fc.string(), fc.constantFrom(...MARKUP), fc.string({ unit: 'grapheme', maxLength: 300 }));
const weirdNumber = fc.oneof(fc.double(), fc.constantFrom(Number.NaN, Infinity, -Infinity, -0, Number.MAX_VALUE, -1), fc.integer());
const deep = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, fc.anything(), fc.array(tie('node'), { maxLength: 3 }), fc.dictionary(fc.string(), tie('node'), { maxKeys: 3 })),
})).node;
const weirdValue = fc.oneof(weirdString, weirdNumber, fc.constant(undefined), fc.constant(null), fc.boolean(), deep);

const features = fc.record(
  {
    category: fc.oneof(weirdValue, fc.array(weirdString, { maxLength: 20 })),
    price: weirdNumber,
    text: fc.oneof(weirdString, fc.string({ minLength: 600, maxLength: 2000 })),
    brand: weirdValue,
    extra: deep,
  },
  { requiredKeys: [] },
);

const event = fc.record(
  {
    type: fc.oneof(fc.constantFrom(...EVENT_TYPES), weirdValue),
    itemId: fc.oneof(weirdString, weirdNumber, weirdValue),
    time: weirdNumber,
    dwellMs: weirdNumber,
    listId: weirdValue,
    position: weirdNumber,
    features: fc.oneof(features, weirdValue),
  },
  { requiredKeys: [] },
);

const candidate = fc.record(
  {
    id: fc.oneof(weirdString, weirdNumber, weirdValue),
    score: weirdNumber,
    features: fc.oneof(features, weirdValue),
    embedding: fc.oneof(fc.array(weirdNumber, { maxLength: 8 }), fc.float32Array({ maxLength: 8 }), weirdValue),
  },
  { requiredKeys: [] },
);

function isCleanFeatures(f: ItemFeatures): boolean {
  const keys = Object.keys(f);
  if (!keys.every((k) => ['category', 'price', 'text', 'brand'].includes(k))) return false;
  if (f.category !== undefined && !(Array.isArray(f.category) && f.category.every((c) => typeof c === 'string' && c.length <= LIMITS.maxIdLength))) return false;
  if (f.price !== undefined && !(Number.isFinite(f.price) && f.price >= 0)) return false;
  if (f.text !== undefined && !(typeof f.text === 'string' && f.text.length <= LIMITS.maxTextLength)) return false;
  if (f.brand !== undefined && typeof f.brand !== 'string') return false;
  return true;
}

/** What may be written to IndexedDB: only the documented fields, each of the documented type. */
function isCleanEvent(e: StoredEvent): boolean {
  const finiteOrAbsent = (n: unknown) => n === undefined || (typeof n === 'number' && Number.isFinite(n) && n >= 0);
  return (
    typeof e.id === 'string' &&
    EVENT_TYPES.includes(e.type) &&
    typeof e.itemId === 'string' &&
    e.itemId.length > 0 &&
    e.itemId.length <= LIMITS.maxIdLength &&
    Number.isFinite(e.time) &&
    finiteOrAbsent(e.dwellMs) &&
    finiteOrAbsent(e.position) &&
    (e.listId === undefined || typeof e.listId === 'string') &&
    (e.features === undefined || isCleanFeatures(e.features)) &&
    Object.keys(e).every((k) => ['id', 'type', 'itemId', 'time', 'dwellMs', 'listId', 'position', 'features'].includes(k))
  );
}

const RUNS = { numRuns: 400 };

describe('track input, any shape', () => {
  it('gives clean events or a typed error, for single events and batches', () => {
    fc.assert(
      fc.property(fc.oneof(event, fc.array(event, { maxLength: 20 }), weirdValue), (input) => {
        let n = 0;
        const result = outcome(() => checkTrackEvents(input, 1_700_000_000_000, () => `id-${n++}`));
        if ('value' in result) {
          const expected = Array.isArray(input) ? input.length : 1;
          expect(result.value).toHaveLength(expected);
          for (const e of result.value) expect(isCleanEvent(e), JSON.stringify(e)).toBe(true);
          // Stored events survive structured cloning unchanged (what IndexedDB does to them).
          expect(structuredClone(result.value)).toEqual(result.value);
        }
      }),
      RUNS,
    );
  });

  it('keeps markup in strings as inert text, byte for byte', () => {
    fc.assert(
      fc.property(fc.constantFrom(...MARKUP), fc.constantFrom(...EVENT_TYPES), (text, type) => {
        const [e] = checkTrackEvents({ type, itemId: `x${text}`, features: { text, brand: text, category: [text] } }, 0, () => 'id');
        expect(e.itemId).toBe(`x${text}`);
        expect(e.features).toEqual({ text, brand: text, category: [text] });
      }),
    );
  });

  it('refuses sparse arrays, throwing getters and revoked proxies with a typed error', () => {
    const sparse = new Array(3);
    sparse[1] = { type: 'view', itemId: 'a' };
    expect(outcome(() => checkTrackEvents(sparse, 0, () => 'id'))).toEqual({ code: 'INVALID_EVENT' });
    const getter = { type: 'view', get itemId(): string { throw new Error('boom'); } };
    expect(outcome(() => checkTrackEvents(getter, 0, () => 'id'))).toEqual({ code: 'INVALID_EVENT' });
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    expect('code' in outcome(() => checkTrackEvents([proxy], 0, () => 'id'))).toBe(true);
  });

  it('ignores enormous feature objects beyond the known fields, and refuses deep nesting in them', () => {
    const huge: Record<string, unknown> = { price: 3 };
    for (let i = 0; i < 100_000; i++) huge[`k${i}`] = i;
    const [e] = checkTrackEvents({ type: 'view', itemId: 'a', features: huge }, 0, () => 'id');
    expect(e.features).toEqual({ price: 3 });
    let nested: unknown = 'leaf';
    for (let i = 0; i < 10_000; i++) nested = [nested];
    expect(outcome(() => checkTrackEvents({ type: 'view', itemId: 'a', features: { category: nested } }, 0, () => 'id'))).toEqual({ code: 'INVALID_EVENT' });
  });
});

describe('rerank input, any shape', () => {
  it('gives every candidate once with a string id, or a typed error', () => {
    fc.assert(
      fc.property(fc.oneof(fc.array(candidate, { maxLength: 30 }), weirdValue), (input) => {
        const result = outcome(() => checkCandidates(input));
        if ('value' in result) {
          const list = input as unknown[];
          expect(result.value).toHaveLength(list.length);
          const ids = result.value.map((c) => c.id);
          expect(new Set(ids).size).toBe(ids.length);
          for (const c of result.value) {
            expect(typeof c.id).toBe('string');
            if (c.score !== undefined) expect(Number.isFinite(c.score)).toBe(true);
            if (c.features) expect(isCleanFeatures(c.features)).toBe(true);
            if (c.embedding) expect(c.embedding.every(Number.isFinite)).toBe(true);
          }
        }
      }),
      RUNS,
    );
  });

  it('says DUPLICATE_ID for any list with a repeated id, also across number and string', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 1e6 }), { minLength: 1, maxLength: 50 }), fc.nat(), fc.boolean(), (ids, pick, asString) => {
        const list: Array<{ id: string | number }> = ids.map((id) => ({ id }));
        const dup = ids[pick % ids.length];
        list.splice(pick % (list.length + 1), 0, { id: asString ? String(dup) : dup });
        expect(outcome(() => checkCandidates(list))).toEqual({ code: 'DUPLICATE_ID' });
      }),
    );
  });

  it('takes 0, 1, 10,000 and the maximum number of candidates, and refuses one more', () => {
    for (const n of [0, 1, 10_000, LIMITS.maxCandidates]) {
      expect(checkCandidates(Array.from({ length: n }, (_, i) => ({ id: i })))).toHaveLength(n);
    }
    const tooMany = Array.from({ length: LIMITS.maxCandidates + 1 }, (_, i) => ({ id: i }));
    expect(outcome(() => checkCandidates(tooMany))).toEqual({ code: 'BATCH_TOO_LARGE' });
  });

  it('refuses sparse candidate lists with a typed error', () => {
    expect(outcome(() => checkCandidates(new Array(5)))).toEqual({ code: 'INVALID_CANDIDATES' });
  });

  it('checks rerank options to finite numbers in range, or INVALID_OPTIONS', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.record({ k: weirdNumber, serverWeight: weirdNumber, diversity: weirdNumber, explain: weirdValue }, { requiredKeys: [] }), weirdValue),
        (input) => {
          const result = outcome(() => checkRerankOptions(input));
          if ('code' in result) expect(result.code).toBe('INVALID_OPTIONS');
          if ('value' in result) {
            const o = result.value;
            if (o.k !== undefined) expect(Number.isInteger(o.k) && o.k >= 0).toBe(true);
            for (const u of [o.serverWeight, o.diversity]) if (u !== undefined) expect(u >= 0 && u <= 1).toBe(true);
          }
        },
      ),
      RUNS,
    );
  });
});
