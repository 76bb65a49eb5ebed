/**
 * Input checks shared by the page and the worker. The page validates before anything crosses the
 * worker boundary, so bad input is refused synchronously with a typed error and stores nothing.
 */
import { LocalrankError } from './errors';
import { LIMITS } from './limits';
import {
  EVENT_TYPES,
  type Candidate,
  type EventType,
  type ItemFeatures,
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
): StoredEvent[] {
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
    out.push(typed('INVALID_EVENT', () => checkTrackEvent(list[index], index, now, newId)));
  }
  return out;
}

function checkTrackEvent(event: unknown, index: number, now: number, newId: () => string): StoredEvent {
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
    itemId: checkId(e.itemId, `${where}.itemId`),
    time: e.time === undefined ? now : checkTime(e.time, `${where}.time`, now),
  };
  if (e.dwellMs !== undefined) stored.dwellMs = checkNumber(e.dwellMs, `${where}.dwellMs`, 0);
  if (e.listId !== undefined) stored.listId = checkString(e.listId, `${where}.listId`);
  if (e.position !== undefined) stored.position = checkNumber(e.position, `${where}.position`, 0);
  if (e.features !== undefined) stored.features = checkFeatures(e.features, `${where}.features`);
  return stored;
}

export function checkCandidates(input: unknown): CheckedCandidate[] {
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
    out.push(typed('INVALID_CANDIDATES', () => checkCandidate(input[index], index, seen)));
  }
  return out;
}

function checkCandidate(candidate: unknown, index: number, seen: Set<string>): CheckedCandidate {
  const where = `candidate ${index}`;
  if (!isPlainObject(candidate)) throw new LocalrankError('INVALID_CANDIDATES', `${where} is not an object`);
  const c = candidate as Partial<Candidate>;
  const id = checkId(c.id, `${where}.id`);
  if (seen.has(id)) throw new LocalrankError('DUPLICATE_ID', `${where}: id "${id}" appears twice`);
  seen.add(id);
  const checked: CheckedCandidate = { id };
  if (c.score !== undefined) checked.score = checkNumber(c.score, `${where}.score`);
  if (c.features !== undefined) checked.features = checkFeatures(c.features, `${where}.features`);
  if (c.embedding !== undefined) checked.embedding = checkEmbedding(c.embedding, `${where}.embedding`);
  return checked;
}

export function checkRerankOptions(input: unknown): RerankOptions {
  if (input === undefined) return {};
  if (!isPlainObject(input)) throw new LocalrankError('INVALID_OPTIONS', 'rerank options must be an object');
  const o = input as RerankOptions;
  const checked: RerankOptions = {};
  if (o.k !== undefined) checked.k = Math.floor(checkNumber(o.k, 'options.k', 0));
  if (o.serverWeight !== undefined) checked.serverWeight = checkUnit(o.serverWeight, 'options.serverWeight');
  if (o.diversity !== undefined) checked.diversity = checkUnit(o.diversity, 'options.diversity');
  if (o.explain !== undefined) checked.explain = Boolean(o.explain);
  return checked;
}

function checkFeatures(input: unknown, where: string): ItemFeatures {
  if (!isPlainObject(input)) throw new LocalrankError('INVALID_EVENT', `${where} must be an object`);
  const f = input as Record<string, unknown>;
  const features: ItemFeatures = {};
  if (f.category !== undefined) {
    const list = Array.isArray(f.category) ? f.category : [f.category];
    if (list.length > LIMITS.maxCategories) {
      throw new LocalrankError('INVALID_EVENT', `${where}.category has more than ${LIMITS.maxCategories} entries`);
    }
    features.category = list.map((c, i) => checkString(c, `${where}.category[${i}]`));
  }
  if (f.price !== undefined) features.price = checkNumber(f.price, `${where}.price`, 0);
  if (f.brand !== undefined) features.brand = checkString(f.brand, `${where}.brand`);
  if (f.text !== undefined) {
    if (typeof f.text !== 'string' || f.text.length > LIMITS.maxRawTextLength) {
      throw new LocalrankError('INVALID_EVENT', `${where}.text must be a string under ${LIMITS.maxRawTextLength} characters`);
    }
    features.text = f.text.slice(0, LIMITS.maxTextLength);
  }
  if (f.tags !== undefined) {
    if (!Array.isArray(f.tags) || f.tags.length > LIMITS.maxTags) {
      throw new LocalrankError('INVALID_EVENT', `${where}.tags must be an array of at most ${LIMITS.maxTags} strings`);
    }
    features.tags = f.tags.map((t, i) => checkString(t, `${where}.tags[${i}]`));
  }
  if (f.attributes !== undefined) features.attributes = checkAttributes(f.attributes, `${where}.attributes`);
  return features;
}

function checkAttributes(input: unknown, where: string): NonNullable<ItemFeatures['attributes']> {
  if (!isPlainObject(input)) throw new LocalrankError('INVALID_EVENT', `${where} must be an object`);
  const out: Record<string, string | number | boolean | string[]> = {};
  let values = 0;
  for (const [key, value] of Object.entries(input as Record<string, unknown>)) {
    checkString(key, `${where} key`);
    const list = Array.isArray(value) ? value : [value];
    values += list.length;
    if (values > LIMITS.maxAttributes) {
      throw new LocalrankError('INVALID_EVENT', `${where} holds more than ${LIMITS.maxAttributes} values`);
    }
    const checked = list.map((v, i) => {
      if (typeof v === 'boolean') return v;
      if (typeof v === 'number') return checkNumber(v, `${where}.${key}[${i}]`);
      return checkString(v, `${where}.${key}[${i}]`);
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
    out[i] = checkNumber(values[i], `${where}[${i}]`);
    // A finite double beyond float32's range becomes Infinity here, and NaN in every score.
    if (!Number.isFinite(out[i])) throw new LocalrankError('NON_FINITE', `${where}[${i}] is outside the float32 range`);
  }
  return out;
}

function checkId(value: unknown, where: string): string {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new LocalrankError('NON_FINITE', `${where} must be finite, got ${value}`);
    return String(value);
  }
  if (typeof value !== 'string' || value.length === 0) {
    throw new LocalrankError('MISSING_ID', `${where} must be a non-empty string or a number, got ${describe(value)}`);
  }
  if (value.length > LIMITS.maxIdLength) {
    throw new LocalrankError('INVALID_EVENT', `${where} is longer than ${LIMITS.maxIdLength} characters`);
  }
  return value;
}

function checkString(value: unknown, where: string): string {
  if (typeof value !== 'string' || value.length > LIMITS.maxIdLength) {
    throw new LocalrankError('INVALID_EVENT', `${where} must be a string of at most ${LIMITS.maxIdLength} characters`);
  }
  return value;
}

function checkNumber(value: unknown, where: string, min = -Infinity): number {
  if (typeof value !== 'number') throw new LocalrankError('INVALID_EVENT', `${where} must be a number, got ${describe(value)}`);
  if (!Number.isFinite(value)) throw new LocalrankError('NON_FINITE', `${where} must be finite, got ${value}`);
  if (value < min) throw new LocalrankError('INVALID_EVENT', `${where} must be >= ${min}, got ${value}`);
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

function checkUnit(value: unknown, where: string): number {
  const n = checkNumber(value, where, 0);
  if (n > 1) throw new LocalrankError('INVALID_OPTIONS', `${where} must be between 0 and 1, got ${n}`);
  return n;
}

/** Runs a check; anything but a LocalrankError (a throwing getter, a revoked Proxy) becomes `code`. */
function typed<T>(code: 'INVALID_EVENT' | 'INVALID_CANDIDATES', check: () => T): T {
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
