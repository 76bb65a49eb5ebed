/** TensorFlow.js for Node-side tools: the wasm backend (about 30x the cpu backend's matmul speed). */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

/**
 * @param wasmDir folder holding the `tfjs-backend-wasm*.wasm` binaries, ending in a separator
 *   (the bundled CLI ships them beside itself); default: the backend package's own folder.
 */
export async function initTf(backend: 'wasm' | 'cpu' = 'wasm', wasmDir?: string): Promise<string> {
  if (wasmDir) setWasmPaths(wasmDir);
  if (!(await tf.setBackend(backend))) throw new Error(`tfjs backend ${backend} failed to start`);
  await tf.ready();
  return tf.getBackend();
}
