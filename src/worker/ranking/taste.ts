/**
 * What the device learns about its visitor, in the shop's own terms: how much each of the shop's
 * feature tokens (category levels and paths, brand, tags, named attributes, price band, title
 * words) weighs in what the visitor chose, and which items they came back to. It starts empty,
 * is updated on every interaction and needs no model: it is what lets localrank personalise a
 * catalogue its pretrained model never saw.
 *
 * A taste is a fold over the visitor's stored events (oldest first), so retention and `forget()`
 * govern it like the events themselves and nothing is kept that `exportData()` does not show.
 */
import type { EventType, ItemFeatures } from '../../shared/types';
import { featureTokens } from './features';
import { tokenId } from './tokens';

/** How much each interaction says about taste. Impressions and removals say nothing positive. */
export const EVENT_WEIGHT: Readonly<Record<EventType, number>> = {
  impression: 0,
  view: 0.5,
  click: 1,
  add_to_cart: 2,
  remove_from_cart: 0,
  purchase: 2,
};

/** A view at least this long counts as a click. */
export const LONG_VIEW_MS = 15_000;
/** The weight of an interaction halves every this many later interactions. */
export const HALF_LIFE = 3;
/** Interactions the taste remembers; older ones weigh under 1e-6 anyway. */
const MEMORY = 64;

export interface TasteEvent {
  itemId: string;
  type: EventType;
  time: number;
  dwellMs?: number;
  features?: ItemFeatures;
}

/** The tokens of an item (interned, see tokens.ts), split into facets (compared as values) and title words. */
export interface ItemTokens {
  facets: Int32Array;
  words: Int32Array;
}

export const NO_TOKENS: ItemTokens = { facets: new Int32Array(0), words: new Int32Array(0) };

/** Facet tokens and title-word tokens of an item's features, each de-duplicated. */
export function itemTokens(features: ItemFeatures | undefined): ItemTokens {
  const facets = new Set<number>();
  const words = new Set<number>();
  for (const token of featureTokens(features)) (token.startsWith('t:') || token.startsWith('y:') ? words : facets).add(tokenId(token));
  return { facets: Int32Array.from(facets), words: Int32Array.from(words) };
}

/** Weight of one interaction as evidence of taste (0 for events that are not). */
export function tasteWeight(event: { type: EventType; dwellMs?: number }): number {
  if (event.type === 'view' && (event.dwellMs ?? 0) >= LONG_VIEW_MS) return EVENT_WEIGHT.click;
  return EVENT_WEIGHT[event.type];
}

/** The taste at one moment, ready for scoring: decayed, normalised affinities. */
export interface TasteProfile {
  /** Interactions that count as evidence of taste. */
  interactions: number;
  /** Their summed weights (`EVENT_WEIGHT`): a purchase is more evidence than a glance. */
  evidence: number;
  /** Facet token id -> share of the (decayed) interaction weight whose item carries it, 0..1. */
  facets: ReadonlyMap<number, number>;
  /** Title-word token id -> share, 0..1. */
  words: ReadonlyMap<number, number>;
  /** Item id -> share of the interaction weight on that very item, 0..1 (return and repeat interest). */
  items: ReadonlyMap<string, number>;
  /** Facet token ids of the latest interaction. */
  lastFacets: ReadonlySet<number>;
}

export const EMPTY_PROFILE: TasteProfile = {
  interactions: 0,
  evidence: 0,
  facets: new Map(),
  words: new Map(),
  items: new Map(),
  lastFacets: new Set(),
};

interface Remembered {
  itemId: string;
  weight: number;
  tokens: ItemTokens;
}

export class Taste {
  private recent: Remembered[] = [];
  private profileCache: TasteProfile | null = EMPTY_PROFILE;

  /** Folds events (oldest first) into a new taste; `tokensOf` supplies tokens of bare ids. */
  static of(events: Iterable<TasteEvent>, tokensOf: (itemId: string) => ItemTokens | undefined = () => undefined): Taste {
    const taste = new Taste();
    for (const event of events) taste.observe(event, tokensOf(event.itemId));
    return taste;
  }

  /** Learns from one interaction; `known` are the item's tokens when the event carries no features. */
  observe(event: TasteEvent, known?: ItemTokens): void {
    const weight = tasteWeight(event);
    if (weight <= 0) return;
    const tokens = event.features ? itemTokens(event.features) : (known ?? NO_TOKENS);
    this.recent.push({ itemId: event.itemId, weight, tokens });
    if (this.recent.length > MEMORY) this.recent.shift();
    this.profileCache = null;
  }

  get interactions(): number {
    return this.recent.length;
  }

  /** The decayed, normalised profile; computed once per change. */
  profile(): TasteProfile {
    if (this.profileCache) return this.profileCache;
    const facets = new Map<number, number>();
    const words = new Map<number, number>();
    const items = new Map<string, number>();
    let total = 0;
    let evidence = 0;
    const n = this.recent.length;
    for (let i = 0; i < n; i++) {
      const { itemId, weight, tokens } = this.recent[i];
      const w = weight * 0.5 ** ((n - 1 - i) / HALF_LIFE);
      total += w;
      evidence += weight;
      for (const t of tokens.facets) facets.set(t, (facets.get(t) ?? 0) + w);
      for (const t of tokens.words) words.set(t, (words.get(t) ?? 0) + w);
      items.set(itemId, (items.get(itemId) ?? 0) + w);
    }
    for (const map of [facets, words]) for (const [k, v] of map) map.set(k, v / total);
    for (const [k, v] of items) items.set(k, v / total);
    this.profileCache = {
      interactions: n,
      evidence,
      facets,
      words,
      items,
      lastFacets: new Set(n > 0 ? this.recent[n - 1].tokens.facets : []),
    };
    return this.profileCache;
  }
}
