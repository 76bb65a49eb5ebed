/**
 * The two-tower math as pure functions over a record of tensors, shared by the worker's scorer
 * (frozen tensors) and the Node pretraining (variables). Nothing here gathers by index: embedding
 * tables of small vocabularies are read through one-hot matmuls, so gradients flow on every
 * backend, wasm included.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { EventType } from '../../shared/types';

export interface ScorerConfig {
  /** Width of user and item vectors. */
  dim: number;
  /** Most recent history events the user tower reads. */
  maxHistory: number;
  /** Self-attention blocks of the user tower. */
  blocks: number;
  heads: number;
  /** Hidden width of each block's feed-forward layer. */
  ffnDim: number;
  /** Rows of the content-feature hash table (0: no content features). Row 0 is padding. */
  hashBuckets: number;
  /** Most hashed feature tokens per item. */
  maxTokens: number;
  /** Length of server-provided item embeddings projected into the item space (0: none). */
  serverEmbeddingDim: number;
  /** Buckets of log2(1 + minutes since the last event), added to the user vector. */
  recencyBuckets: number;
  /** Order of the event-type embedding rows. */
  eventTypes: EventType[];
  /** Where the weights came from (dataset, epochs, metrics); informational. */
  training?: Record<string, unknown>;
}

export type Params = Record<string, tf.Tensor>;

export interface TensorSpec {
  name: string;
  shape: number[];
}

/** Every tensor of a model with `numItems` known ids, in file order. */
export function tensorSpecs(config: ScorerConfig, numItems: number): TensorSpec[] {
  const d = config.dim;
  const specs: TensorSpec[] = [{ name: 'item/table', shape: [numItems + 1, d] }];
  if (config.hashBuckets > 0) specs.push({ name: 'item/hash', shape: [config.hashBuckets, d] });
  if (config.serverEmbeddingDim > 0) {
    specs.push({ name: 'item/server', shape: [config.serverEmbeddingDim, d] });
  }
  specs.push(
    { name: 'user/bos', shape: [1, d] },
    { name: 'user/pos', shape: [config.maxHistory + 1, d] },
    { name: 'user/type', shape: [config.eventTypes.length, d] },
    { name: 'user/recency', shape: [config.recencyBuckets, d] },
  );
  for (let b = 0; b < config.blocks; b++) {
    const p = `user/b${b}/`;
    specs.push(
      { name: `${p}ln1_g`, shape: [d] },
      { name: `${p}ln1_b`, shape: [d] },
      { name: `${p}wq`, shape: [d, d] },
      { name: `${p}wk`, shape: [d, d] },
      { name: `${p}wv`, shape: [d, d] },
      { name: `${p}wo`, shape: [d, d] },
      { name: `${p}ln2_g`, shape: [d] },
      { name: `${p}ln2_b`, shape: [d] },
      { name: `${p}w1`, shape: [d, config.ffnDim] },
      { name: `${p}b1`, shape: [config.ffnDim] },
      { name: `${p}w2`, shape: [config.ffnDim, d] },
      { name: `${p}b2`, shape: [d] },
    );
  }
  specs.push({ name: 'user/ln_g', shape: [d] }, { name: 'user/ln_b', shape: [d] });
  return specs;
}

/** Recency bucket of an event `deltaMs` before now. Buckets are log2 of minutes, clipped. */
export function recencyBucket(deltaMs: number, buckets: number): number {
  const minutes = Math.max(0, deltaMs) / 60_000;
  return Math.min(buckets - 1, Math.floor(Math.log2(1 + minutes)));
}

function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-6))), gamma), beta);
}

function swapLast(x: tf.Tensor): tf.Tensor {
  const perm = x.shape.map((_, i) => i);
  [perm[perm.length - 2], perm[perm.length - 1]] = [perm[perm.length - 1], perm[perm.length - 2]];
  return tf.transpose(x, perm);
}

/**
 * Plain matmul whose gradient transposes explicitly: the wasm backend's transposed matmul is
 * about 10x slower than a transpose followed by a plain one, and tf.matMul's own gradient uses it.
 */
export const matMul = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [a, b, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [
      tf.matMul(dy, swapLast(saved[1])),
      tf.matMul(swapLast(saved[0]), dy),
    ],
  };
}) as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;

/** [B, S, d] @ [d, k] -> [B, S, k] through a 2-D matmul (portable across backends). */
function dense(x: tf.Tensor, w: tf.Tensor, b?: tf.Tensor): tf.Tensor {
  const [batch, steps, d] = x.shape;
  const y = matMul(tf.reshape(x, [batch * steps, d]), w);
  const out = tf.reshape(y, [batch, steps, w.shape[1] as number]);
  return b ? tf.add(out, b) : out;
}

function splitHeads(x: tf.Tensor, heads: number): tf.Tensor {
  const [batch, steps, d] = x.shape;
  return tf.transpose(tf.reshape(x, [batch, steps, heads, d / heads]), [0, 2, 1, 3]);
}

export interface TowerInput {
  /** Item vectors of the history window, oldest first, left-padded: [B, T, d] (T may be 0). */
  items: tf.Tensor3D;
  /** Event-type row of each history slot: int32 [B, T]. */
  types: tf.Tensor2D;
  /** 1 for real slots, 0 for padding, over [BOS, history...]: [B, T + 1]. */
  mask: tf.Tensor2D;
  /** Recency bucket added to each output slot: int32 [B, T + 1]. */
  recency: tf.Tensor2D;
}

export interface TowerTraining {
  dropout: number;
  seed: number;
}

/**
 * The causal self-attentive user tower (SASRec-like, pre-norm). Slot 0 is a learned
 * beginning-of-history token, so an empty history yields a learned "anonymous" vector.
 * Returns the user vector after each slot: [B, T + 1, d].
 */
export function userTower(
  p: Params,
  config: ScorerConfig,
  input: TowerInput,
  training?: TowerTraining,
): tf.Tensor3D {
  const [batch, steps] = input.types.shape;
  const d = config.dim;
  const slots = steps + 1;
  const drop = (x: tf.Tensor, salt: number): tf.Tensor =>
    training && training.dropout > 0 ? tf.dropout(x, training.dropout, undefined, training.seed + salt) : x;

  const bos = tf.tile(tf.reshape(p['user/bos'], [1, 1, d]), [batch, 1, 1]);
  let h: tf.Tensor = bos;
  if (steps > 0) {
    const types = tf.oneHot(tf.reshape(input.types, [-1]), config.eventTypes.length);
    const typeVec = tf.reshape(matMul(types, p['user/type']), [batch, steps, d]);
    const events = tf.concat([tf.zeros([batch, 1, d]), tf.add(input.items, typeVec)], 1);
    // A history shorter than the batch's is left-padded: its start token goes in its own first
    // slot (the first 1 of its mask), so it reads the same alone or in any batch.
    const before = tf.concat([tf.zeros([batch, 1]), tf.slice(input.mask, [0, 0], [batch, steps])], 1);
    const first = tf.expandDims(tf.sub(input.mask, before), 2);
    h = tf.add(tf.mul(events, tf.sub(tf.expandDims(input.mask, 2), first)), tf.mul(bos, first));
  }
  // Slots are right-aligned: the most recent event always sits at position maxHistory.
  const pos = tf.slice(p['user/pos'], [config.maxHistory + 1 - slots, 0], [slots, d]);
  h = drop(tf.mul(tf.add(h, pos), tf.expandDims(input.mask, 2)), 1);

  const causal = tf.linalg.bandPart(tf.ones([slots, slots]), -1, 0);
  const allowed = tf.mul(tf.reshape(causal, [1, 1, slots, slots]), tf.reshape(input.mask, [batch, 1, 1, slots]));
  const bias = tf.mul(tf.sub(1, allowed), -1e9);
  const heads = config.heads;
  const scale = 1 / Math.sqrt(d / heads);

  for (let b = 0; b < config.blocks; b++) {
    const k = `user/b${b}/`;
    const a = layerNorm(h, p[`${k}ln1_g`], p[`${k}ln1_b`]);
    const q = splitHeads(dense(a, p[`${k}wq`]), heads);
    const kk = splitHeads(dense(a, p[`${k}wk`]), heads);
    const v = splitHeads(dense(a, p[`${k}wv`]), heads);
    const att = tf.softmax(tf.add(tf.mul(matMul(q, swapLast(kk)), scale), bias));
    const ctx = tf.reshape(tf.transpose(matMul(att, v), [0, 2, 1, 3]), [batch, slots, d]);
    h = tf.add(h, drop(dense(ctx, p[`${k}wo`]), 10 + b));
    const f = layerNorm(h, p[`${k}ln2_g`], p[`${k}ln2_b`]);
    const ffn = dense(tf.relu(dense(f, p[`${k}w1`], p[`${k}b1`])), p[`${k}w2`], p[`${k}b2`]);
    h = tf.mul(tf.add(h, drop(ffn, 20 + b)), tf.expandDims(input.mask, 2));
  }
  const out = layerNorm(h, p['user/ln_g'], p['user/ln_b']);
  const rec = tf.oneHot(tf.reshape(input.recency, [-1]), config.recencyBuckets);
  const recVec = tf.reshape(matMul(rec, p['user/recency']), [batch, slots, d]);
  return tf.add(out, recVec) as tf.Tensor3D;
}

/**
 * Mean of the hashed content embeddings: `buckets` int32 [N, K] (0 = padding row), `counts` [N, 1].
 * `gather` lets the pretraining swap in a gather whose gradient works on wasm.
 */
export function contentVectors(
  hash: tf.Tensor,
  buckets: tf.Tensor2D,
  counts: tf.Tensor2D,
  gather: (table: tf.Tensor, indices: tf.Tensor1D) => tf.Tensor = (t, i) => tf.gather(t, i),
): tf.Tensor2D {
  const [n, k] = buckets.shape;
  const d = hash.shape[1] as number;
  const rows = tf.reshape(gather(hash, tf.reshape(buckets, [-1]) as tf.Tensor1D), [n, k, d]);
  const present = tf.expandDims(tf.cast(tf.greater(buckets, 0), 'float32'), 2);
  return tf.div(tf.sum(tf.mul(rows, present), 1), tf.maximum(counts, 1)) as tf.Tensor2D;
}
