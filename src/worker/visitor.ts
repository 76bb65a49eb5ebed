/**
 * What the engine holds in memory about the visitor, derived from their stored events and rebuilt
 * only when needed: the recent interactions with their items' features, the taste learned from
 * them, and the items they were ever shown. Storage stays the truth: every write, removal or
 * reload tells this module, which drops what depended on it. (The model part keeps the user
 * tower's vector, computed again whenever `interactions()` hands it a new history.)
 */
import type { ItemFeatures, StoredEvent } from '../shared/types';
import { RecentInteractions } from './history';
import type { ItemCache } from './item-cache';
import type { HistoryItem } from './model/scorer';
import type { Store } from './store';
import { Taste } from './ranking/taste';

/** Interactions the taste reads (it keeps the latest 64; older ones weigh under 1e-6). */
const TASTE_MEMORY = 64;

export interface VisitorDeps {
  /** Most recent interactions the model reads (its manifest's `config.maxHistory`). */
  maxHistory: number;
  store: Store;
  items: ItemCache;
}

export class Visitor {
  private readonly history = new RecentInteractions();
  private recent: { items: HistoryItem[]; taste: Taste } | null = null;
  /** Items with any stored event (shown or used), for `explore`; read from storage when first needed. */
  private shown: Set<string> | null = null;

  constructor(private readonly deps: VisitorDeps) {}

  /** Every stored event, at start-up or after another tab changed them. */
  reset(events: readonly StoredEvent[]): void {
    this.history.reset(events);
    this.forgetDerived();
  }

  /** Events just stored; returns how many of them are interactions (which change the taste). */
  added(events: readonly StoredEvent[]): number {
    for (const event of events) this.shown?.add(event.itemId);
    const interactions = this.history.add(events);
    if (interactions > 0) this.recent = null;
    return interactions;
  }

  /** Storage deleted these events (retention, quota, a record that failed validation). */
  removed(ids: readonly string[]): void {
    this.history.remove(ids);
    this.forgetDerived();
  }

  /** `forget()`: nothing of the visitor is left. */
  clear(): void {
    this.history.clear();
    this.forgetDerived();
  }

  private forgetDerived(): void {
    this.recent = null;
    this.shown = null;
  }

  /**
   * The recent interactions with item features filled in (from the candidates seen on this page,
   * else from the items remembered in storage), and the taste learned from them.
   */
  async interactions(): Promise<{ items: HistoryItem[]; taste: Taste }> {
    if (this.recent) return this.recent;
    const { items: cache, store } = this.deps;
    const items = await this.history.items(Math.max(this.deps.maxHistory, TASTE_MEMORY), async (ids) => {
      const found = new Map<string, ItemFeatures>();
      const stored: string[] = [];
      for (const id of ids) {
        const features = cache.featuresOf(id);
        if (features) found.set(id, features);
        else stored.push(id);
      }
      if (stored.length > 0) for (const [id, features] of await store.itemFeatures(stored)) found.set(id, features);
      return found;
    });
    this.recent = { items, taste: Taste.of(items) };
    return this.recent;
  }

  async shownItems(): Promise<ReadonlySet<string>> {
    this.shown ??= new Set((await this.deps.store.events()).map((e) => e.itemId));
    return this.shown;
  }
}
