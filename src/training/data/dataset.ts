/**
 * The in-memory form of an interaction log (Node only): per-user item sequences as compact typed
 * arrays plus the item vocabulary. Readers of the file formats live in `event-readers.ts`.
 */
import type { EventType, ItemFeatures } from '../../shared/types';

/** Spacing of synthetic event times for logs without timestamps (the eval replays the same). */
export const SYNTHETIC_GAP_MS = 24 * 3600 * 1000;
export const SYNTHETIC_START_MS = Date.UTC(2024, 0, 1);

export interface Sequence {
  user: string;
  /** Item rows (1-based indices into `Dataset.itemIds`), oldest first. */
  items: Int32Array;
  /** Event times, ms. */
  times: Float64Array;
  /** Each event's type as an index into EVENT_TYPES; absent: every event is `Dataset.eventType`. */
  types?: Uint8Array;
}

export interface Dataset {
  name: string;
  /** Item ids; row r of the model's table is itemIds[r - 1]. */
  itemIds: string[];
  /** Content features per item, aligned with itemIds (absent for logs without a catalogue). */
  features?: ItemFeatures[];
  /** Event type of interactions whose sequence has no `types`. */
  eventType: EventType;
  sequences: Sequence[];
  /** True when times are real timestamps, false when they are evenly spaced synthetic ones. */
  timestamps: boolean;
}

/** Events `[start, end)` of a sequence, sharing its memory. */
export function sliceSequence(s: Sequence, start: number, end: number): Sequence {
  const out: Sequence = { user: s.user, items: s.items.subarray(start, end), times: s.times.subarray(start, end) };
  if (s.types) out.types = s.types.subarray(start, end);
  return out;
}

/** Item counts over the pretraining sequences: the "server order" baseline. */
export function popularity(data: Dataset, train: readonly Sequence[]): Float64Array {
  const counts = new Float64Array(data.itemIds.length + 1);
  for (const s of train) for (const r of s.items) counts[r]++;
  return counts;
}

/** Keeps the `maxItems` most frequent items (renumbered) and drops users left with < 2 events. */
export function restrictItems(data: Dataset, maxItems: number): Dataset {
  const counts = new Float64Array(data.itemIds.length + 1);
  for (const s of data.sequences) for (const r of s.items) counts[r]++;
  const keep = [...data.itemIds.keys()]
    .map((i) => i + 1)
    .sort((a, b) => counts[b] - counts[a] || a - b)
    .slice(0, maxItems)
    .sort((a, b) => a - b);
  const remap = new Int32Array(data.itemIds.length + 1);
  keep.forEach((row, i) => (remap[row] = i + 1));
  const sequences: Sequence[] = [];
  for (const s of data.sequences) {
    const idx = [...s.items.keys()].filter((i) => remap[s.items[i]] > 0);
    if (idx.length < 2) continue;
    const seq: Sequence = { user: s.user, items: Int32Array.from(idx, (i) => remap[s.items[i]]), times: Float64Array.from(idx, (i) => s.times[i]) };
    if (s.types) seq.types = Uint8Array.from(idx, (i) => s.types![i]);
    sequences.push(seq);
  }
  return {
    ...data,
    itemIds: keep.map((r) => data.itemIds[r - 1]),
    features: data.features ? keep.map((r) => data.features![r - 1]) : undefined,
    sequences,
  };
}
