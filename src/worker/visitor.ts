/**
 * What the engine holds in memory about the visitor, derived from their stored events and rebuilt
 * only when needed: the recent interactions with their items' features, the taste learned from
 * them, the user tower's vector, and the items they were ever shown. Storage stays the truth:
 * every write, removal or reload tells this module, which drops what depended on it.
 */
import type { ItemFeatures, StoredEvent } from '../shared/types';
import { historyEvidence } from './model/evidence';
import { RecentInteractions } from './history';
import type { ItemCache } from './item-cache';
import type { PackedCandidates } from '../shared/protocol';
import { dotScores } from './ranking/rerank';
import type { HistoryItem, Scorer } from './model/scorer';
import type { Store } from './store';
import { Taste } from './ranking/taste';

/** Interactions the taste reads (it keeps the latest 64; older ones weigh under 1e-6). */
const TASTE_MEMORY = 64;

export interface VisitorDeps {
  /** The model in use (it changes when a GPU is lost). */
  scorer(): Scorer;
  store: Store;
  items: ItemCache;
  now(): number;
}

/** The model's term of a ranking: its scores and how far to trust each (see signals.ts). */
export interface ModelTerm {
  scores: Float32Array;
  evidence: Float32Array;
}

export class Visitor {
  private readonly history = new RecentInteractions();
  private recent: { items: HistoryItem[]; taste: Taste } | null = null;
  private vector: Float32Array | null = null;
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
    if (interactions > 0) {
      this.recent = null;
      this.vector = null;
    }
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

  /** A new model instance (a lost GPU): its user vector is computed again. */
  modelChanged(): void {
    this.vector = null;
  }

  private forgetDerived(): void {
    this.recent = null;
    this.vector = null;
    this.shown = null;
  }

  /**
   * The recent interactions with item features filled in (from the candidates seen on this page,
   * else from the items remembered in storage), and the taste learned from them.
   */
  async interactions(): Promise<{ items: HistoryItem[]; taste: Taste }> {
    if (this.recent) return this.recent;
    const { items: cache, store } = this.deps;
    const items = await this.history.items(Math.max(this.deps.scorer().maxHistory, TASTE_MEMORY), async (ids) => {
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

  /**
   * The model's scores of the candidates it knows something about, with that evidence times its
   * evidence on the visitor's history; undefined when it knows nothing of either (no tower runs).
   */
  async modelTerm(candidates: PackedCandidates, evidence: Float32Array, history: readonly HistoryItem[]): Promise<ModelTerm | undefined> {
    const scorer = this.deps.scorer();
    const user = history.length > 0 ? historyEvidence(scorer, history) : scorer.card?.priorBeatsServer ? 1 : 0;
    const known: number[] = [];
    for (let i = 0; i < evidence.length; i++) if (evidence[i] > 0) known.push(i);
    if (user === 0 || known.length === 0) return undefined;
    const rows = await this.deps.items.vectors(scorer, candidates, known);
    const scoresOfKnown = dotScores(await this.userVector(), rows);
    const scores = new Float32Array(evidence.length);
    const weights = new Float32Array(evidence.length);
    known.forEach((i, j) => {
      // An overflow (a huge server embedding through the projection) says nothing: no model term.
      if (!Number.isFinite(scoresOfKnown[j])) return;
      scores[i] = scoresOfKnown[j];
      weights[i] = user * evidence[i];
    });
    return { scores, evidence: weights };
  }

  private async userVector(): Promise<Float32Array> {
    if (this.vector) return this.vector;
    const scorer = this.deps.scorer();
    const { items } = await this.interactions();
    const vector = scorer.userVector(items.slice(-scorer.maxHistory), this.deps.now());
    const values = (await vector.data()) as Float32Array;
    vector.dispose();
    this.vector = values;
    return values;
  }
}
