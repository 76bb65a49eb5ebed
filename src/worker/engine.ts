/**
 * The engine: one object that owns the scorer, the event store and the trainer for one namespace.
 * The worker exposes it through comlink; the Node evaluation harness drives the very same class.
 * The ranking itself is the pure `rankCandidates` (rerank.ts); GPU-loss recovery (recovery.ts)
 * and the news from other tabs (sync.ts) live in their own modules.
 *
 * Methods come in pairs: `track` and `rerank` validate their input (Node, tests); `trackChecked`
 * and `rerankChecked` take input the page already validated (the worker's hot path).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as env from '../shared/env';
import { LocalrankError, type Fallback } from '../shared/errors';
import { DEFAULTS } from '../shared/limits';
import { packCandidates, unpackRanking, type PackedCandidates, type PackedRanking, type WorkerInit } from '../shared/protocol';
import type {
  BackendName,
  Candidate,
  ExportedData,
  GpuInfo,
  Info,
  ItemFeatures,
  LoadProgress,
  RerankOptions,
  RerankResult,
  StoredEvent,
  TrackEvent,
  TrainReport,
} from '../shared/types';
import { checkCandidates, checkRerankOptions, checkTrackEvents } from '../shared/validate';
import { Adapter } from './adapter';
import { chooseBackend, probeGpu, type BackendChoice } from './backend';
import { ItemVectorCache } from './item-cache';
import { loadModel, type ModelArtifacts } from './loader';
import { BackendRecovery } from './recovery';
import { categoriesOf, historyEntry, RecentInteractions } from './history';
import { rankCandidates } from './rerank';
import { Scorer, type HistoryItem } from './scorer';
import { Store } from './store';
import { Refresh, TabSync, type TabMessage } from './sync';
import { fineTune } from './trainer';

export type ModelSource = string | ModelArtifacts | Scorer;

/**
 * What the worker starts from (`WorkerInit`), with the model also given as loaded artifacts or a
 * scorer (the Node evaluation), and the environment injectable: storage, fetch and clock.
 */
export interface EngineConfig extends Omit<WorkerInit, 'model' | 'serverWeight' | 'wasmPaths'> {
  model: ModelSource;
  /** Default `DEFAULTS.serverWeight`. */
  serverWeight?: number;
  /** An IndexedDB of its own (fake-indexeddb in Node); default: the origin's, shared with its other tabs. */
  idbFactory?: IDBFactory;
  fetch?: typeof fetch;
  now?: () => number;
  onProgress?: (progress: LoadProgress) => void;
  onTrain?: (report: TrainReport) => void;
  /** The engine moved to another backend after a GPU loss, and ranks again there. */
  onRecovered?: (backend: BackendName, reason: string) => void;
  /** A GPU loss no other backend could take over from: the engine can no longer rank or train. */
  onDegraded?: (failure: Fallback) => void;
}

export class Engine {
  private adapter: Adapter | null = null;
  private lastTraining: TrainReport | null = null;
  private readonly history = new RecentInteractions();
  private eventCount = 0;
  private newSinceTraining = 0;
  private userVector: Float32Array | null = null;
  /** Item-tower vectors and remembered features by item id. */
  private readonly items = new ItemVectorCache();
  private training: Promise<TrainReport> | null = null;
  private trainTimer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;
  /** `savedAt` of the fine-tuned weights in use, to notice another tab's newer ones. */
  private weightsSavedAt: number | null = null;
  private readonly sync: TabSync;
  private readonly refresh = new Refresh(
    () => this.reload(),
    () => this.closed,
  );
  private readonly recovery = new BackendRecovery({
    active: () => !this.closed,
    idle: async () => {
      await this.training?.catch(() => undefined);
    },
    rebuild: (choice) => this.rebuild(choice),
    recovered: (backend, reason) => this.config.onRecovered?.(backend, reason),
    degraded: (failure) => this.config.onDegraded?.(failure),
  });

  private constructor(
    private readonly config: EngineConfig,
    private readonly store: Store,
    private scorer: Scorer,
    private readonly artifacts: ModelArtifacts | null,
    private choice: BackendChoice,
  ) {
    this.sync = new TabSync(config.namespace, (message) => this.onTabMessage(message), store.sharedWithTabs);
  }

  static async create(config: EngineConfig): Promise<Engine> {
    let created: Engine | null = null;
    const store = await Store.open({
      namespace: config.namespace,
      retention: config.retention,
      idbFactory: config.idbFactory,
      now: config.now,
      onTerminated: () => created?.refresh.request(),
    });
    try {
      const choice = await pickBackend(config, store);
      const artifacts =
        typeof config.model === 'string' ? await loadModel(config.model, { fetch: config.fetch, onProgress: config.onProgress }) : config.model instanceof Scorer ? null : config.model;
      const scorer = artifacts ? Scorer.fromArtifacts(artifacts.manifest, artifacts.weights) : (config.model as Scorer);
      const engine = new Engine(config, store, scorer, artifacts, choice);
      created = engine;
      await engine.restore();
      // A scorer handed in ready-made cannot be rebuilt elsewhere: only a loaded model recovers.
      if (artifacts) engine.recovery.watch(choice);
      config.onProgress?.({ status: 'ready', modelVersion: scorer.version, backend: choice.backend });
      return engine;
    } catch (error) {
      store.close();
      throw error;
    }
  }

  private now(): number {
    return this.config.now?.() ?? Date.now();
  }

  /** Loads the fine-tuned weights (dropping them if the base model changed) and the recent history. */
  private async restore(): Promise<void> {
    await this.store.enforceRetention().catch(() => undefined);
    await this.reload();
  }

  /** Re-reads weights, the last training and the recent history from storage. */
  private async reload(): Promise<void> {
    await this.adoptStoredWeights();
    this.lastTraining = (await this.store.getMeta<TrainReport>('lastTraining')) ?? null;
    const events = await this.store.events();
    this.eventCount = events.length;
    this.history.reset(events);
    this.userVector = null;
  }

  /** Uses the stored fine-tuned weights if they differ from ours (dropping them if the base model changed). */
  private async adoptStoredWeights(): Promise<void> {
    const weights = await this.store.loadWeights();
    if (weights && weights.modelVersion !== this.scorer.version) {
      await this.store.deleteWeights();
    }
    const usable = weights && weights.modelVersion === this.scorer.version ? weights : null;
    if ((usable?.savedAt ?? null) === this.weightsSavedAt && (usable !== null) === (this.adapter !== null)) return;
    this.adapter?.dispose();
    this.adapter = usable ? Adapter.fromWeights(usable.tensors, this.scorer) : null;
    this.weightsSavedAt = usable?.savedAt ?? null;
    this.userVector = null;
  }

  /** After a GPU loss: the model and the fine-tuned weights again, on the backend recovery chose. */
  private async rebuild(choice: BackendChoice): Promise<void> {
    this.choice = choice;
    // The old tensors lived on the lost device: drop the references, do not touch them.
    this.scorer = Scorer.fromArtifacts(this.artifacts!.manifest, this.artifacts!.weights);
    this.adapter = null;
    this.weightsSavedAt = null;
    await this.adoptStoredWeights();
    this.items.clear();
    this.userVector = null;
  }

  private onTabMessage(message: TabMessage): void {
    if (this.closed) return;
    if (message.type === 'forget') this.dropMemory();
    this.refresh.request();
  }

  /** Validates and stores events (the entry point for Node and tests). */
  async track(events: TrackEvent | readonly TrackEvent[]): Promise<number> {
    return this.trackChecked(checkTrackEvents(events, this.now(), env.randomId));
  }

  /** Stores events already validated by the page; re-delivered ids are ignored. */
  async trackChecked(events: readonly StoredEvent[]): Promise<number> {
    this.assertOpen();
    const added = await this.store.addEvents(events);
    if (added === 0) return 0;
    this.sync.post({ type: 'events' });
    const interactions = this.history.add(events);
    this.eventCount = await this.store.countEvents();
    if (interactions > 0) {
      this.userVector = null;
      this.newSinceTraining += interactions;
      this.scheduleTraining();
    }
    return added;
  }

  /** Validates and ranks candidates (the entry point for Node and tests). */
  async rerank(candidates: readonly Candidate[] | unknown, options?: RerankOptions): Promise<RerankResult> {
    this.assertOpen();
    const { packed } = packCandidates(checkCandidates(candidates));
    const ranking = await this.rerankChecked(packed, checkRerankOptions(options));
    return unpackRanking(packed.ids, ranking);
  }

  /**
   * The hot path, for candidates and options the page already validated: cached item vectors, a
   * cached user vector, the pure pipeline over typed arrays, and typed arrays out (transferred).
   */
  async rerankChecked(candidates: PackedCandidates, options: RerankOptions): Promise<PackedRanking> {
    this.assertOpen();
    this.recovery.assertAvailable();
    const start = performance.now();
    const { rows, remember } = await this.items.rows(this.scorer, candidates);
    // Item features are public; remembering them lets a later click on the bare id be understood.
    if (remember.length > 0) this.store.rememberItems(remember).catch(() => undefined);
    const user = await this.currentUserVector();
    const history = options.affinity || options.explain ? await this.historyItems() : [];
    const ranking = rankCandidates({
      user,
      rows,
      serverScores: candidates.scores,
      serverWeight: this.config.serverWeight ?? DEFAULTS.serverWeight,
      options,
      categories: options.affinity ? candidates.features.map((json) => (json === null ? undefined : categoriesOf(JSON.parse(json) as ItemFeatures))) : undefined,
      history: history.map(historyEntry),
      historyRows: options.explain && history.length > 0 ? await this.itemRowsOf(history) : undefined,
    });
    return { ...ranking, computeMs: performance.now() - start };
  }

  private async currentUserVector(): Promise<Float32Array> {
    if (this.userVector) return this.userVector;
    const history = await this.historyItems();
    const vector = this.scorer.userVector(history, this.now(), this.adapter);
    const values = (await vector.data()) as Float32Array;
    vector.dispose();
    this.userVector = values;
    return values;
  }

  /** The interactions the model reads, with item features filled in from remembered candidates. */
  private historyItems(): Promise<HistoryItem[]> {
    return this.history.items(this.scorer.maxHistory, (ids) => this.store.itemFeatures(ids));
  }

  /** The item tower's vectors of the history's items, row-major. */
  private async itemRowsOf(history: readonly HistoryItem[]): Promise<Float32Array> {
    const vectors = this.scorer.itemVectors(history.map((h) => ({ id: h.itemId, features: h.features })));
    const values = (await vectors.data()) as Float32Array;
    vectors.dispose();
    return values;
  }

  private scheduleTraining(): void {
    const auto = this.config.autoTrain;
    if (!auto || this.newSinceTraining < auto.minNewEvents) return;
    if (this.trainTimer) clearTimeout(this.trainTimer);
    this.trainTimer = setTimeout(() => {
      this.trainTimer = null;
      this.train().catch(() => undefined);
    }, auto.idleMs);
  }

  /** Fine-tunes the user tower now. Concurrent calls share one run. */
  train(): Promise<TrainReport> {
    this.assertOpen();
    // One trainer per namespace across tabs; inside the lock, start from the newest stored weights.
    this.training ??= this.sync
      .exclusive(async () => {
        this.assertOpen();
        this.recovery.assertAvailable();
        await this.adoptStoredWeights();
        return this.runTraining();
      })
      .finally(() => {
        this.training = null;
      });
    return this.training;
  }
  private async runTraining(): Promise<TrainReport> {
    const start = performance.now();
    const events = await this.store.events();
    this.newSinceTraining = 0;
    const result = await fineTune(this.scorer, this.adapter, events, {
      yieldBetweenSteps: () => new Promise((resolve) => setTimeout(resolve, 0)),
    });
    const report: TrainReport = {
      steps: result.steps,
      lossBefore: result.lossBefore,
      lossAfter: result.lossAfter,
      holdoutBefore: result.holdoutBefore,
      holdoutAfter: result.holdoutAfter,
      kept: result.kept,
      reason: result.reason,
      examples: result.examples,
      durationMs: performance.now() - start,
      backend: this.choice.backend,
      at: this.now(),
    };
    if (this.closed) {
      result.adapter?.dispose();
      return report;
    }
    if (result.kept && result.adapter) {
      const tensors = await result.adapter.toWeights();
      await this.store.saveWeights({ modelVersion: this.scorer.version, savedAt: report.at, tensors }, report);
      this.adapter?.dispose();
      this.adapter = result.adapter;
      this.weightsSavedAt = report.at;
      this.userVector = null;
      this.sync.post({ type: 'weights', savedAt: report.at });
    } else {
      await this.store.setMeta('lastTraining', report);
    }
    this.lastTraining = report;
    this.config.onTrain?.(report);
    return report;
  }

  async info(): Promise<Info> {
    this.assertOpen();
    return {
      backend: this.choice.backend,
      backendReason: this.choice.reason,
      gpu: this.choice.gpu,
      modelVersion: this.scorer.version,
      events: this.eventCount,
      storage: this.store.kind,
      fineTuned: this.adapter !== null,
      lastTraining: this.lastTraining,
      namespace: this.config.namespace,
      storageStatus: this.store.status,
      diagnostics: { tensors: tf.memory().numTensors, heapBytes: env.heapBytes() },
    };
  }

  async exportData(): Promise<ExportedData> {
    this.assertOpen();
    const weights = await this.store.loadWeights();
    return {
      namespace: this.config.namespace,
      exportedAt: this.now(),
      modelVersion: this.scorer.version,
      events: await this.store.events(),
      weights: weights && {
        modelVersion: weights.modelVersion,
        savedAt: weights.savedAt,
        tensors: Object.fromEntries(
          Object.entries(weights.tensors).map(([name, t]) => [name, { shape: t.shape, values: Array.from(t.values) }]),
        ),
      },
      lastTraining: this.lastTraining,
    };
  }

  /** Wipes events, weights and remembered items; the base model keeps serving. */
  async forget(): Promise<void> {
    this.assertOpen();
    if (this.trainTimer) clearTimeout(this.trainTimer);
    this.trainTimer = null;
    await this.training?.catch(() => undefined);
    // Under the training lock: another tab's run must not write weights after the wipe.
    await this.sync.exclusive(() => this.store.clear());
    this.dropMemory();
    this.sync.post({ type: 'forget' });
  }

  /** Forgets, in memory, everything derived from the user's behaviour. */
  private dropMemory(): void {
    if (this.trainTimer) clearTimeout(this.trainTimer);
    this.trainTimer = null;
    this.adapter?.dispose();
    this.adapter = null;
    this.weightsSavedAt = null;
    // The remembered items were wiped with the rest: let the next reranks remember them again.
    this.items.clear();
    this.history.clear();
    this.eventCount = 0;
    this.newSinceTraining = 0;
    this.lastTraining = null;
    this.userVector = null;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.trainTimer) clearTimeout(this.trainTimer);
    await this.training?.catch(() => undefined);
    this.adapter?.dispose();
    this.adapter = null;
    if (this.artifacts) this.scorer.dispose();
    this.sync.close();
    this.store.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new LocalrankError('CLOSED', 'this personalizer was closed');
  }
}

async function pickBackend(config: EngineConfig, store: Store): Promise<BackendChoice> {
  const gpu: GpuInfo = await probeGpu();
  const cacheKey = `backend:${env.userAgent()}:${gpu.adapter}:${gpu.description ?? ''}`;
  const cached = await store.getMeta<BackendName>(cacheKey).catch(() => undefined);
  const choice = await chooseBackend(config.backend, { cached, gpu });
  if (config.backend === 'auto' && choice.backend !== cached) await store.setMeta(cacheKey, choice.backend).catch(() => undefined);
  return choice;
}
