/**
 * The engine: one object that owns the scorer, the event store and the trainer for one namespace.
 * The worker exposes it through comlink; the Node evaluation harness drives the very same class.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as env from '../shared/env';
import { LocalrankError, type Fallback } from '../shared/errors';
import { checkCandidates, checkRerankOptions, checkTrackEvents, type CheckedCandidate } from '../shared/validate';
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
import { chooseBackend, probeGpu, watchBackendLoss, type BackendChoice } from './backend';
import { packCandidates, unpackRanking, type PackedCandidates, type PackedRanking, type WorkerInit } from '../shared/protocol';
import { DEFAULTS } from '../shared/limits';
import { loadModel, type ModelArtifacts } from './loader';
import { blend, categoryAffinity, dotScores, meanRow, mix, order, reasonFor, serverSignalOf, standardise, stackRows, unitRows, type HistoryVectors } from './rerank';
import { Adapter, Scorer, type HistoryItem } from './scorer';
import { ItemVectorCache } from './item-cache';
import { Store } from './store';
import { TabSync, type TabMessage } from './sync';
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

/** Event types that say something about taste; impressions are only negatives for training. */
const isInteraction = (e: StoredEvent) => e.type !== 'impression';
/** `explain` attaches reasons to this many leading positions. */
const EXPLAIN_LIMIT = 100;
const HISTORY_MIRROR = 200;

export class Engine {
  private adapter: Adapter | null = null;
  private lastTraining: TrainReport | null = null;
  /** The latest interactions, oldest first: the user tower's input, kept in memory for speed. */
  private history: StoredEvent[] = [];
  private eventCount = 0;
  private newSinceTraining = 0;
  private userVector: Float32Array | null = null;
  /** Item-tower vectors and remembered features by item id; see `itemRows`. */
  private readonly items = new ItemVectorCache();
  private training: Promise<TrainReport> | null = null;
  private trainTimer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;
  /** `savedAt` of the fine-tuned weights in use, to notice another tab's newer ones. */
  private weightsSavedAt: number | null = null;
  /** Set while the backend is lost and not yet rebuilt: rerank refuses rather than read zeros. */
  private backendLost: string | null = null;
  private refreshing: Promise<void> | null = null;
  private refreshAgain = false;
  private readonly sync: TabSync;

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
      onTerminated: () => created?.refresh(),
    });
    try {
      const choice = await pickBackend(config, store);
      const artifacts =
        typeof config.model === 'string' ? await loadModel(config.model, { fetch: config.fetch, onProgress: config.onProgress }) : config.model instanceof Scorer ? null : config.model;
      const scorer = artifacts ? Scorer.fromArtifacts(artifacts.manifest, artifacts.weights) : (config.model as Scorer);
      const engine = new Engine(config, store, scorer, artifacts, choice);
      created = engine;
      await engine.restore();
      engine.watchBackend();
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
    this.history = events.filter(isInteraction).slice(-HISTORY_MIRROR);
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

  /**
   * Re-reads what another tab (or the browser clearing site data) may have changed under us:
   * weights, last training, event count and history. Coalesces bursts into one re-read.
   */
  private refresh(): void {
    if (this.closed) return;
    if (this.refreshing) {
      this.refreshAgain = true;
      return;
    }
    this.refreshing = (async () => {
      do {
        this.refreshAgain = false;
        // Right after the browser closed the database under us, the first reads can still fail.
        for (let attempt = 0; attempt < 4 && !this.closed; attempt++) {
          if (await this.reload().then(() => true, () => false)) break;
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      } while (this.refreshAgain && !this.closed);
    })().finally(() => {
      this.refreshing = null;
    });
  }

  private onTabMessage(message: TabMessage): void {
    if (this.closed) return;
    if (message.type === 'forget') this.dropMemory();
    this.refresh();
  }

  /** Validates and stores events (the page-side entry point for Node and tests). */
  async track(events: TrackEvent | readonly TrackEvent[]): Promise<number> {
    return this.trackChecked(checkTrackEvents(events, this.now(), env.randomId));
  }

  /** Stores events already validated by the page; re-delivered ids are ignored. */
  async trackChecked(events: readonly StoredEvent[]): Promise<number> {
    this.assertOpen();
    const added = await this.store.addEvents(events);
    if (added === 0) return 0;
    this.sync.post({ type: 'events' });
    const interactions = events.filter(isInteraction);
    this.eventCount = await this.store.countEvents();
    if (interactions.length > 0) {
      this.history = [...this.history, ...interactions].sort((a, b) => a.time - b.time).slice(-HISTORY_MIRROR);
      this.userVector = null;
      this.newSinceTraining += interactions.length;
      this.scheduleTraining();
    }
    return added;
  }

  async rerank(candidates: readonly Candidate[] | unknown, options?: RerankOptions): Promise<RerankResult> {
    this.assertOpen();
    const { packed } = packCandidates(checkCandidates(candidates));
    const ranking = await this.rerankPacked(packed, checkRerankOptions(options));
    return unpackRanking(packed.ids, ranking);
  }

  /**
   * The hot path, for candidates and options the page already validated: cached item vectors, a
   * cached user vector, a plain dot-product loop, and typed arrays out (transferred to the page).
   */
  async rerankPacked(candidates: PackedCandidates, opts: RerankOptions): Promise<PackedRanking> {
    this.assertOpen();
    this.assertBackend();
    const start = performance.now();
    const dim = this.scorer.dim;
    const n = candidates.ids.length;
    const { rows, remember } = await this.items.rows(this.scorer, candidates);
    // Item features are public; remembering them lets a later click on the bare id be understood.
    if (remember.length > 0) this.store.rememberItems(remember).catch(() => undefined);
    const user = await this.currentUserVector();
    const modelScores = dotScores(user, rows);
    let blended = blend(modelScores, serverSignalOf(candidates.scores, n), opts.serverWeight ?? this.config.serverWeight ?? DEFAULTS.serverWeight);
    if (opts.affinity) blended = mix(blended, standardise(await this.affinityOf(candidates)), opts.affinity);
    const needUnit = (opts.diversity ?? 0) > 0 || opts.explain;
    const stacked = needUnit ? stackRows(rows, dim) : undefined;
    const center = stacked && meanRow(stacked, dim);
    const unit = stacked && unitRows(stacked, dim, center);
    const indices = order(blended, { k: opts.k, diversity: opts.diversity, unitVectors: unit, dim });
    let reasons: PackedRanking['reasons'];
    if (opts.explain && unit) {
      const history = await this.historyVectors(center);
      // Reasons are for what a person sees: the first positions, not the whole list.
      reasons = new Array(n).fill(null);
      for (const i of indices.slice(0, EXPLAIN_LIMIT)) reasons[i] = reasonFor(unit, i * dim, history, dim) ?? null;
    }
    return { order: Int32Array.from(indices), scores: blended, modelScores, reasons, computeMs: performance.now() - start };
  }

  /** Category affinity of the candidates to the user's recent interactions (not removals). */
  private async affinityOf(candidates: PackedCandidates): Promise<Float32Array> {
    const history = (await this.historyItems()).filter((h) => h.type !== 'remove_from_cart');
    return categoryAffinity(
      candidates.features.map((json) => (json === null ? undefined : categoriesOf(JSON.parse(json) as ItemFeatures))),
      history.map((h) => categoriesOf(h.features)),
    );
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

  /** The user's recent interactions, with item features filled in from remembered candidates. */
  private async historyItems(): Promise<HistoryItem[]> {
    const recent = this.history.slice(-this.scorer.maxHistory);
    const unknown = recent.filter((e) => !e.features).map((e) => e.itemId);
    const known = unknown.length > 0 ? await this.store.itemFeatures(unknown).catch(() => new Map()) : new Map();
    return recent.map((e) => ({
      itemId: e.itemId,
      type: e.type,
      time: e.time,
      dwellMs: e.dwellMs,
      features: e.features ?? known.get(e.itemId),
    }));
  }

  private async historyVectors(center: Float32Array | undefined): Promise<HistoryVectors> {
    const history = await this.historyItems();
    const dim = this.scorer.dim;
    if (history.length === 0) return { events: [], unitVectors: new Float32Array(0) };
    const vectors = this.scorer.itemVectors(history.map((h) => ({ id: h.itemId, features: h.features })));
    const values = (await vectors.data()) as Float32Array;
    vectors.dispose();
    return {
      events: history.map((h) => ({ itemId: h.itemId, type: h.type, label: labelOf(h) })),
      unitVectors: unitRows(values, dim, center),
    };
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
        this.assertBackend();
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
    const result = await fineTune(this.scorer, this.adapter, events, this.now(), {
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
    this.history = [];
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

  private assertBackend(): void {
    if (this.backendLost) throw new LocalrankError('BACKEND_UNAVAILABLE', `${this.backendLost}; moving to another backend`);
  }

  /** After a GPU loss, move to the next backend and rebuild the model there: never rank on zeros. */
  private watchBackend(): void {
    watchBackendLoss((why) => {
      if (this.closed || !this.artifacts) return;
      void this.recover(why);
    });
  }

  private async recover(why: string): Promise<void> {
    const lost = this.choice.backend;
    const next = lost === 'webgpu' || lost === 'webgl' ? 'wasm' : 'cpu';
    this.backendLost = why;
    try {
      await this.training?.catch(() => undefined);
      this.choice = { ...(await chooseBackend(next, { gpu: this.choice.gpu })), reason: `${why}; moved from ${lost}` };
      const weights = await this.store.loadWeights();
      // The old tensors lived on the lost device: drop the references, do not touch them.
      this.scorer = Scorer.fromArtifacts(this.artifacts!.manifest, this.artifacts!.weights);
      const usable = weights && weights.modelVersion === this.scorer.version ? weights : null;
      this.adapter = usable ? Adapter.fromWeights(usable.tensors, this.scorer) : null;
      this.weightsSavedAt = usable?.savedAt ?? null;
      this.items.clear();
      this.userVector = null;
      this.backendLost = null;
      this.config.onRecovered?.(this.choice.backend, this.choice.reason);
      this.watchBackend();
    } catch (error) {
      this.config.onDegraded?.({ code: 'BACKEND_UNAVAILABLE', message: `${why}; recovery failed: ${String(error)}` });
    }
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

/** An item's cached vector, valid for these features (JSON); `remembered`: they were sent to storage. */

function categoriesOf(features: ItemFeatures | undefined): readonly string[] | undefined {
  const category = features?.category;
  return category === undefined ? undefined : typeof category === 'string' ? [category] : category;
}

function labelOf(h: HistoryItem): string {
  return h.features?.text ?? `item ${h.itemId}`;
}
