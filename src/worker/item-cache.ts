/**
 * The item tower's vectors for the candidates a page shows, cached by id between reranks. The
 * tower is frozen, so a vector only changes when the item's features do: each entry keeps the
 * features JSON it was computed from, and a string comparison tells a hit. Features are parsed only
 * for items not seen before.
 */
import type { PackedCandidates } from '../shared/protocol';
import type { ItemFeatures } from '../shared/types';
import type { Scorer } from './scorer';

const CACHE_LIMIT = 50_000;
/** Items reported for remembering per call: bounds the IndexedDB work one rerank can queue. */
const REMEMBER_PER_CALL = 2000;

interface CachedItem {
  features: string | null;
  vector?: Float32Array;
  /** Already handed out for remembering in storage (once per features version). */
  remembered: boolean;
}

export interface ItemRows {
  /** One row of the item tower per candidate, in candidate order. */
  rows: Float32Array[];
  /** Items new to this cache (or whose features changed), to remember in storage once. */
  remember: { id: string; features: ItemFeatures }[];
}

export class ItemVectorCache {
  private readonly entries = new Map<string, CachedItem>();

  /** Rows for the candidates, running the item tower only for the ones not cached. */
  async rows(scorer: Scorer, candidates: PackedCandidates): Promise<ItemRows> {
    const dim = scorer.dim;
    const { ids, features, embeddings } = candidates;
    const rows = new Array<Float32Array>(ids.length);
    const missing: number[] = [];
    const remember: ItemRows['remember'] = [];
    for (let i = 0; i < ids.length; i++) {
      let entry = this.entries.get(ids[i]);
      if (!entry || entry.features !== features[i]) {
        entry = { features: features[i], remembered: false };
        this.set(ids[i], entry);
      }
      // A server embedding is per call, so its vector is never cached.
      if (entry.vector && !embeddings?.[i]) rows[i] = entry.vector;
      else missing.push(i);
      if (entry.features !== null && !entry.remembered && remember.length < REMEMBER_PER_CALL) {
        entry.remembered = true;
        remember.push({ id: ids[i], features: JSON.parse(entry.features) as ItemFeatures });
      }
    }
    if (missing.length > 0) {
      const refs = missing.map((i) => ({
        id: ids[i],
        features: features[i] === null ? undefined : (JSON.parse(features[i]!) as ItemFeatures),
        embedding: embeddings?.[i] ?? undefined,
      }));
      const computed = scorer.itemVectors(refs);
      const values = (await computed.data()) as Float32Array;
      computed.dispose();
      missing.forEach((i, j) => {
        const row = values.slice(j * dim, (j + 1) * dim);
        rows[i] = row;
        const entry = this.entries.get(ids[i]);
        if (!embeddings?.[i] && entry && entry.features === features[i]) entry.vector = row;
      });
    }
    return { rows, remember };
  }

  /** Forget every vector (a new model or backend) and every "already remembered" mark (a forget()). */
  clear(): void {
    this.entries.clear();
  }

  private set(id: string, entry: CachedItem): void {
    if (!this.entries.has(id) && this.entries.size >= CACHE_LIMIT) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(id, entry);
  }
}
