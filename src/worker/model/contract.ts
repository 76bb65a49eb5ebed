/**
 * The contract between the engine and the model part: what the engine asks of a pretrained model,
 * and nothing of how it computes. The engine (the worker's core chunk) never imports TensorFlow.js;
 * everything that does (the scorer, its towers, the backend choice, the weights, GPU-loss recovery)
 * is in the model part (`part.ts`), its own chunk, imported only where the model can contribute.
 * Types only: importing this file costs the core nothing.
 */
import type { Fallback } from '../../shared/errors';
import type { BackendName, GpuInfo, LoadProgress } from '../../shared/types';
import type { ModelInfo } from './manifest';
import type { HistoryItem, ModelManifest } from './scorer';

/** The model's term of a ranking: its score per candidate and how far to trust each, 0..1 (0: not at all). */
export interface ModelTerm {
  scores: Float32Array;
  evidence: Float32Array;
}

/** Candidates as the worker holds them: ids, each one's features as JSON (or null), server embeddings. */
export interface ModelCandidates {
  ids: readonly string[];
  features: ReadonlyArray<string | null>;
  embeddings: ReadonlyArray<Float32Array | null> | null;
}

/** The TensorFlow.js backend the model part runs on, and why. */
export interface BackendState {
  backend: BackendName;
  reason: string;
  gpu: GpuInfo;
}

/** A loaded model, as the engine uses it. */
export interface ModelPart {
  /** What the engine reads of the model without running it (version, head, card, history length). */
  readonly info: ModelInfo;
  backend(): BackendState;
  /**
   * The model's scores of the candidates it knows something about, each with that evidence times its
   * evidence on the visitor's `history` (oldest first); undefined when it knows nothing of either, or
   * cannot run now (a lost GPU, while it moves to another backend).
   */
  term(candidates: ModelCandidates, history: readonly HistoryItem[], now: number): Promise<ModelTerm | undefined>;
  /** Forgets what it cached about items and the visitor (`forget()`). */
  clear(): void;
  /** Live tensors, for diagnostics. */
  tensors(): number;
  /** Fault injection for the browser tests (faults.ts): loses the GPU under the current backend. */
  loseGpu(): void;
  dispose(): void;
}

/** What the engine hands the model part to load a model whose manifest it has read. */
export interface ModelPartOptions {
  manifest: ModelManifest;
  manifestUrl: string;
  /** The weights' URL, when not where the manifest says (an app's bundler moved them). */
  weightsUrl?: string;
  backend: 'auto' | BackendName;
  /** Where the wasm binaries are: absolute URLs of each file, or of their folder. */
  wasmPaths?: string | Record<string, string>;
  fetch?: typeof fetch;
  onProgress?: (progress: LoadProgress) => void;
  /** The backend measured earlier on this device, and where to keep a new measurement. */
  cachedBackend(device: string): Promise<BackendName | undefined>;
  cacheBackend(device: string, backend: BackendName): Promise<void>;
  /** After a GPU loss the model runs again on another backend. */
  onRecovered?: (backend: BackendName, reason: string) => void;
  /** After a GPU loss no other backend could take over: the model is out of use. */
  onLost?: (failure: Fallback) => void;
}

/** What the model part's chunk exports. */
export interface ModelPartModule {
  createModelPart(options: ModelPartOptions): Promise<ModelPart>;
}
