/** TensorFlow.js for Node-side tools: the wasm backend (about 30x the cpu backend's matmul speed). */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';

export async function initTf(backend: 'wasm' | 'cpu' = 'wasm'): Promise<string> {
  if (!(await tf.setBackend(backend))) throw new Error(`tfjs backend ${backend} failed to start`);
  await tf.ready();
  return tf.getBackend();
}
