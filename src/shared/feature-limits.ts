/**
 * Item features cut to what the engine reads (`LIMITS`): a list over its limit keeps its first
 * entries, a value over the id length is left out, and the call goes on. Real catalogues carry
 * hundreds of tags or attribute ids per item; one such item must cost only its extra values, never
 * the `track` or `rerank` it travels in. The page and the engine cut with this after their type
 * checks (validate.ts), and the Node training on its catalogue, so a model is trained on exactly
 * the features the engine will see.
 */
import { LIMITS } from './limits';
import type { CutField, ItemFeatures } from './types';

export type { CutField } from './types';

/**
 * Told once per field that lost something: `list` when it held more entries than its limit (the
 * first are kept), `value` when a value was over `LIMITS.maxIdLength` characters (left out).
 */
export type OnCut = (field: CutField, kind: 'list' | 'value') => void;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type Attributes = Record<string, string | number | boolean | string[]>;

/**
 * `features` within the limits: category levels (`maxCategories`), tags (`maxTags`) and attribute
 * values (`maxAttributes`, each value of a list counting once, in the object's order) keep their
 * first entries; a category level, brand, tag, attribute name or value over `maxIdLength`
 * characters is left out; text keeps its first `maxTextLength` characters. Takes features whose
 * types were checked; returns them unchanged (the same object) when nothing is cut.
 */
export function limitFeatures(features: ItemFeatures, onCut?: OnCut): ItemFeatures {
  if (!needsCut(features)) return features;
  const out: Mutable<ItemFeatures> = { ...features };
  if (features.category !== undefined) {
    const path = typeof features.category === 'string' ? [features.category] : features.category;
    out.category = cutList(path, LIMITS.maxCategories, 'category', onCut);
  }
  if (features.brand !== undefined && features.brand.length > LIMITS.maxIdLength) {
    delete out.brand;
    onCut?.('brand', 'value');
  }
  if (features.text !== undefined) out.text = features.text.slice(0, LIMITS.maxTextLength);
  if (features.tags !== undefined) out.tags = cutList(features.tags, LIMITS.maxTags, 'tags', onCut);
  if (features.attributes !== undefined) out.attributes = cutAttributes(features.attributes, onCut);
  return out;
}

function needsCut(f: ItemFeatures): boolean {
  const long = (value: unknown) => typeof value === 'string' && value.length > LIMITS.maxIdLength;
  const listOver = (list: readonly unknown[] | undefined, max: number) => list !== undefined && (list.length > max || list.some(long));
  if (typeof f.category === 'string' ? long(f.category) : listOver(f.category, LIMITS.maxCategories)) return true;
  if (long(f.brand) || listOver(f.tags, LIMITS.maxTags)) return true;
  if (f.text !== undefined && f.text.length > LIMITS.maxTextLength) return true;
  if (f.attributes === undefined) return false;
  let values = 0;
  for (const [key, value] of Object.entries(f.attributes)) {
    const list = Array.isArray(value) ? value : [value];
    values += list.length;
    if (values > LIMITS.maxAttributes || long(key) || list.some(long)) return true;
  }
  return false;
}

/** The first `max` entries of `list` within the id length; the rest are told to `onCut`. */
function cutList(list: readonly string[], max: number, field: CutField, onCut: OnCut | undefined): string[] {
  const kept: string[] = [];
  let dropped = false;
  for (const value of list) {
    if (value.length > LIMITS.maxIdLength) {
      dropped = true;
      continue;
    }
    if (kept.length === max) {
      onCut?.(field, 'list');
      break;
    }
    kept.push(value);
  }
  if (dropped) onCut?.(field, 'value');
  return kept;
}

function cutAttributes(attributes: NonNullable<ItemFeatures['attributes']>, onCut: OnCut | undefined): Attributes {
  const out: Attributes = {};
  let budget: number = LIMITS.maxAttributes;
  let dropped = false;
  let cut = false;
  for (const [key, value] of Object.entries(attributes)) {
    if (key.length > LIMITS.maxIdLength) {
      dropped = true;
      continue;
    }
    const list: ReadonlyArray<string | number | boolean> = Array.isArray(value) ? (value as readonly string[]) : [value as string | number | boolean];
    const fitting = list.filter((v) => !(typeof v === 'string' && v.length > LIMITS.maxIdLength));
    if (fitting.length < list.length) dropped = true;
    if (fitting.length === 0) continue;
    if (budget === 0 || fitting.length > budget) cut = true;
    if (budget === 0) break;
    const kept = fitting.slice(0, budget);
    budget -= kept.length;
    out[key] = Array.isArray(value) ? kept.map(String) : kept[0]!;
  }
  if (cut) onCut?.('attributes', 'list');
  if (dropped) onCut?.('attributes', 'value');
  return out;
}

/** Counts of what was cut, for `info().diagnostics`. */
export interface CutCounts {
  /** Lists (category levels, tags, attribute values) cut to their limit. */
  truncatedLists: number;
  /** Values left out for being over `LIMITS.maxIdLength` characters. */
  droppedValues: number;
}

/** Fresh counts, and the `OnCut` that adds to them. */
export function cutCounter(): { counts: CutCounts; onCut: OnCut } {
  const counts: CutCounts = { truncatedLists: 0, droppedValues: 0 };
  return {
    counts,
    onCut: (_, kind) => {
      if (kind === 'list') counts.truncatedLists++;
      else counts.droppedValues++;
    },
  };
}
