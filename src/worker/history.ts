/**
 * The user's recent interactions, kept in memory oldest first: the user tower's input, and what
 * reasons and the taste read. Impressions stay out: they say nothing about taste.
 */
import type { ItemFeatures, StoredEvent } from '../shared/types';
import type { HistoryEntry } from './ranking/rerank';
import type { HistoryItem } from './model/scorer';
import { NO_TOKENS, itemTokens, type ItemTokens } from './ranking/taste';

/** More than any model reads (`Scorer.maxHistory`), so a model change needs no re-read. */
const MIRRORED = 200;

export function isInteraction(event: StoredEvent): boolean {
  return event.type !== 'impression';
}

export class RecentInteractions {
  private events: StoredEvent[] = [];

  /** Starts over from every stored event, oldest first. */
  reset(stored: readonly StoredEvent[]): void {
    this.events = stored.filter(isInteraction).slice(-MIRRORED);
  }

  /** Adds newly stored events; returns how many of them were interactions. */
  add(stored: readonly StoredEvent[]): number {
    const interactions = stored.filter(isInteraction);
    if (interactions.length > 0) {
      this.events = [...this.events, ...interactions].sort((a, b) => a.time - b.time).slice(-MIRRORED);
    }
    return interactions.length;
  }

  /** Forgets events deleted from storage (retention, quota): nothing is read that is no longer stored. */
  remove(ids: readonly string[]): void {
    const gone = new Set(ids);
    this.events = this.events.filter((e) => !gone.has(e.id));
  }

  clear(): void {
    this.events = [];
  }

  /**
   * The latest `max` interactions, with item features filled in from `remembered` (the features of
   * candidates seen earlier) for events that came without them.
   */
  async items(max: number, remembered: (ids: string[]) => Promise<Map<string, ItemFeatures>>): Promise<HistoryItem[]> {
    const recent = this.events.slice(-max);
    const unknown = recent.filter((e) => !e.features).map((e) => e.itemId);
    const known = unknown.length > 0 ? await remembered(unknown).catch(() => new Map<string, ItemFeatures>()) : new Map<string, ItemFeatures>();
    return recent.map((e) => ({
      itemId: e.itemId,
      type: e.type,
      time: e.time,
      dwellMs: e.dwellMs,
      features: e.features ?? known.get(e.itemId),
    }));
  }
}

/** A history item as reasons read it: named by its title, with its tokens. */
export function historyEntry(h: HistoryItem, known?: ItemTokens): HistoryEntry {
  return { itemId: h.itemId, type: h.type, label: h.features?.text ?? `item ${h.itemId}`, tokens: h.features ? itemTokens(h.features) : (known ?? NO_TOKENS) };
}
