/**
 * Candidates validated and packed for the worker on the main thread, in a bounded time: a shop
 * reranks the same products again and again (filters, pages, a re-render), so the validated form
 * of each item's features is kept by id, beside a copy of the features as the page passed them.
 * When the page passes equal features again (a deep comparison, no allocation), the checks they
 * passed hold again and their JSON is reused; and when this worker already holds that JSON, it is
 * not even sent: the candidate is marked `known`, travels as the packer's number for its item (no
 * string to clone) and the worker uses its own copy. When the page passes the very features object
 * of the last call for such an item, the comparison waits until the call is posted (`verify`): it
 * runs while the worker ranks, and a change made in place sends the call again. Items new to the
 * page are validated in slices of at most `SLICE_MS`, the page getting the main thread back between
 * them, so a first long list never makes a long task. Anything the fast path is unsure of (a bad or
 * unusual candidate, an embedding) goes through `checkCandidates`, which throws the same typed
 * error it always did.
 */
import type { OnCut } from '../shared/feature-limits';
import { LIMITS } from '../shared/limits';
import { packCandidates, type PackedCandidates } from '../shared/protocol';
import type { ItemFeatures } from '../shared/types';
import { checkCandidates, checkFeatures } from '../shared/validate';

/** Items whose validated features the page keeps (the oldest go first). */
const CACHE_LIMIT = 50_000;
/** The largest float32: a score beyond it is refused (validate.ts). */
const FLOAT32_MAX = 3.4028234663852886e38;
/** Features nested deeper than this are not kept (they are validated every time). */
const MAX_DEPTH = 4;
/** The longest the packer holds the main thread at a time, ms. */
const SLICE_MS = 4;
/** Candidates between two looks at the clock. */
const CHECK_EVERY = 256;

export interface Entry {
  /** The call that last saw this id: a second sighting in the same call is a duplicate. */
  call: number;
  /** A copy of the features as passed (plain data), or undefined when they cannot be compared. */
  raw: unknown;
  json: string | null;
  /** What validation cut of these features to the limits, told again on every call that passes them. */
  cuts: Array<Parameters<OnCut>> | null;
  /** The worker generation that holds `json` for this id (-1: none). */
  sentTo: number;
  /** This item's number on the wire (`PackedCandidates.handles`): never reused by this packer. */
  handle: number;
  /** The features object passed last for this id (by identity; `raw` holds its values as validated). */
  seen: unknown;
}

export interface Packed {
  /** Every candidate's id, in the order passed (what the answer's indices refer to). */
  ids: string[];
  packed: PackedCandidates;
  transfer: ArrayBuffer[];
  /** Call `delivered()` with this once the worker has answered: then it holds these features. */
  receipt: Receipt | null;
  /** Main-thread time the pack took, ms (its slices, without the pauses between them). */
  busyMs: number;
  /**
   * Compares the features objects the pack took on trust (the same objects as the last call's) with
   * what was validated; false when one changed in place: then pack again (`trust: false`) and post
   * that. Call it right after posting, so that it runs while the worker ranks.
   */
  verify(): boolean;
}

/** What one pack sent: each item's entry and the JSON it carried. */
export interface Receipt {
  generation: number;
  sent: Array<[Entry, string | null]>;
}

export class CandidatePacker {
  private readonly entries = new Map<string, Entry>();
  private calls = 0;
  private handles = 0;
  /** One pack at a time: a pack that yields the main thread keeps its marks to itself. */
  private packing: Promise<unknown> = Promise.resolve();

  /**
   * Validates `input` as `checkCandidates` does and packs it for the worker of `generation`;
   * candidates whose features that worker already holds travel without them (`known`). What is cut
   * to the limits is told to `onCut`, as `checkCandidates` tells it, on every call.
   */
  pack(input: unknown, generation: number, onCut?: OnCut, trust = true): Promise<Packed> {
    const packed = this.packing.then(async () => {
      let fast: { packed: Packed; cuts: Array<Parameters<OnCut>> } | null = null;
      try {
        if (Array.isArray(input) && input.length <= LIMITS.maxCandidates) fast = await this.tryPack(input, generation, trust);
      } catch {
        // Unreadable input (a revoked Proxy): the reference check says what is wrong with it.
      }
      if (fast) {
        // Told only once the whole list passed: a list that falls back is told by checkCandidates.
        if (onCut) for (const [field, kind] of fast.cuts) onCut(field, kind);
        return fast.packed;
      }
      const start = performance.now();
      const checked = packCandidates(checkCandidates(input, onCut));
      return { ids: checked.packed.ids, ...checked, receipt: null, busyMs: performance.now() - start, verify: () => true };
    });
    this.packing = packed.catch(() => undefined);
    return packed;
  }

  /** The worker answered the call of `receipt`: it holds the features sent, unless they changed since. */
  delivered(receipt: Receipt | null): void {
    if (!receipt) return;
    for (const [entry, json] of receipt.sent) if (entry.json === json) entry.sentTo = receipt.generation;
  }

  /** The worker lost what it held (a restart, `forget()`): the next pack sends every item's features. */
  forgetSent(): void {
    for (const entry of this.entries.values()) entry.sentTo = -1;
  }

  private async tryPack(input: readonly unknown[], generation: number, trust: boolean): Promise<{ packed: Packed; cuts: Array<Parameters<OnCut>> } | null> {
    const call = ++this.calls;
    let slice = performance.now();
    let busyMs = 0;
    const n = input.length;
    this.trim(n);
    const ids = new Array<string>(n);
    const sentIds: string[] = [];
    const features: Array<string | null> = [];
    const known = new Uint8Array(n);
    const handles = new Int32Array(n);
    const sent: Receipt['sent'] = [];
    const cuts: Array<Parameters<OnCut>> = [];
    /** Entries taken on trust, each with the object passed for it: compared by `verify`. */
    const trusted: Array<[Entry, unknown]> = [];
    let scores: Float64Array | null = new Float64Array(n);
    try {
      for (let i = 0; i < n; i++) {
        if (i % CHECK_EVERY === 0 && i > 0 && performance.now() - slice > SLICE_MS) {
          busyMs += performance.now() - slice;
          await yieldToPage();
          slice = performance.now();
        }
        const c = input[i] as { id?: unknown; score?: unknown; features?: unknown; embedding?: unknown } | null;
        if (typeof c !== 'object' || c === null || Array.isArray(c) || c.embedding !== undefined) return null;
        const id = idOf(c.id);
        if (id === null) return null;
        let entry = this.entries.get(id);
        if (entry?.call === call) return null;
        const score = c.score;
        if (score === undefined) scores = null;
        else if (typeof score !== 'number' || !(Math.abs(score) <= FLOAT32_MAX)) return null;
        else if (scores) scores[i] = score;
        const raw = c.features;
        if (!entry) {
          entry = { call, raw: undefined, json: null, cuts: null, sentTo: -1, handle: ++this.handles, seen: undefined };
          this.entries.set(id, entry);
        }
        entry.call = call;
        if (trust && raw !== undefined && raw === entry.seen && entry.raw !== undefined && entry.sentTo === generation) {
          trusted.push([entry, raw]);
        } else if (raw === undefined ? entry.raw !== undefined || entry.json !== null : entry.raw === undefined || !same(raw, entry.raw, 0)) {
          const cut: Array<Parameters<OnCut>> = [];
          const checked = raw === undefined ? null : checkFeatures(raw, `candidate ${i}.features`, 'INVALID_CANDIDATES', (field, kind) => cut.push([field, kind]));
          const json = checked === null ? null : JSON.stringify(checked satisfies ItemFeatures);
          entry.raw = raw === undefined ? undefined : copy(raw, 0);
          entry.cuts = cut.length > 0 ? cut : null;
          if (json !== entry.json) entry.sentTo = -1;
          entry.json = json;
          entry.seen = raw;
        } else entry.seen = raw;
        if (entry.cuts) cuts.push(...entry.cuts);
        ids[i] = id;
        handles[i] = entry.handle;
        if (entry.sentTo === generation) known[i] = 1;
        else {
          sentIds.push(id);
          features.push(entry.json);
          sent.push([entry, entry.json]);
        }
      }
    } catch {
      return null;
    }
    const transfer: ArrayBuffer[] = [known.buffer, handles.buffer];
    if (scores && n > 0) transfer.push(scores.buffer as ArrayBuffer);
    busyMs += performance.now() - slice;
    const packed = { ids: sentIds, handles, scores: n > 0 ? scores : null, features, embeddings: null, known };
    const verify = () => {
      let held = true;
      for (const [entry, raw] of trusted) {
        if (same(raw, entry.raw, 0)) continue;
        entry.seen = undefined;
        held = false;
      }
      return held;
    };
    return { packed: { ids, packed, transfer, receipt: { generation, sent }, busyMs, verify }, cuts };
  }

  /** Keeps the cache bounded; what this call adds comes after, so it is never dropped mid-call. */
  private trim(incoming: number): void {
    const excess = this.entries.size + incoming - CACHE_LIMIT;
    if (excess <= 0) return;
    let left = excess;
    for (const id of this.entries.keys()) {
      if (left-- <= 0) break;
      this.entries.delete(id);
    }
  }
}

/**
 * Gives the main thread back to the page for a moment: a message to ourselves is a task of its own
 * (and, unlike a timer, is not slowed down in a background tab).
 */
function yieldToPage(): Promise<void> {
  return new Promise((resolve) => {
    const { port1, port2 } = new MessageChannel();
    port1.onmessage = () => {
      port1.close();
      resolve();
    };
    port2.postMessage(null);
  });
}

/** A candidate id as validation accepts it, or null when validation has to say what is wrong. */
function idOf(value: unknown): string | null {
  if (typeof value === 'string') return value.length > 0 && value.length <= LIMITS.maxIdLength ? value : null;
  return typeof value === 'number' && Number.isFinite(value) ? String(value) : null;
}

function isPlain(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A copied plain object: its keys in enumeration order, and their values. */
class Copied {
  constructor(
    readonly keys: string[],
    readonly values: unknown[],
  ) {}
}

/** A copy of plain data (objects, arrays, primitives); undefined when it holds anything else. */
function copy(value: unknown, depth: number): unknown {
  if (typeof value !== 'object' || value === null) return typeof value === 'function' || typeof value === 'symbol' ? undefined : value;
  if (depth >= MAX_DEPTH) return undefined;
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      out[i] = copy(item, depth + 1);
      if (out[i] === undefined && item !== undefined) return undefined;
    }
    return out;
  }
  if (!isPlain(value)) return undefined;
  const keys: string[] = [];
  const values: unknown[] = [];
  for (const key in value) {
    const item = (value as Record<string, unknown>)[key];
    const copied = copy(item, depth + 1);
    if (copied === undefined && item !== undefined) return undefined;
    keys.push(key);
    values.push(copied);
  }
  return new Copied(keys, values);
}

/**
 * Whether `value` (as passed now) equals `kept` (a copy of what was validated), as plain data: the
 * same keys in the same order, the same primitives. No allocation: it runs for every candidate.
 */
function same(value: unknown, kept: unknown, depth: number): boolean {
  if (typeof value !== 'object' || value === null) return value === kept;
  if (typeof kept !== 'object' || kept === null || depth >= MAX_DEPTH) return false;
  if (Array.isArray(value)) {
    if (!Array.isArray(kept) || value.length !== kept.length) return false;
    for (let i = 0; i < value.length; i++) if (!same(value[i], kept[i], depth + 1)) return false;
    return true;
  }
  if (!(kept instanceof Copied) || !isPlain(value)) return false;
  const { keys, values } = kept;
  let j = 0;
  for (const key in value) {
    if (j >= keys.length || keys[j] !== key || !same((value as Record<string, unknown>)[key], values[j], depth + 1)) return false;
    j++;
  }
  return j === keys.length;
}
