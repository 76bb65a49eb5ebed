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

/** The same event for the same item from two sources (markup and dataLayer) within this window counts once. */
const REPEAT_MS = 2000;

/** Impressions count once per item per page; other events once per item within {@link REPEAT_MS}. */
export class RepeatFilter {
  private readonly last = new Map<string, number>();

  isRepeat(event: TrackEvent, now: number): boolean {
    const key = `${event.type}\u0000${event.itemId}`;
    const last = this.last.get(key);
    if (last !== undefined && (event.type === 'impression' || now - last < REPEAT_MS)) return true;
    if (this.last.size > 10_000) this.last.clear();
    this.last.set(key, now);
    return false;
  }
}
