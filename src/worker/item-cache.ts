/**
 * What the engine knows about the candidates a page shows, cached by id between reranks: each
 * item's tokens (for the taste signals) and whether the model knows anything of it (which decides
 * whether loading the model part can help). An entry keeps the features JSON it was computed from,
 * so a string comparison tells a hit; features are parsed only for new items.
 */
import type { PackedCandidates } from '../shared/protocol';
import type { ItemFeatures } from '../shared/types';
import { itemTokens, type ItemTokens } from './ranking/taste';

const CACHE_LIMIT = 50_000;
/** Items reported for remembering per call: bounds the IndexedDB work one rerank can queue. */
const REMEMBER_PER_CALL = 2000;

interface CachedItem {
  id: string;
  /** The page's number for this item (`PackedCandidates.handles`), 0 when it sent none. */
  handle: number;
  features: string | null;
  tokens: ItemTokens;
  /** The model's manifest knows its id or one of its content tokens. */
  known: boolean;
  /** Already handed out for remembering in storage (once per features version). */
  remembered: boolean;
}

export interface PreparedItems {
  /** The candidates' ids: the same array as the previous call's when the list is the same. */
  ids: readonly string[];
  /** The page's numbers of the candidates, when it sent them. */
  handles: Int32Array | null;
  tokens: ItemTokens[];
  /** Each candidate's features JSON, `known` ones taken from this cache. */
  features: Array<string | null>;
  /** Some candidate is known to the model's manifest: its term could count here. */
  known: boolean;
  /** Items new to this cache (or whose features changed), to remember in storage once. */
  remember: { id: string; features: ItemFeatures }[];
}

export class ItemCache {
  private readonly entries = new Map<string, CachedItem>();
  /** The same entries by the page's number for them: a known candidate travels as its number alone. */
  private readonly byHandle = new Map<number, CachedItem>();
  /**
   * The last list prepared, when every one of its items is remembered: the same list again, every
   * item's features held, is answered with the same arrays (a page reranks one list many times),
   * which also tells the model part that nothing changed.
   */
  private last: PreparedItems | null = null;

  /** `knows`: whether the model knows anything of an item (its manifest's ids and tokens). */
  constructor(private readonly knows: (id: string, features: ItemFeatures | undefined) => boolean = () => false) {}

  /**
   * Tokens of every candidate, from the cache or computed now; null when a candidate the page marks
   * `known` is not in the cache (evicted, or wiped by `forget()`): the page then sends them all.
   */
  prepare(candidates: Pick<PackedCandidates, 'ids' | 'features' | 'known' | 'handles'>): PreparedItems | null {
    const { known: marked } = candidates;
    const handles = marked && candidates.handles ? candidates.handles : null;
    const last = this.last;
    if (last && marked && allSet(marked) && (handles ? sameHandles(handles, last.handles) : sameIds(candidates.ids, last.ids))) return last;
    const n = marked ? marked.length : candidates.ids.length;
    const ids = new Array<string>(n);
    const tokens = new Array<ItemTokens>(n);
    const features = new Array<string | null>(n);
    const remember: PreparedItems['remember'] = [];
    let known = false;
    let sent = 0;
    let complete = true;
    for (let i = 0; i < n; i++) {
      let entry: CachedItem | undefined;
      if (marked?.[i]) {
        entry = handles ? this.byHandle.get(handles[i]) : this.entries.get(candidates.ids[i]);
        if (!entry) return null;
      } else {
        // Sent: with `known`, the unmarked candidates' ids (with handles) and features come in order.
        const k = marked ? sent++ : i;
        const id = candidates.ids[handles ? k : i];
        const json = candidates.features[k] ?? null;
        entry = this.entries.get(id);
        if (!entry || entry.features !== json) {
          const parsed = json === null ? undefined : (JSON.parse(json) as ItemFeatures);
          entry = { id, handle: 0, features: json, tokens: itemTokens(parsed), known: this.knows(id, parsed), remembered: false };
          this.set(id, entry);
        }
        if (handles) this.bind(handles[i], entry);
      }
      ids[i] = entry.id;
      tokens[i] = entry.tokens;
      features[i] = entry.features;
      known ||= entry.known;
      if (entry.features !== null && !entry.remembered) {
        if (remember.length < REMEMBER_PER_CALL) {
          entry.remembered = true;
          remember.push({ id: entry.id, features: JSON.parse(entry.features) as ItemFeatures });
        } else complete = false;
      }
    }
    this.last = complete ? { ids, handles, tokens, features, known, remember: [] } : null;
    return { ids, handles, tokens, features, known, remember };
  }

  /** The tokens of an item seen in a recent candidate list, if any. */
  tokensOf(id: string): ItemTokens | undefined {
    return this.entries.get(id)?.tokens;
  }

  /** The features JSON of an item seen in a recent candidate list, if any. */
  featuresOf(id: string): ItemFeatures | undefined {
    const json = this.entries.get(id)?.features;
    return json ? (JSON.parse(json) as ItemFeatures) : undefined;
  }

  /** Forget everything (a new model or backend, or `forget()`). */
  clear(): void {
    this.entries.clear();
    this.byHandle.clear();
    this.last = null;
  }

  private set(id: string, entry: CachedItem): void {
    const replaced = this.entries.get(id);
    if (replaced) this.unbind(replaced);
    else if (this.entries.size >= CACHE_LIMIT) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) {
        this.unbind(this.entries.get(oldest)!);
        this.entries.delete(oldest);
      }
    }
    this.entries.set(id, entry);
  }

  /** The page numbers this item `handle` from now on (a page that evicted it gives it a new one). */
  private bind(handle: number, entry: CachedItem): void {
    if (entry.handle === handle && this.byHandle.get(handle) === entry) return;
    this.unbind(entry);
    entry.handle = handle;
    this.byHandle.set(handle, entry);
  }

  private unbind(entry: CachedItem): void {
    if (entry.handle !== 0 && this.byHandle.get(entry.handle) === entry) this.byHandle.delete(entry.handle);
  }
}

function sameHandles(a: Int32Array, b: Int32Array | null): boolean {
  if (!b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function allSet(flags: Uint8Array): boolean {
  for (let i = 0; i < flags.length; i++) if (flags[i] !== 1) return false;
  return true;
}

function sameIds(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
