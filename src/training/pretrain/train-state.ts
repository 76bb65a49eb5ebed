/**
 * The state of a training run between epochs (Node only): parameters, Adam's moments and
 * bias-correction powers, the position in the random stream and the early-stopping bookkeeping.
 * `checkpoint.ts` stores it; `pretrain` resumes from it bit for bit.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { RankMetrics } from './metrics';

/** A tensor's values by name, as checkpoints store them. */
export interface NamedValues {
  name: string;
  shape: number[];
  values: Float32Array;
}

export interface EpochRecord {
  epoch: number;
  loss: number;
  seconds: number;
  validation?: RankMetrics;
}

/** Everything needed to continue training exactly where it stopped, after an epoch. */
export interface TrainState {
  /** Epochs completed. */
  epoch: number;
  /** Values drawn from the seeded random stream so far. */
  draws: number;
  bestScore: number;
  bestEpoch: number;
  /** Evaluations without a better validation score. */
  stale: number;
  /** True once early stopping ended the run. */
  stopped: boolean;
  history: EpochRecord[];
  params: NamedValues[];
  /** Adam's step count, bias-correction powers and moments. */
  optimizer: NamedValues[];
}

/** Adam keeps its bias-correction powers private; a checkpoint must restore them bit for bit. */
interface AdamInternals {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
}

export async function snapshot(tensors: Array<{ name: string; tensor: tf.Tensor }>): Promise<NamedValues[]> {
  const out: NamedValues[] = [];
  for (const { name, tensor } of tensors) {
    out.push({ name, shape: tensor.shape, values: Float32Array.from(await tensor.data()) });
  }
  return out;
}

export async function optimizerState(optimizer: tf.AdamOptimizer): Promise<NamedValues[]> {
  const internals = optimizer as unknown as AdamInternals;
  const weights = await optimizer.getWeights();
  const state = await snapshot([
    ...weights,
    { name: 'accBeta1', tensor: internals.accBeta1 },
    { name: 'accBeta2', tensor: internals.accBeta2 },
  ]);
  tf.dispose(weights[0].tensor);
  return state;
}

export async function restoreOptimizer(optimizer: tf.AdamOptimizer, state: readonly NamedValues[]): Promise<void> {
  const internals = optimizer as unknown as AdamInternals;
  const byName = new Map(state.map((s) => [s.name, s]));
  const moments = state.filter((s) => s.name !== 'iter' && s.name !== 'accBeta1' && s.name !== 'accBeta2');
  const iter = byName.get('iter');
  if (!iter) throw new Error('checkpoint has no optimizer step count');
  const tensors = [
    { name: 'iter', tensor: tf.scalar(iter.values[0], 'int32') },
    ...moments.map((m) => ({ name: m.name, tensor: tf.tensor(m.values, m.shape) })),
  ];
  await optimizer.setWeights(tensors);
  tf.dispose(tensors.map((t) => t.tensor));
  for (const key of ['accBeta1', 'accBeta2'] as const) {
    const saved = byName.get(key);
    if (saved) internals[key].assign(tf.scalar(saved.values[0]));
  }
}
