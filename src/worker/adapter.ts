/**
 * The per-user fine-tuned parameters: a residual linear map on the frozen user tower's output,
 * `u' = u + u·A + b`. Zero `A` and `b` leave the pretrained model unchanged. It is small
 * (dim² + dim floats, 16 KB at dim 64), so it fits IndexedDB and trains in milliseconds.
 */
import * as tf from '@tensorflow/tfjs-core';
import { LocalrankError } from '../shared/errors';

export type AdapterWeights = Record<string, { shape: number[]; values: Float32Array }>;

/** What Adapter needs from a scorer (a structural type, to keep the import one-way). */
export interface AdapterHost {
  readonly dim: number;
}

export function adapterShapes(dim: number): Record<'A' | 'b', number[]> {
  return { A: [dim, dim], b: [dim] };
}

/** Applies the adapter parameters to user vectors [B, d]. */
export function applyAdapter(user: tf.Tensor2D, A: tf.Tensor, b: tf.Tensor): tf.Tensor2D {
  return tf.add(tf.add(user, tf.matMul(user, A as tf.Tensor2D)), b) as tf.Tensor2D;
}

export class Adapter {
  private constructor(
    readonly A: tf.Tensor2D,
    readonly b: tf.Tensor1D,
  ) {}

  /** Takes ownership of the tensors (they are kept, not copied). */
  static fromTensors(A: tf.Tensor2D, b: tf.Tensor1D): Adapter {
    return new Adapter(A, b);
  }

  /** Rebuilds an adapter from stored weights; throws MODEL_INTEGRITY when they do not fit the scorer. */
  static fromWeights(w: AdapterWeights, scorer: AdapterHost): Adapter {
    const shapes = adapterShapes(scorer.dim);
    for (const name of ['A', 'b'] as const) {
      const entry = w[name];
      const want = shapes[name];
      const size = want.reduce((x, y) => x * y, 1);
      if (
        !entry ||
        entry.shape.length !== want.length ||
        entry.shape.some((s, i) => s !== want[i]) ||
        entry.values.length !== size
      ) {
        throw new LocalrankError('MODEL_INTEGRITY', `adapter tensor "${name}" does not fit a model of dim ${scorer.dim}`);
      }
      for (let i = 0; i < entry.values.length; i++) {
        if (!Number.isFinite(entry.values[i])) {
          throw new LocalrankError('MODEL_INTEGRITY', `adapter tensor "${name}" holds a non-finite value`);
        }
      }
    }
    return new Adapter(
      tf.tensor2d(Float32Array.from(w.A.values), [scorer.dim, scorer.dim]),
      tf.tensor1d(Float32Array.from(w.b.values)),
    );
  }

  async toWeights(): Promise<AdapterWeights> {
    const [A, b] = await Promise.all([this.A.data(), this.b.data()]);
    return {
      A: { shape: [...this.A.shape], values: Float32Array.from(A as Float32Array) },
      b: { shape: [...this.b.shape], values: Float32Array.from(b as Float32Array) },
    };
  }

  dispose(): void {
    this.A.dispose();
    this.b.dispose();
  }
}
