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
 * including items without an `item_id`, yields nothing. Each item is read on its own: one that
 * throws (a getter, a revoked Proxy) costs only itself.
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
  if (!type || !isDict(params)) return [];
  const items = params.items;
  if (!Array.isArray(items)) return [];

  const listId = guarded(() => text(params.item_list_id) ?? text(params.item_list_name));
  const events: TrackEvent[] = [];
  const count = Math.min(items.length, MAX_ITEMS);
  for (let i = 0; i < count; i++) {
    const event = guarded(() => eventOf(items[i], type, listId, time));
    if (event) events.push(event);
  }
  return events;
}

function eventOf(item: unknown, type: EventType, listId: string | undefined, time: number): TrackEvent | undefined {
  if (!isDict(item)) return undefined;
  const itemId = text(item.item_id);
  if (!itemId) return undefined;
  const event: TrackEvent = { type, itemId, time };
  const itemList = text(item.item_list_id) ?? text(item.item_list_name) ?? listId;
  if (itemList) event.listId = itemList;
  const index = item.index;
  if (typeof index === 'number' && Number.isInteger(index) && index >= 0) event.position = index;
  const itemFeatures = features(item);
  if (itemFeatures) event.features = itemFeatures;
  return event;
}

/** `read()`, or undefined when reading the page's value throws. */
function guarded<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch (error) {
    console.debug('[localrank] dataLayer value ignored', error);
    return undefined;
  }
}

const watched = new WeakSet<object>();

/**
 * Learns from `host[name]` (normally `window.dataLayer`): replays the entries already there, then
 * wraps its `push` so later entries are read right after the original `push` ran. The page's own
 * `push` keeps its result and its exceptions. Every entry is read on its own: one that cannot be
 * read costs only itself, never the entries beside it. Returns false when there is no such array
 * yet (it is never created, so the page is unchanged), or when it cannot be watched.
 */
export function watchDataLayer(
  host: Dict,
  name: string,
  onEvents: (events: TrackEvent[]) => void,
  now: () => number = Date.now,
): boolean {
  const layer = guarded(() => {
    const value = host[name];
    return Array.isArray(value) ? (value as unknown[]) : undefined;
  });
  if (!layer) return false;
  if (watched.has(layer)) return true;

  const read = (entries: ArrayLike<unknown>): void => {
    const time = now();
    const events: TrackEvent[] = [];
    for (let i = 0; i < entries.length; i++) events.push(...(guarded(() => eventsFromDataLayer(entries[i], time)) ?? []));
    if (events.length === 0) return;
    try {
      onEvents(events);
    } catch (error) {
      console.debug('[localrank] dataLayer events ignored', error);
    }
  };

  const existing = guarded(() => {
    const copy: unknown[] = [];
    const length = layer.length;
    for (let i = 0; i < length; i++) copy.push(guarded(() => layer[i]));
    return copy;
  });
  const original = guarded(() => layer.push);
  if (!existing || typeof original !== 'function') return false;
  try {
    layer.push = function push(this: unknown, ...entries: unknown[]): number {
      const result = original.apply(this, entries);
      read(entries);
      return result;
    };
  } catch (error) {
    // A frozen array: nothing later can be learned, what is there still is.
    console.debug('[localrank] dataLayer cannot be watched', error);
  }
  watched.add(layer);
  read(existing);
  return true;
}
