/**
 * Interaction logs for pretraining and evaluation (Node only): the `user item item ...` text
 * format (Amazon Beauty/Sports as preprocessed for S3-Rec) and a MovieLens 100K folder.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { EventType, ItemFeatures } from '../shared/types';

/** Spacing of synthetic event times for logs without timestamps (the eval replays the same). */
export const SYNTHETIC_GAP_MS = 24 * 3600 * 1000;
export const SYNTHETIC_START_MS = Date.UTC(2024, 0, 1);

export interface Sequence {
  user: string;
  /** Item rows (1-based indices into `Dataset.itemIds`), oldest first. */
  items: Int32Array;
  /** Event times, ms. */
  times: Float64Array;
}

export interface Dataset {
  name: string;
  /** Item ids; row r of the model's table is itemIds[r - 1]. */
  itemIds: string[];
  /** Content features per item, aligned with itemIds (absent for logs without a catalogue). */
  features?: ItemFeatures[];
  /** Event type of every interaction in this log. */
  eventType: EventType;
  sequences: Sequence[];
  /** True when times are real timestamps, false when they are evenly spaced synthetic ones. */
  timestamps: boolean;
}

function syntheticTimes(n: number): Float64Array {
  const t = new Float64Array(n);
  for (let i = 0; i < n; i++) t[i] = SYNTHETIC_START_MS + i * SYNTHETIC_GAP_MS;
  return t;
}

/** `user item item ...`, one user per line, items in time order. Item ids keep their spelling. */
export function readSequenceFile(path: string, name = path): Dataset {
  const rows = new Map<string, number>();
  const itemIds: string[] = [];
  const sequences: Sequence[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const parts = line.trim().split(/\s+/);
    if (parts.length < 2 || !parts[0]) continue;
    const items = new Int32Array(parts.length - 1);
    for (let i = 1; i < parts.length; i++) {
      let row = rows.get(parts[i]);
      if (row === undefined) {
        itemIds.push(parts[i]);
        row = itemIds.length;
        rows.set(parts[i], row);
      }
      items[i - 1] = row;
    }
    sequences.push({ user: parts[0], items, times: syntheticTimes(items.length) });
  }
  return { name, itemIds, eventType: 'purchase', sequences, timestamps: false };
}

/** MovieLens 100K: u.data sorted by time per user; titles (latin-1), year and genres as features. */
export function readMovieLens(dir: string, name = 'ml-100k'): Dataset {
  const genres = readFileSync(join(dir, 'u.genre'), 'latin1')
    .split('\n')
    .map((l) => l.split('|'))
    .filter((p) => p.length === 2 && p[0])
    .sort((a, b) => Number(a[1]) - Number(b[1]))
    .map((p) => p[0]);
  const itemIds: string[] = [];
  const features: ItemFeatures[] = [];
  const rows = new Map<string, number>();
  for (const line of readFileSync(join(dir, 'u.item'), 'latin1').split('\n')) {
    const p = line.split('|');
    if (p.length < 5 + genres.length) continue;
    const flags = p.slice(5, 5 + genres.length);
    const category = genres.filter((g, i) => flags[i] === '1' && g !== 'unknown');
    itemIds.push(p[0]);
    rows.set(p[0], itemIds.length);
    features.push({ category, text: p[1] });
  }
  const byUser = new Map<string, Array<{ row: number; time: number }>>();
  for (const line of readFileSync(join(dir, 'u.data'), 'latin1').split('\n')) {
    const p = line.trim().split(/\s+/);
    if (p.length < 4) continue;
    const row = rows.get(p[1]);
    if (row === undefined) continue;
    const list = byUser.get(p[0]) ?? [];
    list.push({ row, time: Number(p[3]) * 1000 });
    byUser.set(p[0], list);
  }
  const sequences: Sequence[] = [];
  for (const [user, list] of [...byUser].sort((a, b) => Number(a[0]) - Number(b[0]))) {
    list.sort((a, b) => a.time - b.time || a.row - b.row);
    sequences.push({
      user,
      items: Int32Array.from(list, (e) => e.row),
      times: Float64Array.from(list, (e) => e.time),
    });
  }
  return { name, itemIds, features, eventType: 'click', sequences, timestamps: true };
}

/** A folder holding u.data is MovieLens; anything else is the `user item ...` format. */
export function readDataset(path: string): Dataset {
  const name = path.replace(/\/+$/, '').split('/').pop()?.replace(/\.txt$/, '') ?? path;
  if (statSync(path).isDirectory()) return readMovieLens(path, name);
  return readSequenceFile(path, name);
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
    sequences.push({ user: s.user, items: Int32Array.from(idx, (i) => remap[s.items[i]]), times: Float64Array.from(idx, (i) => s.times[i]) });
  }
  return {
    ...data,
    itemIds: keep.map((r) => data.itemIds[r - 1]),
    features: data.features ? keep.map((r) => data.features![r - 1]) : undefined,
    sequences,
  };
}
