/**
 * The contract between the page and the worker: one object with a handful of async methods.
 * Everything crossing it is structured-cloneable; typed errors keep their `code` thanks to
 * `installErrorTransfer`, which both sides call (comlink alone would drop it).
 */
import { transferHandlers, type TransferHandler } from 'comlink';
import { isErrorCode, LocalrankError, type ErrorCode, type Fallback } from './errors';
import type {
  Arm,
  AutoTrainOptions,
  BackendName,
  EngineInfo,
  ExportedData,
  LoadProgress,
  RankedItem,
  Reason,
  RerankOptions,
  RerankResult,
  RetentionOptions,
  StoredEvent,
  TrainReport,
} from './types';
import type { CheckedCandidate } from './validate';

/** `createPersonalizer` options after checking, every default filled in: what the worker starts from. */
export interface WorkerInit {
  /** Absolute URL of the model manifest. */
  model: string;
  /** Absolute URL of the model's weights, when not where the manifest says (a bundler moved them). */
  modelWeights?: string;
  namespace: string;
  backend: 'auto' | BackendName;
  loadModel: 'lazy' | 'eager' | 'never';
  /** Absolute URL of the model part's chunk (TensorFlow.js), which the worker imports when the model can contribute. */
  modelPart: string;
  retention: Retention;
  autoTrain: AutoTrain;
  fineTune: boolean;
  serverWeight?: number;
  /** Where the wasm binaries are: absolute URLs of each file, or of their folder. */
  wasmPaths: string | Record<string, string>;
}

/** Retention limits with their defaults applied. */
export type Retention = Required<RetentionOptions>;

/** Background training with its defaults applied: off, or when to train. */
export type AutoTrain = false | Required<AutoTrainOptions>;

export interface WorkerCallbacks {
  progress(progress: LoadProgress): void;
  trained(report: TrainReport): void;
  /** The model part moved to another backend after a GPU loss and scores again. */
  recovered(backend: BackendName, reason: string): void;
}

export interface WorkerApi {
  init(config: WorkerInit, callbacks: WorkerCallbacks): Promise<EngineInfo>;
  track(events: StoredEvent[]): Promise<number>;
  /** Candidates and options already validated by the page; the answer's arrays are transferred. */
  rerank(candidates: PackedCandidates, options?: RerankOptions): Promise<PackedRanking>;
  train(): Promise<TrainReport>;
  info(): Promise<EngineInfo>;
  exportData(): Promise<ExportedData>;
  forget(): Promise<void>;
  close(): Promise<void>;
  /** Answers at once, engine or not: the page's liveness check. */
  ping(): Promise<true>;
}

/**
 * Validated candidates on the wire, as columns. Cloning 10,000 small object graphs (candidate,
 * features, category array) is what a `postMessage` pays for; an array of strings clones almost
 * for free. Features travel as their JSON, which the worker compares as a string to know whether
 * its cached item vector still holds, and parses only for items it has not seen.
 */
export interface PackedCandidates {
  /** Every candidate's id; with `handles`, only those of the candidates `known` does not mark, in their order. */
  ids: string[];
  /**
   * With `known`: the page's number for each candidate's item (the page's packer keeps them). A
   * known candidate travels as its number alone: a list the worker holds costs no string to clone.
   */
  handles?: Int32Array | null;
  /** The server's scores when every candidate has one, else null (the order is the signal). */
  scores: Float64Array | null;
  /**
   * Each candidate's validated features as JSON, or null when it has none; with `known`, only the
   * candidates it does not mark, in their order.
   */
  features: Array<string | null>;
  /**
   * 1 for a candidate whose features this worker already received, unchanged (the page's packer
   * keeps track): the worker uses its own copy. A worker that no longer has it answers `resend`.
   */
  known?: Uint8Array | null;
  /** Each candidate's embedding or null; null when no candidate has one. Buffers are transferred. */
  embeddings: Array<Float32Array | null> | null;
}

export function packCandidates(checked: readonly CheckedCandidate[]): { packed: PackedCandidates; transfer: ArrayBuffer[] } {
  const n = checked.length;
  const ids = new Array<string>(n);
  const features = new Array<string | null>(n);
  let scores: Float64Array | null = new Float64Array(n);
  let embeddings: Array<Float32Array | null> | null = null;
  const transfer: ArrayBuffer[] = [];
  for (let i = 0; i < n; i++) {
    const c = checked[i];
    ids[i] = c.id;
    features[i] = c.features ? JSON.stringify(c.features) : null;
    if (scores && c.score !== undefined) scores[i] = c.score;
    else scores = null;
    if (c.embedding) {
      embeddings ??= new Array<Float32Array | null>(n).fill(null);
      embeddings[i] = c.embedding;
      transfer.push(c.embedding.buffer as ArrayBuffer);
    }
  }
  if (scores) transfer.push(scores.buffer as ArrayBuffer);
  return { packed: { ids, scores: n > 0 ? scores : null, features, embeddings, known: null }, transfer };
}

/**
 * `rerank`'s answer on the wire: the order and the scores as typed arrays, transferred rather
 * than cloned. The page rebuilds the result objects from the candidates it already holds, so a
 * 10,000-item answer costs two buffer hand-overs instead of 10,000 cloned objects.
 */
export interface PackedRanking {
  /** Candidate indices (server positions), best first. */
  order: Int32Array;
  /** Blended score per candidate index. */
  scores: Float32Array;
  /** The model's score per candidate index; NaN where the model had no say. */
  modelScores: Float32Array;
  /** Per candidate index, when `explain` was asked for: its reason, or null when none was found. */
  reasons?: Array<Reason | null>;
  /** Candidates an `exclude` rule left out (indices), with the index of the entry that matched. */
  excluded?: Array<{ index: number; rule: number }>;
  /** Set when the server's order was kept on purpose (e.g. `NO_EVIDENCE`). */
  fallback?: Fallback;
  /** Time spent in the worker, ms. */
  computeMs: number;
  /** The worker no longer holds the features of some `known` candidate: the page sends them all again. */
  resend?: true;
}

/** The public result from a packed ranking and the candidates it ranks. */
export function unpackRanking(ids: readonly string[], packed: PackedRanking, arm: Arm = 'treatment'): RerankResult {
  const { order, scores, modelScores, reasons, excluded } = packed;
  const items = new Array<RankedItem>(order.length);
  for (let rank = 0; rank < order.length; rank++) {
    const i = order[rank];
    const item: RankedItem = { id: ids[i], score: scores[i], modelScore: Number.isNaN(modelScores[i]) ? null : modelScores[i], serverRank: i };
    const reason = reasons?.[i];
    if (reason) item.reason = reason;
    items[rank] = item;
  }
  const result: RerankResult = packed.fallback
    ? { items, personalized: false, fallback: packed.fallback, arm, computeMs: packed.computeMs }
    : { items, personalized: true, arm, computeMs: packed.computeMs };
  if (excluded?.length) result.excluded = excluded.map(({ index, rule }) => ({ id: ids[index], serverRank: index, rule }));
  return result;
}

interface SerializedThrow {
  isError: boolean;
  value: { message: string; name: string; stack?: string; code?: ErrorCode } | unknown;
}

let installed = false;

export function installErrorTransfer(): void {
  if (installed) return;
  installed = true;
  const original = transferHandlers.get('throw') as TransferHandler<{ value: unknown }, SerializedThrow>;
  transferHandlers.set('throw', {
    canHandle: original.canHandle,
    serialize(thrown: { value: unknown }) {
      const [serialized, transferables] = original.serialize(thrown);
      if (thrown.value instanceof LocalrankError && serialized.isError) {
        (serialized.value as { code?: ErrorCode }).code = thrown.value.code;
      }
      return [serialized, transferables];
    },
    deserialize(serialized: SerializedThrow) {
      const value = serialized.value as { code?: unknown; message?: string } | undefined;
      if (serialized.isError && isErrorCode(value?.code)) throw new LocalrankError(value.code, value.message ?? '');
      return original.deserialize(serialized);
    },
  } as TransferHandler<unknown, SerializedThrow>);
}
