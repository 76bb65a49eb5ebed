/**
 * The contract between the page and the worker: one object with a handful of async methods.
 * Everything crossing it is structured-cloneable; typed errors keep their `code` thanks to
 * `installErrorTransfer`, which both sides call (comlink alone would drop it).
 */
import { transferHandlers, type TransferHandler } from 'comlink';
import { LocalrankError, type ErrorCode } from './errors';
import type {
  BackendName,
  Candidate,
  ExportedData,
  Info,
  LoadProgress,
  RerankOptions,
  RerankResult,
  RetentionOptions,
  StoredEvent,
  TrainReport,
} from './types';

export interface WorkerInit {
  /** Absolute URL of the model manifest. */
  model: string;
  namespace: string;
  backend: 'auto' | BackendName;
  retention: Required<RetentionOptions>;
  autoTrain: false | { minNewEvents: number; idleMs: number };
  serverWeight: number;
  wasmPaths?: string;
}

export interface WorkerCallbacks {
  progress(progress: LoadProgress): void;
  trained(report: TrainReport): void;
  backendChanged(backend: BackendName, why: string): void;
}

export interface WorkerApi {
  init(config: WorkerInit, callbacks: WorkerCallbacks): Promise<Info>;
  track(events: StoredEvent[]): Promise<number>;
  rerank(candidates: Candidate[], options?: RerankOptions): Promise<RerankResult>;
  train(): Promise<TrainReport>;
  info(): Promise<Info>;
  exportData(): Promise<ExportedData>;
  forget(): Promise<void>;
  close(): Promise<void>;
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
      const value = serialized.value as { code?: ErrorCode; message?: string } | undefined;
      if (serialized.isError && value?.code) throw new LocalrankError(value.code, value.message ?? '');
      return original.deserialize(serialized);
    },
  } as TransferHandler<unknown, SerializedThrow>);
}
