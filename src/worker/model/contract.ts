/**
 * The contract between the engine and the model part: what the engine asks of a pretrained model,
 * and nothing of how it computes. The engine (the worker's core chunk) never imports TensorFlow.js;
 * everything that does (the scorer, its towers, the backend choice, the weights, GPU-loss recovery)
 * is in the model part (`part.ts`), its own chunk, imported only where the model can contribute.
 * Types only: importing this file costs the core nothing.
 */
import type { Fallback } from '../../shared/errors';
import type { BackendName, GpuInfo, LoadProgress } from '../../shared/types';
import type { Page } from '../ranking/reactions';
import type { HeadWeights } from '../ranking/signals';
import type { AnyManifest } from './cross-manifest';
import type { ModelInfo } from './manifest';
import type { HistoryItem } from './scorer';

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
  /** The server's scores, when the page sent them (else the list's order is the server's). */
  serverScores?: ArrayLike<number> | null;
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
  term(candidates: ModelCandidates, history: readonly HistoryItem[], now: number, adaptation?: Adaptation | null): Promise<ModelTerm | undefined>;
  /**
   * Fits this visitor's adaptation of the model (`train()`, with fine-tuning on) on the lists they
   * chose from, ranked with `head` (the head as adjusted for the visitor); absent for a model that
   * has none to fit.
   */
  fineTune?(pages: readonly FineTunePage[], head: HeadWeights, current: Adaptation | null): Promise<FineTuneResult>;
  /** Forgets what it cached about items and the visitor (`forget()`). */
  clear(): void;
  /** Live tensors, for diagnostics. */
  tensors(): number;
  /** Fault injection for the browser tests (faults.ts): loses the GPU under the current backend. */
  loseGpu(): void;
  dispose(): void;
}

/** A list the visitor was shown and what they chose from it (ranking/reactions.ts `pagesOf`). */
export type FineTunePage = Page;

/** A visitor's own adaptation of the model: the cross scorer's offset of their pooled interests. */
export type Adaptation = Float32Array;

/** The outcome of a fine-tuning: kept only when the visitor's most recent choices rank better. */
export interface FineTuneResult {
  steps: number;
  /** Lists the fit could read. */
  pages: number;
  kept: boolean;
  /** Mean reciprocal rank of the held-out recent choices before and after. */
  holdoutBefore: number;
  holdoutAfter: number;
  reason: string;
  /** The adaptation to use: the fitted one when kept, else the current one. */
  adaptation: Adaptation | null;
}

/** What the engine hands the model part to load a model whose manifest it has read. */
export interface ModelPartOptions {
  manifest: AnyManifest;
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
