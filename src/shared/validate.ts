/**
 * Input checks shared by the page and the worker. The page validates before anything crosses the
 * worker boundary, so bad input is refused synchronously with a typed error and stores nothing.
 * Only what cannot be read is refused (a wrong type, a non-finite number, a bad id); item features
 * that are merely too many or too long are cut to the limits, item by item (feature-limits.ts), and
 * each cut is told to `onCut`.
 */
import { LocalrankError } from './errors';
import { limitFeatures, type OnCut } from './feature-limits';
import { LIMITS } from './limits';
import {
  EVENT_TYPES,
  type Candidate,
  type EventType,
  type FieldValue,
  type GroupCap,
  type ItemFeatures,
  type ItemMatch,
  type RerankOptions,
  type StoredEvent,
  type TrackEvent,
} from './types';

/** A candidate after validation: string id, finite numbers, embedding as Float32Array. */
export interface CheckedCandidate {
  id: string;
  score?: number;
  features?: ItemFeatures;
  embedding?: Float32Array;
}

export function checkTrackEvents(
  input: unknown,
  now: number,
  newId: () => string,
  onCut?: OnCut,
): StoredEvent[] {
  // The whole check is typed: even `Array.isArray` throws on a revoked Proxy.
  return typed('INVALID_EVENT', () => checkTrackList(input, now, newId, onCut));
}

function checkTrackList(input: unknown, now: number, newId: () => string, onCut: OnCut | undefined): StoredEvent[] {
  const list = Array.isArray(input) ? input : [input];
  if (list.length > LIMITS.maxEventsPerBatch) {
    throw new LocalrankError(
      'BATCH_TOO_LARGE',
      `track() takes at most ${LIMITS.maxEventsPerBatch} events per call, got ${list.length}`,
    );
  }
  const out: StoredEvent[] = [];
  // An index loop, not map(): map skips the holes of a sparse array and would pass them through.
  for (let index = 0; index < list.length; index++) {
    out.push(typed('INVALID_EVENT', () => checkTrackEvent(list[index], index, now, newId, onCut)));
  }
  return out;
}

function checkTrackEvent(event: unknown, index: number, now: number, newId: () => string, onCut: OnCut | undefined): StoredEvent {
  const where = `event ${index}`;
  if (!isPlainObject(event)) throw new LocalrankError('INVALID_EVENT', `${where} is not an object`);
  const e = event as Partial<TrackEvent> & Record<string, unknown>;
  if (typeof e.type !== 'string' || !EVENT_TYPES.includes(e.type as EventType)) {
    throw new LocalrankError(
      'UNKNOWN_EVENT_TYPE',
      `${where}: type must be one of ${EVENT_TYPES.join(', ')}, got ${describe(e.type)}`,
    );
  }
  const stored: StoredEvent = {
    id: newId(),
    type: e.type as EventType,
    itemId: checkId(e.itemId, `${where}.itemId`, 'INVALID_EVENT'),
    time: e.time === undefined ? now : checkTime(e.time, `${where}.time`, now),
  };
  if (e.dwellMs !== undefined) stored.dwellMs = checkNumber(e.dwellMs, `${where}.dwellMs`, 0);
  if (e.listId !== undefined) stored.listId = checkString(e.listId, `${where}.listId`);
  if (e.position !== undefined) stored.position = checkNumber(e.position, `${where}.position`, 0);
  if (e.features !== undefined) stored.features = checkFeatures(e.features, `${where}.features`, 'INVALID_EVENT', onCut);
  return stored;
}

export function checkCandidates(input: unknown, onCut?: OnCut): CheckedCandidate[] {
  return typed('INVALID_CANDIDATES', () => checkCandidateList(input, onCut));
}

function checkCandidateList(input: unknown, onCut: OnCut | undefined): CheckedCandidate[] {
  if (!Array.isArray(input)) {
    throw new LocalrankError('INVALID_CANDIDATES', `rerank() takes an array of candidates, got ${describe(input)}`);
  }
  if (input.length > LIMITS.maxCandidates) {
    throw new LocalrankError(
      'BATCH_TOO_LARGE',
      `rerank() takes at most ${LIMITS.maxCandidates} candidates, got ${input.length}`,
    );
  }
  const seen = new Set<string>();
  const out: CheckedCandidate[] = [];
  for (let index = 0; index < input.length; index++) {
    out.push(typed('INVALID_CANDIDATES', () => checkCandidate(input[index], index, seen, onCut)));
  }
  return out;
}

function checkCandidate(candidate: unknown, index: number, seen: Set<string>, onCut: OnCut | undefined): CheckedCandidate {
  const where = `candidate ${index}`;
  if (!isPlainObject(candidate)) throw new LocalrankError('INVALID_CANDIDATES', `${where} is not an object`);
  const c = candidate as Partial<Candidate>;
  const id = checkId(c.id, `${where}.id`, 'INVALID_CANDIDATES');
  if (seen.has(id)) throw new LocalrankError('DUPLICATE_ID', `${where}: id "${id}" appears twice`);
  seen.add(id);
  const checked: CheckedCandidate = { id };
  if (c.score !== undefined) checked.score = checkNumber(c.score, `${where}.score`, -Infinity, 'INVALID_CANDIDATES');
  if (c.features !== undefined) checked.features = checkFeatures(c.features, `${where}.features`, 'INVALID_CANDIDATES', onCut);
  if (c.embedding !== undefined) checked.embedding = checkEmbedding(c.embedding, `${where}.embedding`);
  return checked;
}

/** Every problem with rerank options is `INVALID_OPTIONS`, a non-finite number included. */
export function checkRerankOptions(input: unknown): RerankOptions {
  return typed('INVALID_OPTIONS', () => {
    if (input === undefined) return {};
    if (!isPlainObject(input)) throw new LocalrankError('INVALID_OPTIONS', 'rerank options must be an object');
    const o = input as RerankOptions;
    const checked: RerankOptions = {};
    if (o.k !== undefined) checked.k = Math.floor(optionNumber(o.k, 'options.k', 0, Number.MAX_SAFE_INTEGER));
    if (o.serverWeight !== undefined) checked.serverWeight = optionNumber(o.serverWeight, 'options.serverWeight', 0, 1);
    if (o.diversity !== undefined) checked.diversity = optionNumber(o.diversity, 'options.diversity', 0, 1);
    if (o.explain !== undefined) checked.explain = Boolean(o.explain);
    if (o.explore !== undefined) checked.explore = optionNumber(o.explore, 'options.explore', 0, MAX_EXPLORE);
    checkRules(o, checked);
    return checked;
  });
}

/** The largest `explore` rate (worker/ranking/explore.ts says why). */
const MAX_EXPLORE = 0.5;
/** `boost`, `bury` and `maxPerGroup` entries, and values of a `oneOf`, at most. */
const MAX_RULES = 100;

/** The rule options (`exclude`, `keepTop`, `pin`, `boost`, `bury`, `maxPerGroup`), checked into `checked`. */
function checkRules(o: RerankOptions, checked: RerankOptions): void {
  const whole = (value: unknown, where: string, min = 0) => Math.floor(optionNumber(value, where, min, Number.MAX_SAFE_INTEGER));
  if (o.keepTop !== undefined) checked.keepTop = whole(o.keepTop, 'options.keepTop');
  if (o.pin !== undefined) {
    if (!isPlainObject(o.pin)) throw optionError('options.pin must be an object of item id to position');
    const pins = Object.entries(o.pin);
    if (pins.length > LIMITS.maxCandidates) throw optionError(`options.pin holds over ${LIMITS.maxCandidates} items`);
    checked.pin = Object.fromEntries(pins.map(([id, position]) => [checkOptionString(id, 'options.pin id'), whole(position, `options.pin.${id.slice(0, 40)}`)]));
  }
  if (o.exclude !== undefined) {
    checked.exclude = optionList(o.exclude, 'options.exclude', LIMITS.maxCandidates).map((entry, i) =>
      isPlainObject(entry) ? checkMatch(entry, `options.exclude[${i}]`) : String(typeof entry === 'number' ? fieldValue(entry, `options.exclude[${i}]`) : checkOptionString(entry, `options.exclude[${i}]`)),
    );
  }
  for (const key of ['boost', 'bury'] as const) {
    if (o[key] === undefined) continue;
    checked[key] = optionList(o[key], `options.${key}`, MAX_RULES).map((entry, i) => {
      const match = checkMatch(entry, `options.${key}[${i}]`);
      const weight = (entry as { weight?: unknown }).weight;
      return weight === undefined ? match : { ...match, weight: optionNumber(weight, `options.${key}[${i}].weight`, 0, 1) };
    });
  }
  const caps = o.maxPerGroup;
  if (caps !== undefined) {
    const list = (Array.isArray(caps) ? optionList(caps, 'options.maxPerGroup', MAX_RULES) : [caps]).map((cap, i): GroupCap => {
      const where = `options.maxPerGroup[${i}]`;
      if (!isPlainObject(cap)) throw optionError(`${where} must be like { field: 'brand', max: 2, within: 10 }`);
      const c = cap as Partial<GroupCap>;
      const out: GroupCap = { field: checkOptionString(c.field, `${where}.field`), max: whole(c.max, `${where}.max`) };
      if (c.within !== undefined) out.within = whole(c.within, `${where}.within`, 1);
      return out;
    });
    checked.maxPerGroup = Array.isArray(caps) ? list : list[0];
  }
}

function optionError(message: string): LocalrankError {
  return new LocalrankError('INVALID_OPTIONS', message);
}

function optionList(value: unknown, where: string, max: number): unknown[] {
  if (!Array.isArray(value) || value.length > max) throw optionError(`${where} must be an array of at most ${max}`);
  return Array.from(value);
}

/** A non-empty string within the id length: an id, a field name or a value. */
function checkOptionString(value: unknown, where: string): string {
  if (typeof value !== 'string' || !value.trim() || value.length > LIMITS.maxIdLength) throw optionError(`${where} must be a string of 1 to ${LIMITS.maxIdLength} characters`);
  return value;
}

function fieldValue(value: unknown, where: string): FieldValue {
  if (typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) return value;
  return checkOptionString(value, where);
}

/** An `ItemMatch`: a field and at least one condition. */
function checkMatch(input: unknown, where: string): ItemMatch {
  if (!isPlainObject(input)) throw optionError(`${where} must be like { field: 'brand', equals: 'Acme' }`);
  const m = input as Partial<ItemMatch>;
  const match: ItemMatch = { field: checkOptionString(m.field, `${where}.field`) };
  if (m.equals !== undefined) match.equals = fieldValue(m.equals, `${where}.equals`);
  if (m.oneOf !== undefined) match.oneOf = optionList(m.oneOf, `${where}.oneOf`, MAX_RULES).map((v) => fieldValue(v, `${where}.oneOf`));
  for (const bound of ['min', 'max'] as const) if (m[bound] !== undefined) match[bound] = optionNumber(m[bound], `${where}.${bound}`, -Number.MAX_VALUE, Number.MAX_VALUE);
  if (Object.keys(match).length === 1) throw optionError(`${where} needs equals, oneOf, min or max`);
  return match;
}

function optionNumber(value: unknown, where: string, min: number, max: number): number {
  if (typeof value !== 'number' || !(value >= min && value <= max)) {
    throw new LocalrankError('INVALID_OPTIONS', `${where} must be a number from ${min} to ${max}, got ${describe(value)}`);
  }
  return value;
}

/** Who passed bad input: `track` (an event) or `rerank` (a candidate). */
type InputCode = 'INVALID_EVENT' | 'INVALID_CANDIDATES';

/**
 * Item features, checked and normalised, then cut to the limits (feature-limits.ts); also how
 * stored features are read back (`records.ts`). Refuses only what cannot be read, as `code`.
 */
export function checkFeatures(input: unknown, where: string, code: InputCode = 'INVALID_EVENT', onCut?: OnCut): ItemFeatures {
  if (!isPlainObject(input)) throw new LocalrankError(code, `${where} must be an object`);
  const f = input as Record<string, unknown>;
  const features: { -readonly [K in keyof ItemFeatures]: ItemFeatures[K] } = {};
  if (f.category !== undefined) {
    const list = Array.isArray(f.category) ? f.category : [f.category];
    // Array.from, not map(): map skips the holes of a sparse array and would keep them.
    features.category = Array.from(list, (c, i) => checkText(c, `${where}.category[${i}]`, code));
  }
  if (f.price !== undefined) features.price = checkNumber(f.price, `${where}.price`, 0, code);
  if (f.brand !== undefined) features.brand = checkText(f.brand, `${where}.brand`, code);
  if (f.text !== undefined) features.text = checkText(f.text, `${where}.text`, code);
  if (f.tags !== undefined) {
    if (!Array.isArray(f.tags)) throw new LocalrankError(code, `${where}.tags must be an array of strings`);
    features.tags = Array.from(f.tags, (t, i) => checkText(t, `${where}.tags[${i}]`, code));
  }
  if (f.attributes !== undefined) features.attributes = checkAttributes(f.attributes, `${where}.attributes`, code);
  return limitFeatures(features, onCut);
}

function checkAttributes(input: unknown, where: string, code: InputCode): NonNullable<ItemFeatures['attributes']> {
  if (!isPlainObject(input)) throw new LocalrankError(code, `${where} must be an object`);
  const out: Record<string, string | number | boolean | string[]> = {};
  for (const [key, value] of Object.entries(input as Record<string, unknown>)) {
    const list = Array.isArray(value) ? value : [value];
    const checked = Array.from(list, (v: unknown, i) => {
      if (typeof v === 'boolean') return v;
      if (typeof v === 'number') return checkNumber(v, `${where}.${key.slice(0, 40)}[${i}]`, -Infinity, code);
      return checkText(v, `${where}.${key.slice(0, 40)}[${i}]`, code);
    });
    out[key] = Array.isArray(value) ? checked.map(String) : checked[0];
  }
  return out;
}

function checkEmbedding(input: unknown, where: string): Float32Array {
  const isArrayLike =
    Array.isArray(input) || input instanceof Float32Array || input instanceof Float64Array;
  if (!isArrayLike) throw new LocalrankError('INVALID_CANDIDATES', `${where} must be an array of numbers`);
  const values = input as ArrayLike<unknown>;
  if (values.length > LIMITS.maxEmbeddingLength) {
    throw new LocalrankError('INVALID_CANDIDATES', `${where} is longer than ${LIMITS.maxEmbeddingLength}`);
  }
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    // checkNumber refuses a finite double beyond float32's range: it would become Infinity here.
    out[i] = checkNumber(values[i], `${where}[${i}]`, -Infinity, 'INVALID_CANDIDATES');
  }
  return out;
}

function checkId(value: unknown, where: string, tooLong: InputCode): string {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new LocalrankError('NON_FINITE', `${where} must be finite, got ${value}`);
    return String(value);
  }
  if (typeof value !== 'string' || value.length === 0) {
    throw new LocalrankError('MISSING_ID', `${where} must be a non-empty string or a number, got ${describe(value)}`);
  }
  if (value.length > LIMITS.maxIdLength) {
    throw new LocalrankError(tooLong, `${where} is longer than ${LIMITS.maxIdLength} characters`);
  }
  return value;
}

function checkString(value: unknown, where: string): string {
  if (typeof value !== 'string' || value.length > LIMITS.maxIdLength) {
    throw new LocalrankError('INVALID_EVENT', `${where} must be a string of at most ${LIMITS.maxIdLength} characters`);
  }
  return value;
}

/** A feature value: any string (one over the limits is cut later, not refused). */
function checkText(value: unknown, where: string, code: InputCode): string {
  if (typeof value !== 'string') throw new LocalrankError(code, `${where} must be a string, got ${describe(value)}`);
  return value;
}

/** The largest float32: numbers travel to the model as float32, where anything beyond is Infinity. */
const FLOAT32_MAX = 3.4028234663852886e38;

function checkNumber(value: unknown, where: string, min = -Infinity, code: InputCode = 'INVALID_EVENT'): number {
  if (typeof value !== 'number') throw new LocalrankError(code, `${where} must be a number, got ${describe(value)}`);
  if (!Number.isFinite(value)) throw new LocalrankError('NON_FINITE', `${where} must be finite, got ${value}`);
  if (Math.abs(value) > FLOAT32_MAX) throw new LocalrankError('NON_FINITE', `${where} is outside the float32 range, got ${value}`);
  if (value < min) throw new LocalrankError(code, `${where} must be >= ${min}, got ${value}`);
  return value;
}

/** Clocks drift, but an event from the far future would outlive every retention limit. */
const MAX_CLOCK_SKEW_MS = 86_400_000;

function checkTime(value: unknown, where: string, now: number): number {
  const time = checkNumber(value, where, 0);
  if (time > now + MAX_CLOCK_SKEW_MS) {
    throw new LocalrankError('INVALID_EVENT', `${where} is more than a day in the future`);
  }
  return time;
}

/** Runs a check; anything but a LocalrankError (a throwing getter, a revoked Proxy) becomes `code`. */
function typed<T>(code: 'INVALID_EVENT' | 'INVALID_CANDIDATES' | 'INVALID_OPTIONS', check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof LocalrankError) throw error;
    throw new LocalrankError(code, `unreadable input: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function isPlainObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.slice(0, 40));
  return typeof value === 'object' ? 'an object' : String(value);
}
