/**
 * Chooses the TensorFlow.js backend by measurement, not by assumption: a software WebGPU adapter
 * (SwiftShader, llvmpipe) is hundreds of times slower than wasm for this model, while a real GPU is
 * the point of the design. Every candidate must reproduce the cpu backend's scores and gradients
 * before it is trusted; among those that do, the fastest scoring run wins.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import '@tensorflow/tfjs-backend-wasm';
import * as env from '../../shared/env';
import type { BackendName, GpuInfo } from '../../shared/types';
import type { ModelPartOptions } from './contract';

export interface BackendChoice {
  backend: BackendName;
  reason: string;
  gpu: GpuInfo;
  /** Median ms of the probe scoring run per backend that passed the checks. */
  timings: Partial<Record<BackendName, number>>;
}

const SOFTWARE_RENDERER = /swiftshader|llvmpipe|softpipe|software|basic render|microsoft basic/i;

/** What kind of WebGPU adapter this device has, without creating a device. */
export async function probeGpu(): Promise<GpuInfo> {
  const gpu = env.webGpu();
  if (!gpu) return { adapter: 'none' };
  try {
    const adapter = await gpu.requestAdapter();
    if (!adapter) return { adapter: 'none' };
    const info = adapter.info ?? {};
    const description = [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ');
    const software = Boolean(adapter.isFallbackAdapter || info.isFallbackAdapter) || SOFTWARE_RENDERER.test(description);
    return { adapter: software ? 'software' : 'hardware', description: description || undefined };
  } catch {
    return { adapter: 'none' };
  }
}

/** WebGL through SwiftShader is correct but far slower than wasm; skip measuring it in `auto`. */
function webglIsSoftware(): boolean {
  try {
    const renderer = env.webglRenderer();
    return renderer === null || SOFTWARE_RENDERER.test(renderer);
  } catch {
    return true;
  }
}

/** The backends `auto` measures on this device, most promising first. */
export function autoCandidates(gpu: GpuInfo): BackendName[] {
  const list: BackendName[] = [];
  if (gpu.adapter === 'hardware') list.push('webgpu');
  if (!webglIsSoftware()) list.push('webgl');
  if (env.wasmAllowed()) list.push('wasm');
  list.push('cpu');
  return list;
}

export async function chooseBackend(
  preference: 'auto' | BackendName,
  options: { cached?: BackendName; gpu?: GpuInfo } = {},
): Promise<BackendChoice> {
  const gpu = options.gpu ?? (await probeGpu());
  const reference = await probeResults('cpu');
  if (!reference) throw new Error('the cpu backend failed its own probe');
  const failures: string[] = [];

  if (preference !== 'auto') {
    const forced = await tryBackend(preference, reference);
    if (typeof forced === 'number') {
      return { backend: preference, reason: 'forced by options.backend', gpu, timings: { [preference]: forced } };
    }
    failures.push(`${preference}: ${forced.error}`);
  }

  if (options.cached && preference === 'auto') {
    const cached = await tryBackend(options.cached, reference);
    if (typeof cached === 'number') {
      return { backend: options.cached, reason: 'earlier measurement on this device', gpu, timings: { [options.cached]: cached } };
    }
  }

  const timings: Partial<Record<BackendName, number>> = {};
  for (const name of autoCandidates(gpu)) {
    const result = name === 'cpu' ? reference.ms : await tryBackend(name, reference);
    if (typeof result === 'number') timings[name] = result;
    else failures.push(`${name}: ${result.error}`);
  }
  const ranked = (Object.entries(timings) as [BackendName, number][]).sort((a, b) => a[1] - b[1]);
  const [best] = ranked[0];
  await tf.setBackend(best);
  const measured = ranked.map(([n, ms]) => `${n} ${ms.toFixed(2)} ms`).join(', ');
  const prefix = preference === 'auto' ? '' : `forced ${preference} unusable (${failures[0]}); `;
  return { backend: best, reason: `${prefix}fastest correct of: ${measured}`, gpu, timings };
}

/** Median time of the probe if the backend initialises and matches the cpu reference, else why not. */
async function tryBackend(name: BackendName, reference: ProbeResult): Promise<number | { error: string }> {
  try {
    const result = await probeResults(name);
    if (!result) return { error: 'failed to initialise' };
    const scoreError = maxRelativeError(result.scores, reference.scores);
    const gradError = maxRelativeError(result.gradient, reference.gradient);
    if (!(scoreError < 1e-3 && gradError < 1e-3)) {
      return { error: `disagrees with cpu (scores ${scoreError.toExponential(1)}, gradient ${gradError.toExponential(1)})` };
    }
    return result.ms;
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

interface ProbeResult {
  scores: Float32Array;
  gradient: Float32Array;
  ms: number;
}

const PROBE_ROWS = 1000;
const PROBE_DIM = 64;
const PROBE_RUNS = 7;

/**
 * Scores PROBE_ROWS items against a user vector (the shape of a real rerank, read back included)
 * and takes a gradient through tanh and a matMul (the shape of fine-tuning).
 */
async function probeResults(name: BackendName): Promise<ProbeResult | null> {
  if (!(await tf.setBackend(name))) return null;
  await tf.ready();
  const items = tf.tensor2d(probeValues(PROBE_ROWS * PROBE_DIM, 1), [PROBE_ROWS, PROBE_DIM]);
  const user = tf.tensor2d(probeValues(PROBE_DIM, 2), [PROBE_DIM, 1]);
  try {
    const run = async () => {
      const scores = tf.matMul(items, user);
      const data = (await scores.data()) as Float32Array;
      scores.dispose();
      return data;
    };
    const scores = await run(); // warm-up: shader compilation is not part of the steady state
    const times: number[] = [];
    for (let i = 0; i < PROBE_RUNS; i++) {
      const start = performance.now();
      await run();
      times.push(performance.now() - start);
    }
    const grad = tf.grad((u: tf.Tensor) => tf.sum(tf.tanh(tf.matMul(items, u))));
    const g = grad(user);
    const gradient = (await g.data()) as Float32Array;
    g.dispose();
    times.sort((a, b) => a - b);
    return { scores, gradient, ms: times[Math.floor(times.length / 2)] };
  } finally {
    items.dispose();
    user.dispose();
  }
}

/** Deterministic values in [-1, 1): the same input on every backend, exact in float16 too. */
function probeValues(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 16807) % 2147483647;
    out[i] = Math.round((x / 1073741824 - 1) * 256) / 256;
  }
  return out;
}

function maxRelativeError(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const err = Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i]));
    if (!(err <= worst)) worst = err; // NaN counts as worst
  }
  return worst;
}

/**
 * Calls `onLost` when the GPU behind the current backend goes away. tfjs ignores WebGPU device
 * loss (reads then return zeros), so without this the engine would rank on silent garbage.
 */
export function watchBackendLoss(onLost: (why: string) => void): void {
  const backend = tf.backend() as unknown as {
    device?: { lost?: Promise<{ message?: string }> };
    gpgpu?: { gl?: { canvas?: EventTarget } };
  };
  backend.device?.lost?.then((info) => onLost(`WebGPU device lost: ${info?.message ?? 'unknown reason'}`));
  backend.gpgpu?.gl?.canvas?.addEventListener?.('webglcontextlost', () => onLost('WebGL context lost'));
}

/** The backend for this device: the one measured before (cached per device), else measured now. */
export async function pickBackend(options: Pick<ModelPartOptions, 'backend' | 'cachedBackend' | 'cacheBackend'>): Promise<BackendChoice> {
  const gpu = await probeGpu();
  const device = `${env.userAgent()}:${gpu.adapter}:${gpu.description ?? ''}`;
  const cached = await options.cachedBackend(device).catch(() => undefined);
  const choice = await chooseBackend(options.backend, { cached, gpu });
  if (options.backend === 'auto' && choice.backend !== cached) await options.cacheBackend(device, choice.backend).catch(() => undefined);
  return choice;
}

/** Fault injection for the browser tests: loses the GPU under the current backend. */
export function loseGpu(): void {
  const backend = tf.backend() as unknown as {
    device?: { destroy(): void };
    gpgpu?: { gl?: WebGLRenderingContext };
  };
  if (backend.device) backend.device.destroy();
  else backend.gpgpu?.gl?.getExtension('WEBGL_lose_context')?.loseContext();
}
