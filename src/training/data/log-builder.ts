/**
 * Collects events in any order into per-user sequences sorted by time, in compact typed arrays:
 * 17 bytes per event while reading (user, item, time, type), 13 per event in the result, plus the
 * id vocabularies. Nothing per event is an object, so 10M events fit in a few hundred MB.
 */
import type { Sequence } from './dataset';
import { strength } from './event-types';

const CHUNK_BITS = 20;
const CHUNK = 1 << CHUNK_BITS;
const MASK = CHUNK - 1;

export interface BuildOptions {
  /** Merge consecutive events on the same item into one: the strongest type, the first time. */
  collapseRepeats: boolean;
  /** Order of a user's events with equal times: as read, or by item row (MovieLens). */
  ties: 'arrival' | 'item';
  /** Keep each event's type on the sequences (false: every event has the dataset's type). */
  perEventTypes: boolean;
}

export interface Built {
  itemIds: string[];
  sequences: Sequence[];
  /** Events merged into the one before them by `collapseRepeats`. */
  collapsed: number;
}

export class LogBuilder {
  private readonly userRows = new Map<string, number>();
  private readonly userIds: string[] = [];
  private readonly itemRows = new Map<string, number>();
  readonly itemIds: string[] = [];
  private users: Int32Array[] = [];
  private items: Int32Array[] = [];
  private times: Float64Array[] = [];
  private types: Uint8Array[] = [];
  private count = 0;
  minTime = Infinity;
  maxTime = -Infinity;

  get events(): number {
    return this.count;
  }

  get userCount(): number {
    return this.userIds.length;
  }

  /** Table row (1-based) of an item id, registering it on first sight. */
  itemRow(id: string): number {
    let row = this.itemRows.get(id);
    if (row === undefined) {
      this.itemIds.push(id);
      row = this.itemIds.length;
      this.itemRows.set(id, row);
    }
    return row;
  }

  hasItem(id: string): boolean {
    return this.itemRows.has(id);
  }

  add(user: string, item: string, time: number, type: number): void {
    let u = this.userRows.get(user);
    if (u === undefined) {
      u = this.userIds.length;
      this.userIds.push(user);
      this.userRows.set(user, u);
    }
    const at = this.count & MASK;
    if (at === 0) {
      this.users.push(new Int32Array(CHUNK));
      this.items.push(new Int32Array(CHUNK));
      this.times.push(new Float64Array(CHUNK));
      this.types.push(new Uint8Array(CHUNK));
    }
    const c = this.count >>> CHUNK_BITS;
    this.users[c][at] = u;
    this.items[c][at] = this.itemRow(item);
    this.times[c][at] = time;
    this.types[c][at] = type;
    this.count++;
    if (time < this.minTime) this.minTime = time;
    if (time > this.maxTime) this.maxTime = time;
  }

  /** Groups by user (first-seen order), sorts each user's events by time; empties the builder. */
  finish(options: BuildOptions): Built {
    const n = this.count;
    const users = this.userIds.length;
    const get = <T extends Int32Array | Float64Array | Uint8Array>(chunks: T[], e: number) => chunks[e >>> CHUNK_BITS][e & MASK];
    const start = new Int32Array(users + 1);
    for (let e = 0; e < n; e++) start[get(this.users, e) + 1]++;
    for (let u = 0; u < users; u++) start[u + 1] += start[u];
    const cursor = start.slice(0, users);
    const order = new Int32Array(n);
    for (let e = 0; e < n; e++) order[cursor[get(this.users, e)]++] = e;
    this.users = [];

    const time = (e: number) => get(this.times, e);
    const item = (e: number) => get(this.items, e);
    const byTime =
      options.ties === 'item'
        ? (a: number, b: number) => time(a) - time(b) || item(a) - item(b) || a - b
        : (a: number, b: number) => time(a) - time(b) || a - b;
    const outItems = new Int32Array(n);
    const outTimes = new Float64Array(n);
    const outTypes = options.perEventTypes ? new Uint8Array(n) : null;
    const sequences: Sequence[] = [];
    let w = 0;
    let collapsed = 0;
    for (let u = 0; u < users; u++) {
      const from = start[u];
      const to = start[u + 1];
      const segment = order.subarray(from, to);
      let sorted = true;
      for (let i = 1; i < segment.length && sorted; i++) sorted = byTime(segment[i - 1], segment[i]) <= 0;
      if (!sorted) segment.sort(byTime);
      const first = w;
      for (const e of segment) {
        const row = item(e);
        const type = get(this.types, e);
        if (options.collapseRepeats && w > first && outItems[w - 1] === row) {
          if (outTypes && strength(type) > strength(outTypes[w - 1])) outTypes[w - 1] = type;
          collapsed++;
          continue;
        }
        outItems[w] = row;
        outTimes[w] = time(e);
        if (outTypes) outTypes[w] = type;
        w++;
      }
      if (w === first) continue;
      const seq: Sequence = { user: this.userIds[u], items: outItems.subarray(first, w), times: outTimes.subarray(first, w) };
      if (outTypes) seq.types = outTypes.subarray(first, w);
      sequences.push(seq);
    }
    this.items = [];
    this.times = [];
    this.types = [];
    this.count = 0;
    return { itemIds: this.itemIds, sequences, collapsed };
  }
}
