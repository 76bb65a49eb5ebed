/**
 * The cross scorer: the default model, which reads any catalogue. It scores each candidate from
 * its pair features against the visitor's latest interactions (ranking/pairs.ts: word and facet
 * overlaps weighted by rarity, recency, strength) and the candidate's relational signals
 * (ranking/signals.ts), none of which names an id or a token: what it learned on some shops' logs
 * holds on a shop it never saw.
 *
 *   user side:  every pair -> MLP -> h[i, j]; attention over the interactions j -> pooled[i], max[i]
 *               (+ the visitor's own offset, fitted on the device by `train()`)
 *   candidate:  [pooled, max, signals] -> MLP -> score
 *
 * The same math trains in Node (pretrain/cross.ts) and runs in the worker, on any backend.
 */
import * as tf from '@tensorflow/tfjs-core';
import { matMul, type Params } from './tower';

export interface CrossInput {
  /** [B, n, history, pairFeatures] */
  pairs: tf.Tensor4D;
  /** [B, history]: 1 for a slot holding an interaction. */
  mask: tf.Tensor2D;
  /** [B, n, signals] */
  signals: tf.Tensor3D;
  /** [B, n, context] */
  context: tf.Tensor3D;
  /** [B, hidden]: each visitor's offset of their pooled interests (on-device fine-tuning); absent: none. */
  offset?: tf.Tensor2D;
}

/** Dense layer over the last axis of any rank, through a 2-D matmul (portable across backends). */
function dense(x: tf.Tensor, w: tf.Tensor, b?: tf.Tensor): tf.Tensor {
  const shape = x.shape;
  const y = matMul(tf.reshape(x, [-1, shape[shape.length - 1]]), w);
  const out = tf.reshape(y, [...shape.slice(0, -1), w.shape[1] as number]);
  return b ? tf.add(out, b) : out;
}

/** The score of every candidate: [B, n]. */
export function crossScores(p: Params, input: CrossInput): tf.Tensor2D {
  const { pairs, mask, signals, context } = input;
  const [batch, n, slots] = pairs.shape;
  // Padding slots never win the attention nor the max; a visitor with no interaction has none at all.
  const gap = tf.reshape(tf.mul(tf.sub(mask, 1), 1e9), [batch, 1, slots]);
  const any = tf.reshape(tf.cast(tf.greater(tf.sum(mask, 1), 0), 'float32'), [batch, 1, 1]);
  const h = tf.relu(dense(tf.relu(dense(pairs, p['pair/w1'], p['pair/b1'])), p['pair/w2'], p['pair/b2']));
  const logits = tf.add(tf.reshape(dense(h, p['pair/attention']), [batch, n, slots]), gap);
  const weights = tf.mul(tf.softmax(logits), any);
  let pooled: tf.Tensor = tf.sum(tf.mul(tf.expandDims(weights, 3), h), 2);
  if (input.offset) pooled = tf.add(pooled, tf.mul(tf.expandDims(input.offset, 1), any));
  const strongest = tf.mul(tf.max(tf.add(h, tf.expandDims(gap, 3)), 2), any);
  const x = tf.concat([pooled, strongest, signals, context], 2);
  const out = dense(tf.relu(dense(x, p['out/w1'], p['out/b1'])), p['out/w2'], p['out/b2']);
  return tf.reshape(out, [batch, n]) as tf.Tensor2D;
}

/**
 * Scores standardised over the candidates the history touches (mean 0, deviation 1), 0 for the
 * others, as the engine's `model` signal reads them (signals.ts `evidenceWeighted` with the
 * touched candidates as evidence): the head weighs the model by one number whatever the list.
 */
export function standardisedScores(scores: tf.Tensor2D, touched: tf.Tensor2D): tf.Tensor2D {
  const count = tf.maximum(tf.sum(touched, 1, true), 1);
  const mean = tf.div(tf.sum(tf.mul(scores, touched), 1, true), count);
  const centred = tf.mul(tf.sub(scores, mean), touched);
  const variance = tf.div(tf.sum(tf.square(centred), 1, true), count);
  return tf.div(centred, tf.sqrt(tf.add(variance, 1e-6))) as tf.Tensor2D;
}

/** One visitor's candidates as the inference path reads them: 2-D, the padding slots left out. */
export interface CrossRows {
  /** [candidates * slots, pairFeatures]: each candidate's pairs with the slots holding an interaction. */
  pairs: tf.Tensor2D;
  candidates: number;
  slots: number;
  /** [candidates, signals] */
  signals: tf.Tensor2D;
  /** [candidates, context] */
  context: tf.Tensor2D;
  /** [1, hidden]: the visitor's offset of their pooled interests; absent: none. */
  offset?: tf.Tensor2D;
}

/**
 * `crossScores` for ranking: the same scores, with fused layers (matmul, bias and activation in one
 * op) and no padding, about 1.5x faster on wasm. No gradient (fine-tuning uses `crossScores`).
 * [1, candidates].
 */
export function crossScoresOfRows(p: Params, input: CrossRows): tf.Tensor2D {
  const { candidates: n, slots } = input;
  const h1 = tf.fused.matMul({ a: input.pairs, b: p['pair/w1'] as tf.Tensor2D, bias: p['pair/b1'], activation: 'relu' });
  const h2 = tf.fused.matMul({ a: h1, b: p['pair/w2'] as tf.Tensor2D, bias: p['pair/b2'], activation: 'relu' });
  const h = tf.reshape(h2, [n, slots, h2.shape[1] as number]);
  const weights = tf.softmax(tf.reshape(tf.matMul(h2, p['pair/attention'] as tf.Tensor2D), [n, slots]));
  let pooled: tf.Tensor = tf.sum(tf.mul(tf.expandDims(weights, 2), h), 1);
  if (input.offset) pooled = tf.add(pooled, input.offset);
  const x = tf.concat([pooled, tf.max(h, 1), input.signals, input.context], 1) as tf.Tensor2D;
  const o1 = tf.fused.matMul({ a: x, b: p['out/w1'] as tf.Tensor2D, bias: p['out/b1'], activation: 'relu' });
  const out = tf.fused.matMul({ a: o1, b: p['out/w2'] as tf.Tensor2D, bias: p['out/b2'] });
  return tf.reshape(out, [1, n]) as tf.Tensor2D;
}
