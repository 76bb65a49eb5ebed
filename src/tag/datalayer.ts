/**
 * GA4 e-commerce ingestion. A shop that runs Google Tag Manager or gtag.js already pushes
 * `view_item`, `select_item`, `view_item_list`, `add_to_cart`, `remove_from_cart` and `purchase`
 * with an `items` array; each item becomes one localrank event, so no new instrumentation is needed.
 */
import type { EventType, ItemFeatures, TrackEvent } from '../shared/types';
import { parsePrice } from './price';

const GA4_EVENTS = new Map<string, EventType>([
  ['view_item', 'view'],
  ['select_item', 'click'],
  ['view_item_list', 'impression'],
  ['add_to_cart', 'add_to_cart'],
  ['remove_from_cart', 'remove_from_cart'],
  ['purchase', 'purchase'],
]);

/** A longer `items` array is cut: one push must not flood the store. */
const MAX_ITEMS = 200;

type Dict = Record<string, unknown>;

function isDict(value: unknown): value is Dict {
  return value != null && typeof value === 'object';
}

function text(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed && trimmed.length <= 256 ? trimmed : undefined;
}

function amount(value: unknown): number | undefined {
  const n = typeof value === 'string' ? parsePrice(value) : value;
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : undefined;
}

function features(item: Dict): ItemFeatures | undefined {
  const out: ItemFeatures = {};
  const category = ['item_category', 'item_category2', 'item_category3', 'item_category4', 'item_category5']
    .map((key) => text(item[key]))
    .filter((part): part is string => part !== undefined);
  if (category.length) out.category = category;
  const price = amount(item.price);
  if (price !== undefined) out.price = price;
  const brand = text(item.item_brand);
  if (brand) out.brand = brand;
  const name = text(item.item_name);
  if (name) out.text = name;
  return Object.keys(out).length ? out : undefined;
}

/**
 * The localrank events in one data-layer entry: GTM style `{event: 'add_to_cart', ecommerce: {items}}`
 * or gtag style `['event', 'add_to_cart', {items}]` (gtag pushes its `arguments`). Anything else,
 * including items without an `item_id`, yields nothing.
 */
export function eventsFromDataLayer(entry: unknown, time: number): TrackEvent[] {
  let name: unknown;
  let params: unknown;
  if (Array.isArray(entry) || Object.prototype.toString.call(entry) === '[object Arguments]') {
    const args = entry as ArrayLike<unknown>;
    if (args[0] !== 'event') return [];
    name = args[1];
    params = args[2];
  } else if (isDict(entry)) {
    name = entry.event;
    params = entry.ecommerce;
  }
  const type = typeof name === 'string' ? GA4_EVENTS.get(name) : undefined;
  if (!type || !isDict(params) || !Array.isArray(params.items)) return [];

  const listId = text(params.item_list_id) ?? text(params.item_list_name);
  const events: TrackEvent[] = [];
  for (const item of params.items.slice(0, MAX_ITEMS)) {
    if (!isDict(item)) continue;
    const itemId = text(item.item_id);
    if (!itemId) continue;
    const event: TrackEvent = { type, itemId, time };
    const itemList = text(item.item_list_id) ?? text(item.item_list_name) ?? listId;
    if (itemList) event.listId = itemList;
    const index = item.index;
    if (typeof index === 'number' && Number.isInteger(index) && index >= 0) event.position = index;
    const itemFeatures = features(item);
    if (itemFeatures) event.features = itemFeatures;
    events.push(event);
  }
  return events;
}

const watched = new WeakSet<object>();

/**
 * Learns from `host[name]` (normally `window.dataLayer`): replays the entries already there, then
 * wraps its `push` so later entries are read right after the original `push` ran. The page's own
 * `push` keeps its result and its exceptions; a failure in reading an entry is swallowed.
 * Returns false when there is no such array yet (it is never created, so the page is unchanged).
 */
export function watchDataLayer(
  host: Dict,
  name: string,
  onEvents: (events: TrackEvent[]) => void,
  now: () => number = Date.now,
): boolean {
  const layer = host[name];
  if (!Array.isArray(layer)) return false;
  if (watched.has(layer)) return true;
  watched.add(layer);

  const read = (entries: readonly unknown[]): void => {
    try {
      const time = now();
      const events = entries.flatMap((entry) => eventsFromDataLayer(entry, time));
      if (events.length) onEvents(events);
    } catch (error) {
      console.debug('[localrank] dataLayer entry ignored', error);
    }
  };

  const existing = layer.slice();
  const original = layer.push;
  layer.push = function push(this: unknown, ...entries: unknown[]): number {
    const result = original.apply(this, entries);
    read(entries);
    return result;
  };
  read(existing);
  return true;
}
