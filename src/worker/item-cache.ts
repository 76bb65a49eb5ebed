/**
 * What the engine knows about the candidates a page shows, cached by id between reranks: each
 * item's tokens (for the taste signals), how much the model knows it, and its item-tower vector
 * (computed only when the model knows something of it). An entry keeps the features JSON it was
 * computed from, so a string comparison tells a hit; features are parsed only for new items.
 */
import type { PackedCandidates } from '../shared/protocol';
import type { ItemFeatures } from '../shared/types';
import { itemEvidence } from './model/evidence';
import type { Scorer } from './model/scorer';
import { itemTokens, type ItemTokens } from './ranking/taste';

const CACHE_LIMIT = 50_000;
/** Items reported for remembering per call: bounds the IndexedDB work one rerank can queue. */
const REMEMBER_PER_CALL = 2000;

interface CachedItem {
  features: string | null;
  tokens: ItemTokens;
  /** 0..1: how much the model knows this item (see evidence.ts). */
  evidence: number;
  vector?: Float32Array;
  /** Already handed out for remembering in storage (once per features version). */
  remembered: boolean;
}

export interface PreparedItems {
  tokens: ItemTokens[];
  evidence: Float32Array;
  /** Items new to this cache (or whose features changed), to remember in storage once. */
  remember: { id: string; features: ItemFeatures }[];
}

export class ItemCache {
  private readonly entries = new Map<string, CachedItem>();

  /** Tokens and evidence of every candidate, from the cache or computed now. */
  prepare(scorer: Scorer, candidates: PackedCandidates): PreparedItems {
    const { ids, features } = candidates;
    const n = ids.length;
    const tokens = new Array<ItemTokens>(n);
    const evidence = new Float32Array(n);
    const remember: PreparedItems['remember'] = [];
    for (let i = 0; i < n; i++) {
      let entry = this.entries.get(ids[i]);
      if (!entry || entry.features !== features[i]) {
        const parsed = features[i] === null ? undefined : (JSON.parse(features[i]!) as ItemFeatures);
        entry = { features: features[i], tokens: itemTokens(parsed), evidence: itemEvidence(scorer, ids[i], parsed), remembered: false };
        this.set(ids[i], entry);
      }
      tokens[i] = entry.tokens;
      // A server embedding places an unknown item as well as its content does.
      evidence[i] = candidates.embeddings?.[i] && scorer.config.serverEmbeddingDim > 0 ? Math.max(entry.evidence, 0.5) : entry.evidence;
      if (entry.features !== null && !entry.remembered && remember.length < REMEMBER_PER_CALL) {
        entry.remembered = true;
        remember.push({ id: ids[i], features: JSON.parse(entry.features) as ItemFeatures });
      }
    }
    return { tokens, evidence, remember };
  }

  /** Item-tower vectors of the candidates at `indices`, running the tower only for uncached ones. */
  async vectors(scorer: Scorer, candidates: PackedCandidates, indices: readonly number[]): Promise<Float32Array[]> {
    const { ids, features, embeddings } = candidates;
    const out = new Array<Float32Array>(indices.length);
    const missing: number[] = [];
    indices.forEach((i, j) => {
      const vector = this.entries.get(ids[i])?.vector;
      // A server embedding is per call, so its vector is never cached.
      if (vector && !embeddings?.[i]) out[j] = vector;
      else missing.push(j);
    });
    if (missing.length > 0) {
      const refs = missing.map((j) => {
        const i = indices[j];
        return { id: ids[i], features: features[i] === null ? undefined : (JSON.parse(features[i]!) as ItemFeatures), embedding: embeddings?.[i] ?? undefined };
      });
      const computed = scorer.itemVectors(refs);
      const values = (await computed.data()) as Float32Array;
      computed.dispose();
      const dim = scorer.dim;
      missing.forEach((j, m) => {
        const i = indices[j];
        const row = values.slice(m * dim, (m + 1) * dim);
        out[j] = row;
        const entry = this.entries.get(ids[i]);
        if (!embeddings?.[i] && entry && entry.features === features[i]) entry.vector = row;
      });
    }
    return out;
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
  }

  private set(id: string, entry: CachedItem): void {
    if (!this.entries.has(id) && this.entries.size >= CACHE_LIMIT) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(id, entry);
  }
}
