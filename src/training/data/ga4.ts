/**
 * The GA4 BigQuery export (`events_YYYYMMDD` tables exported as newline-delimited JSON): one row
 * per event with `user_pseudo_id`, `event_timestamp` (µs), `event_name` and `items[]`. Each item
 * of an e-commerce event becomes an interaction, and the item's fields describe the catalogue.
 */
import type { ItemFeatures } from '../../shared/types';
import { parsePrice } from './catalogue';

/** A row of the export, as far as training reads it. */
export interface Ga4Row {
  user_pseudo_id?: unknown;
  user_id?: unknown;
  event_timestamp?: unknown;
  event_name?: unknown;
  items?: unknown;
}

export interface Ga4Item {
  item_id?: unknown;
  item_name?: unknown;
  item_brand?: unknown;
  item_variant?: unknown;
  item_category?: unknown;
  item_category2?: unknown;
  item_category3?: unknown;
  item_category4?: unknown;
  item_category5?: unknown;
  price?: unknown;
  price_in_usd?: unknown;
}

const NOT_SET = '(not set)';

/** A GA4 string field, or undefined when empty, null or GA4's `(not set)`. */
export function ga4String(value: unknown): string | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const text = String(value).trim();
  return text && text !== NOT_SET ? text : undefined;
}

/** True for a row that looks like the export (used to tell it from plain JSON Lines events). */
export function isGa4Row(value: unknown): boolean {
  if (!value || typeof value !== 'object') return false;
  const row = value as Record<string, unknown>;
  return 'event_name' in row && 'event_timestamp' in row && ('user_pseudo_id' in row || 'items' in row);
}

/** The catalogue facts an item carries: category path, brand, price, name, variant. */
export function ga4ItemFeatures(item: Ga4Item): ItemFeatures | undefined {
  const f: { -readonly [K in keyof ItemFeatures]: ItemFeatures[K] } = {};
  const path = [item.item_category, item.item_category2, item.item_category3, item.item_category4, item.item_category5]
    .map(ga4String)
    .filter((v): v is string => v !== undefined);
  if (path.length > 0) f.category = path;
  const brand = ga4String(item.item_brand);
  if (brand) f.brand = brand;
  const name = ga4String(item.item_name);
  if (name) f.text = name;
  const price = parsePrice(item.price ?? item.price_in_usd ?? undefined);
  if (price !== undefined) f.price = price;
  const variant = ga4String(item.item_variant);
  if (variant) f.attributes = { variant };
  return Object.keys(f).length > 0 ? f : undefined;
}
