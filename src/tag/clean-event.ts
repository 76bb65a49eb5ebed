import type { TrackEvent } from '../shared/types';
import { EVENT_TYPES } from '../shared/types';

/**
 * A valid copy of an event from the page, or null. The engine validates again; cleaning here keeps
 * one bad event from sinking the batch it travels in, also one that throws as it is read (a
 * getter, a revoked Proxy).
 */
export function cleanEvent(value: unknown, now: number): TrackEvent | null {
  try {
    return copyEvent(value, now);
  } catch {
    return null;
  }
}

function copyEvent(value: unknown, now: number): TrackEvent | null {
  if (value == null || typeof value !== 'object') return null;
  const e = value as Record<string, unknown>;
  if (!EVENT_TYPES.includes(e.type as TrackEvent['type'])) return null;
  const itemId = typeof e.itemId === 'string' ? e.itemId.trim() : e.itemId;
  const validId =
    (typeof itemId === 'string' && itemId.length > 0 && itemId.length <= 256) || (typeof itemId === 'number' && Number.isFinite(itemId));
  if (!validId) return null;
  const event: TrackEvent = {
    type: e.type as TrackEvent['type'],
    itemId: itemId as string | number,
    time: typeof e.time === 'number' && Number.isFinite(e.time) ? e.time : now,
  };
  if (typeof e.listId === 'string' && e.listId.trim() && e.listId.length <= 256) event.listId = e.listId.trim();
  if (typeof e.position === 'number' && Number.isInteger(e.position) && e.position >= 0) event.position = e.position;
  if (typeof e.dwellMs === 'number' && Number.isFinite(e.dwellMs) && e.dwellMs >= 0) event.dwellMs = e.dwellMs;
  if (e.features != null && typeof e.features === 'object') {
    const features = { ...(e.features as NonNullable<TrackEvent['features']>) };
    const price = features.price;
    if (price !== undefined && !(typeof price === 'number' && Number.isFinite(price) && price >= 0)) delete features.price;
    event.features = features;
  }
  return event;
}

/** Where an event came from: the markup, the GA4 data layer, or a `localrank('track')` call. */
export type EventSource = 'markup' | 'datalayer' | 'page';

/** Two sources reporting the same event for the same item within this window report it once. */
const TWIN_MS = 2000;

/**
 * Drops events that report what was already recorded:
 * - an impression of an item in a list counts once per page (a list id of its own makes a list);
 * - another event counts once when two sources report it within {@link TWIN_MS} (the markup's
 *   add-to-cart button and the data layer's `add_to_cart` for one click). Each report pairs with at
 *   most one from another source, so genuine repeats (two clicks on add to cart) all count.
 */
export class RepeatFilter {
  private impressions = new Set<string>();
  private readonly recent = new Map<string, Array<{ at: number; source: EventSource; paired: boolean }>>();

  isRepeat(event: TrackEvent, source: EventSource, now: number): boolean {
    const key = `${event.type}\u0000${event.itemId}`;
    if (event.type === 'impression') {
      const listKey = `${key}\u0000${event.listId ?? ''}`;
      if (this.impressions.has(listKey)) return true;
      if (this.impressions.size > 10_000) this.impressions.clear();
      this.impressions.add(listKey);
      return false;
    }
    if (this.recent.size > 10_000) this.recent.clear();
    const reports = (this.recent.get(key) ?? []).filter((r) => now - r.at < TWIN_MS);
    this.recent.set(key, reports);
    const twin = reports.find((r) => !r.paired && r.source !== source);
    if (twin) twin.paired = true;
    else reports.push({ at: now, source, paired: false });
    return twin !== undefined;
  }

  /** A new page of a single-page app: impressions count again. */
  newPage(): void {
    this.impressions = new Set();
  }
}
