/** Ranks evaluation cases directly with a Scorer, in batches (pretraining validation). */
import * as tf from '@tensorflow/tfjs-core';
import { EVENT_TYPES } from '../../shared/types';
import type { HistoryItem, ItemRef, Scorer } from '../../worker/model/scorer';
import { SYNTHETIC_GAP_MS, type Dataset, type Sequence } from '../data/dataset';
import { rankOf } from './metrics';

export interface RankCase {
  user: string;
  history: HistoryItem[];
  now: number;
  /** The true item first, then the sampled negatives. */
  candidates: ItemRef[];
}

/** History events of `seq[0..end)` in the form the scorer reads. */
export function historyOf(data: Dataset, seq: Sequence, end: number): HistoryItem[] {
  const out: HistoryItem[] = [];
  for (let i = 0; i < end; i++) {
    const row = seq.items[i];
    const type = seq.types ? EVENT_TYPES[seq.types[i]] : data.eventType;
    out.push({ itemId: data.itemIds[row - 1], type, time: seq.times[i], features: data.features?.[row - 1] });
  }
  return out;
}

/** When the case is asked: at the true item's time, or one gap after the last event. */
export function caseTime(data: Dataset, seq: Sequence, end: number): number {
  if (data.timestamps && end < seq.times.length) return seq.times[end];
  return (end > 0 ? seq.times[end - 1] : 0) + SYNTHETIC_GAP_MS;
}

/**
 * `count` uniform items the user never interacted with (rows), drawn with `random`.
 * Falls back to fewer when the catalogue is too small.
 */
export function sampleNegatives(data: Dataset, seq: Sequence, count: number, random: () => number): number[] {
  const seen = new Set(seq.items);
  const n = data.itemIds.length;
  const out = new Set<number>();
  for (let tries = 0; out.size < count && tries < count * 50; tries++) {
    const row = 1 + Math.floor(random() * n);
    if (!seen.has(row)) out.add(row);
  }
  return [...out];
}

export function itemRef(data: Dataset, row: number): ItemRef {
  return { id: data.itemIds[row - 1], features: data.features?.[row - 1] };
}

/** Rank of the true item (candidates[0]) in each case, computed with the frozen scorer. */
export async function rankWithScorer(scorer: Scorer, cases: readonly RankCase[], batchSize = 256): Promise<number[]> {
  const ranks: number[] = [];
  for (let start = 0; start < cases.length; start += batchSize) {
    const chunk = cases.slice(start, start + batchSize);
    const owner = Int32Array.from(chunk.flatMap((c, i) => c.candidates.map(() => i)));
    const users = scorer.userStates(chunk.map((c) => c.history), chunk.map((c) => c.now));
    const items = scorer.itemVectors(chunk.flatMap((c) => c.candidates));
    const scores = tf.tidy(() => tf.sum(tf.mul(tf.gather(users, tf.tensor1d(owner, 'int32')), items), 1));
    const values = await scores.data();
    tf.dispose([users, items, scores]);
    let at = 0;
    for (const c of chunk) {
      ranks.push(rankOf(values[at], values.subarray(at + 1, at + c.candidates.length)));
      at += c.candidates.length;
    }
  }
  return ranks;
}
