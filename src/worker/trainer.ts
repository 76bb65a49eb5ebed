/**
 * On-device fine-tuning. The item tower and the user tower stay frozen: their outputs for every
 * training example are computed once, and only the small residual adapter on the user vector
 * trains. No gather sits in the gradient path, so this trains on wasm as on webgpu/webgl/cpu.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import type { EventType, StoredEvent } from '../shared/types';
import { Adapter, adapterShapes, applyAdapter } from './adapter';
import type { HistoryItem, ItemRef, Scorer } from './scorer';

export interface FineTuneOptions {
  /** Optimiser steps. Default 40. */
  maxSteps?: number;
  /** Adam learning rate. Default 0.003 (chosen on validation items: larger steps hurt more). */
  learningRate?: number;
  /** Awaited between steps so the worker can serve a rerank. */
  yieldBetweenSteps?: () => Promise<void>;
  /** Uniform [0, 1) source for negative sampling. Default: a fixed-seed generator. */
  random?: () => number;
  /** L2 penalty on the adapter, keeping it near the pretrained model. Default 0.3. */
  l2?: number;
  /** Refit a kept update on all positives, held-out ones included. Default false: keep the checked one. */
  refit?: boolean;
}

export interface FineTuneResult {
  /** The new adapter if kept, else null. */
  adapter: Adapter | null;
  steps: number;
  lossBefore: number;
  lossAfter: number;
  holdoutBefore: number;
  holdoutAfter: number;
  kept: boolean;
  reason: string;
  examples: number;
}

const POSITIVE: ReadonlySet<EventType> = new Set(['click', 'add_to_cart', 'purchase']);
/** A view this long counts as a positive. */
const LONG_DWELL_MS = 15_000;
/**
 * Fewer positives than this and there is nothing to learn: enough to train on some and hold out
 * at least two to check the update against.
 */
const MIN_POSITIVES = 5;
const NEGATIVES = 63;

export function isPositive(e: { type: EventType; dwellMs?: number }): boolean {
  return POSITIVE.has(e.type) || (e.type === 'view' && (e.dwellMs ?? 0) >= LONG_DWELL_MS);
}

/** mulberry32: small, seedable, good enough for sampling negatives. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Examples {
  /** Frozen user vector before each positive: [n, d]. */
  users: tf.Tensor2D;
  /** Positive then negatives per example: [n, 1 + NEGATIVES, d]. */
  candidates: tf.Tensor3D;
  count: number;
}

function skip(reason: string, examples: number): FineTuneResult {
  return { adapter: null, steps: 0, lossBefore: 0, lossAfter: 0, holdoutBefore: 0, holdoutAfter: 0, kept: false, reason, examples };
}

function buildExamples(scorer: Scorer, events: readonly StoredEvent[], random: () => number): Examples | null {
  const history: HistoryItem[] = [];
  const prefixes: HistoryItem[][] = [];
  const nows: number[] = [];
  const targets: string[] = [];
  const features = new Map<string, StoredEvent['features']>();
  const lastPositive = new Map<string, number>();
  for (const e of events) {
    if (e.features) features.set(e.itemId, e.features);
    if (isPositive(e)) lastPositive.set(e.itemId, e.time);
  }
  const impressed = new Set<string>();
  for (const e of events) {
    if (e.type === 'impression') {
      const after = lastPositive.get(e.itemId);
      if (after === undefined || after < e.time) impressed.add(e.itemId);
      continue;
    }
    if (isPositive(e)) {
      prefixes.push(history.slice(Math.max(0, history.length - scorer.maxHistory)));
      nows.push(e.time);
      targets.push(e.itemId);
    }
    history.push({ itemId: e.itemId, type: e.type, time: e.time, dwellMs: e.dwellMs, features: e.features });
  }
  if (targets.length === 0) return null;
  const pool = [...impressed].filter((id) => !lastPositive.has(id));
  const vocab = scorer.itemIds;
  const refs: ItemRef[] = [];
  for (const target of targets) {
    refs.push({ id: target, features: features.get(target) });
    const chosen = new Set<string>();
    const fromImpressions = Math.min(pool.length, Math.ceil(NEGATIVES / 2));
    for (let tries = 0; chosen.size < fromImpressions && tries < NEGATIVES * 4; tries++) {
      chosen.add(pool[Math.floor(random() * pool.length)]);
    }
    for (let tries = 0; chosen.size < NEGATIVES && tries < NEGATIVES * 8; tries++) {
      const id = vocab.length > 0 ? vocab[Math.floor(random() * vocab.length)] : `\u0000neg${tries}`;
      if (!lastPositive.has(id)) chosen.add(id);
    }
    let filler = 0;
    while (chosen.size < NEGATIVES) chosen.add(`\u0000unknown${filler++}`);
    for (const id of chosen) refs.push({ id, features: features.get(id) });
  }
  const n = targets.length;
  const users = scorer.userStates(prefixes, nows);
  const flat = scorer.itemVectors(refs);
  const candidates = tf.reshape(flat, [n, 1 + NEGATIVES, scorer.dim]) as tf.Tensor3D;
  flat.dispose();
  return { users, candidates, count: n };
}

function logits(users: tf.Tensor2D, candidates: tf.Tensor3D, A: tf.Tensor | null, b: tf.Tensor | null): tf.Tensor2D {
  return tf.tidy(() => {
    const u = A && b ? applyAdapter(users, A, b) : users;
    return tf.sum(tf.mul(tf.expandDims(u, 1), candidates), 2) as tf.Tensor2D;
  });
}

function crossEntropy(scores: tf.Tensor2D): tf.Scalar {
  return tf.neg(tf.mean(tf.slice(tf.logSoftmax(scores), [0, 0], [scores.shape[0], 1]))) as tf.Scalar;
}

/** Reciprocal rank of the positive (column 0) among its negatives, per row; ties count against it. */
async function reciprocalRanks(scores: tf.Tensor2D): Promise<number[]> {
  const values = await scores.data();
  const [n, k] = scores.shape;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const pos = values[i * k];
    let rank = 1;
    for (let j = 1; j < k; j++) if (values[i * k + j] >= pos) rank++;
    out.push(1 / rank);
  }
  return out;
}

const mean = (xs: readonly number[]) => (xs.length > 0 ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

/**
 * The guard: an update is kept only if it ranks the held-out positives better on average and
 * ranks none of them worse. With a handful of held-out events, the mean alone lets a lucky gain on
 * one event hide a loss on another; demanding no loss at all is what "never worse" means here.
 */
export function improvesWithoutLoss(before: readonly number[], after: readonly number[]): boolean {
  return mean(after) > mean(before) && after.every((rr, i) => rr >= before[i]);
}

async function scalar(t: tf.Tensor): Promise<number> {
  const v = (await t.data())[0];
  t.dispose();
  return v;
}

interface Fit {
  A: tf.Variable;
  b: tf.Variable;
  lossBefore: number;
  lossAfter: number;
}

async function fit(users: tf.Tensor2D, candidates: tf.Tensor3D, steps: number, learningRate: number, l2: number, yieldBetweenSteps?: () => Promise<void>): Promise<Fit> {
  const shapes = adapterShapes(users.shape[1]);
  const A = tf.tidy(() => tf.variable(tf.zeros(shapes.A), true, undefined, 'float32'));
  const b = tf.tidy(() => tf.variable(tf.zeros(shapes.b), true, undefined, 'float32'));
  const optimizer = tf.train.adam(learningRate, 0.9, 0.999, 1e-7);
  const lossOf = () =>
    tf.tidy(() => tf.add(crossEntropy(logits(users, candidates, A, b)), tf.mul(l2, tf.add(tf.sum(tf.square(A)), tf.sum(tf.square(b))))) as tf.Scalar);
  const lossBefore = await scalar(lossOf());
  try {
    for (let step = 0; step < steps; step++) {
      tf.tidy(() => {
        const cost = optimizer.minimize(lossOf, false, [A, b]);
        cost?.dispose();
      });
      if (yieldBetweenSteps) await yieldBetweenSteps();
    }
  } finally {
    optimizer.dispose();
  }
  const lossAfter = await scalar(lossOf());
  return { A, b, lossBefore, lossAfter };
}

/**
 * Fine-tunes a fresh adapter on the user's events (oldest first, impressions included). The most
 * recent positives are held out; the update is kept only if it ranks them strictly better than the
 * current adapter (or the pretrained model) does: an update that changes nothing measurable is
 * not worth the risk. The kept adapter is the one that was checked (unless `refit`).
 */
export async function fineTune(
  scorer: Scorer,
  current: Adapter | null,
  events: readonly StoredEvent[],
  options: FineTuneOptions = {},
): Promise<FineTuneResult> {
  const steps = Math.max(1, Math.floor(options.maxSteps ?? 40));
  const learningRate = options.learningRate ?? 0.003;
  const random = options.random ?? seededRandom(0x10ca1);
  const l2 = options.l2 ?? 0.3;
  const positives = events.filter(isPositive).length;
  if (positives < MIN_POSITIVES) {
    return skip(`too little data: ${positives} positive interactions, need ${MIN_POSITIVES}`, positives);
  }
  const data = buildExamples(scorer, events, random);
  if (!data) return skip('no positive interactions', 0);
  const n = data.count;
  const holdout = Math.min(5, Math.max(2, Math.round(n * 0.2)));
  const cut = n - holdout;
  const rows = <T extends tf.Tensor>(t: T, from: number, size: number): T => tf.slice(t, from, size) as T;
  const trainUsers = rows(data.users, 0, cut);
  const trainCands = rows(data.candidates, 0, cut);
  const testUsers = rows(data.users, cut, holdout);
  const testCands = rows(data.candidates, cut, holdout);
  const disposables: tf.Tensor[] = [data.users, data.candidates, trainUsers, trainCands, testUsers, testCands];
  try {
    const before = logits(testUsers, testCands, current?.A ?? null, current?.b ?? null);
    const rrBefore = await reciprocalRanks(before);
    const holdoutBefore = mean(rrBefore);
    before.dispose();
    const trial = await fit(trainUsers, trainCands, steps, learningRate, l2, options.yieldBetweenSteps);
    const after = logits(testUsers, testCands, trial.A, trial.b);
    const rrAfter = await reciprocalRanks(after);
    const holdoutAfter = mean(rrAfter);
    const better = improvesWithoutLoss(rrBefore, rrAfter);
    after.dispose();
    const keepTrial = !options.refit && better && Number.isFinite(trial.lossAfter);
    const trialAdapter = keepTrial
      ? Adapter.fromTensors(tf.tidy(() => tf.clone(trial.A)) as tf.Tensor2D, tf.tidy(() => tf.clone(trial.b)) as tf.Tensor1D)
      : null;
    trial.A.dispose();
    trial.b.dispose();
    const base = { steps, lossBefore: trial.lossBefore, lossAfter: trial.lossAfter, holdoutBefore, holdoutAfter, examples: n };
    if (!Number.isFinite(trial.lossAfter)) {
      return { ...base, adapter: null, kept: false, reason: 'training diverged (non-finite loss)' };
    }
    if (!better) {
      return {
        ...base,
        adapter: null,
        kept: false,
        reason: `rejected: held-out MRR ${holdoutBefore.toFixed(3)} -> ${holdoutAfter.toFixed(3)}, not better on every held-out event`,
      };
    }
    let adapter = trialAdapter;
    if (!adapter) {
      const final = await fit(data.users, data.candidates, steps, learningRate, l2, options.yieldBetweenSteps);
      adapter = Adapter.fromTensors(
        tf.tidy(() => tf.clone(final.A)) as tf.Tensor2D,
        tf.tidy(() => tf.clone(final.b)) as tf.Tensor1D,
      );
      final.A.dispose();
      final.b.dispose();
    }
    return {
      ...base,
      adapter,
      kept: true,
      reason: `kept: held-out MRR ${holdoutBefore.toFixed(3)} -> ${holdoutAfter.toFixed(3)} on ${holdout} recent positives`,
    };
  } finally {
    for (const t of disposables) t.dispose();
  }
}
