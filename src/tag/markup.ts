/**
 * What the markup says about an item, read within the engine's limits (src/shared/limits.ts). A
 * value the engine would refuse is dropped or cut here and reported as a {@link Problem}, so a bad
 * attribute costs only itself and a bad id only its own tile.
 *
 * - `data-lr-item="SKU"`: the id, 1 to 256 characters after trimming.
 * - `data-lr-category="Shoes > Running"`: at most 16 levels (the first 16 are kept), each up to 256 characters.
 * - `data-lr-price`: a price as printed (see price.ts).
 * - `data-lr-brand`: up to 256 characters; `data-lr-title`: the first 512 characters count.
 * - `data-lr-tags="vegan, gift"`: comma-separated, at most 64, each up to 256 characters.
 * - `data-lr-attr-NAME="value"` (e.g. `data-lr-attr-color="red"`, `data-lr-attr-material="cotton, linen"`):
 *   named attributes, comma-separated values, at most 64 values per item.
 * - `data-lr-score`, `data-lr-position`: numbers (a position is a whole number from 0); `data-lr-pin`
 *   too (rules-markup.ts).
 */
import { LIMITS } from '../shared/limits';
import type { ItemFeatures } from '../shared/types';
import { parsePrice } from './price';

/** Why a tile is skipped (the first three) or one of its values ignored. */
export type ProblemCode =
  | 'EMPTY_ID'
  | 'ID_TOO_LONG'
  | 'DUPLICATE_ID'
  | 'BAD_PRICE'
  | 'BAD_NUMBER'
  | 'CATEGORY_TOO_DEEP'
  | 'TOO_LONG'
  | 'TOO_MANY'
  | 'SECOND_TAG'
  | 'BAD_RULE';

export interface Problem {
  code: ProblemCode;
  /** The attribute at fault. */
  attribute: string;
}

export type Problems = Problem[];

const ATTR_PREFIX = 'data-lr-attr-';

function raw(el: Element, name: string): string {
  return (el.getAttribute(name) ?? '').trim();
}

/** Comma-separated values, each within the id length; at most `max` of them. */
function list(value: string, attribute: string, max: number, problems: Problems): string[] {
  const out: string[] = [];
  for (const part of value.split(',')) {
    const item = part.trim();
    if (!item) continue;
    if (item.length > LIMITS.maxIdLength) problems.push({ code: 'TOO_LONG', attribute });
    else if (out.length >= max) {
      problems.push({ code: 'TOO_MANY', attribute });
      break;
    } else out.push(item);
  }
  return out;
}

/** A short text value (brand, list id); undefined when missing or too long. */
export function readText(el: Element, attribute: string, problems: Problems): string | undefined {
  const value = raw(el, attribute);
  if (value.length > LIMITS.maxIdLength) {
    problems.push({ code: 'TOO_LONG', attribute });
    return undefined;
  }
  return value || undefined;
}

/** An item id: `data-lr-item` on a tile, `data-lr-view` on a product page. */
export function readId(el: Element, attribute: string, problems: Problems): string | undefined {
  const id = raw(el, attribute);
  if (!id) problems.push({ code: 'EMPTY_ID', attribute });
  else if (id.length > LIMITS.maxIdLength) problems.push({ code: 'ID_TOO_LONG', attribute });
  else return id;
  return undefined;
}

export function readNumber(el: Element, attribute: string, problems: Problems): number | undefined {
  const value = raw(el, attribute);
  if (!value) return undefined;
  const n = Number(value);
  if (Number.isFinite(n)) return n;
  problems.push({ code: 'BAD_NUMBER', attribute });
  return undefined;
}

export function readFeatures(el: Element, problems: Problems): ItemFeatures | undefined {
  const features: { -readonly [K in keyof ItemFeatures]: ItemFeatures[K] } = {};
  const category = raw(el, 'data-lr-category');
  if (category) {
    const path = category.split('>').map((part) => part.trim()).filter(Boolean);
    const kept = path.filter((part) => part.length <= LIMITS.maxIdLength);
    if (kept.length < path.length) problems.push({ code: 'TOO_LONG', attribute: 'data-lr-category' });
    if (kept.length > LIMITS.maxCategories) problems.push({ code: 'CATEGORY_TOO_DEEP', attribute: 'data-lr-category' });
    if (kept.length) features.category = kept.slice(0, LIMITS.maxCategories);
  }
  const price = raw(el, 'data-lr-price');
  if (price) {
    const value = parsePrice(price);
    if (value === undefined) problems.push({ code: 'BAD_PRICE', attribute: 'data-lr-price' });
    else features.price = value;
  }
  const brand = readText(el, 'data-lr-brand', problems);
  if (brand) features.brand = brand;
  const title = raw(el, 'data-lr-title');
  if (title) features.text = title.slice(0, LIMITS.maxTextLength);
  const tags = list(raw(el, 'data-lr-tags'), 'data-lr-tags', LIMITS.maxTags, problems);
  if (tags.length) features.tags = tags;
  let budget: number = LIMITS.maxAttributes;
  const attributes: Record<string, string | string[]> = {};
  for (const { name, value } of Array.from(el.attributes)) {
    if (!name.startsWith(ATTR_PREFIX) || name.length === ATTR_PREFIX.length) continue;
    const values = list(value, name, budget, problems);
    if (!values.length) continue;
    budget -= values.length;
    attributes[name.slice(ATTR_PREFIX.length)] = values.length === 1 ? values[0]! : values;
  }
  if (budget < LIMITS.maxAttributes) features.attributes = attributes;
  return Object.keys(features).length ? features : undefined;
}
