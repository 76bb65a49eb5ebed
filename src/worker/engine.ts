/**
 * `src/worker/`: the engine in the Web Worker (and in Node, for the evaluation). This folder holds
 * the worker entry (`worker.ts`), this engine, which wires the rest, and what the engine keeps
 * for one visitor: storage (`store.ts`, `records.ts`), what is known of the visitor (`visitor.ts`,
 * `history.ts`, `item-cache.ts`), tab sync and the fault hook. The model is in `model/`, the
 * ranking in `ranking/`; they never import from this folder. This file is its entry.
 *
 * The engine: one object that owns the event store, the visitor's taste, the ranker head and,
 * once it can contribute, the model part, for one namespace. The worker exposes it through
 * comlink; the Node evaluation harness drives the very same class. The ranking itself is the pure
 * `rankCandidates` (rerank.ts); the model part (model/part.ts: TensorFlow.js, the weights, the
 * towers) is its own chunk, loaded by `ModelSlot` after the first personalised rerank where the
 * model knows something of the shop, and the news from other tabs (sync.ts) is in its own module.
 *
 * Methods come in pairs: `track` and `rerank` validate their input (Node, tests); `trackChecked`
 * and `rerankChecked` take input the page already validated (the worker's hot path).
 */
import * as env from '../shared/env';
import { LocalrankError, type Fallback } from '../shared/errors';
import { cutCounter } from '../shared/feature-limits';
import { LIMITS } from '../shared/limits';
import { packCandidates, unpackRanking, type PackedCandidates, type PackedRanking, type WorkerInit } from '../shared/protocol';
import type {
  BackendName,
  Candidate,
  EngineInfo,
  ExportedData,
  ItemFeatures,
  LoadProgress,
  RerankOptions,
  RerankResult,
  StoredEvent,
  TrackEvent,
  TrainReport,
} from '../shared/types';
import { checkCandidates, checkRerankOptions, checkTrackEvents } from '../shared/validate';
import type { ModelCandidates, ModelPart, ModelPartModule, ModelTerm } from './model/contract';
import { ItemCache } from './item-cache';
import { knowsItem, minHistory, modelInfo, readManifest, readsAnyCatalogue, type ModelInfo } from './model/manifest';
import type { AnyManifest } from './model/cross-manifest';
import { ModelSlot } from './model-slot';
import { historyEntry } from './history';
import { NO_REACTIONS, adaptationFromWeights, adjustedHead, fitReactions, pagesOf, reactionsFromWeights, reactionsToWeights, type Reactions } from './ranking/reactions';
import { featuresReader, rankCandidates, serverRanking, type Ranking } from './ranking/rerank';
import { headOf, type HeadWeights } from './ranking/signals';
import { Store } from './store';
import { Visitor } from './visitor';
import { Refresh, TabSync, type TabMessage } from './sync';
import { EMPTY_PROFILE, itemTokens, tasteWeight } from './ranking/taste';

/**
 * What the worker starts from (`WorkerInit`), with the model also given as a model part already
 * loaded (Node: the evaluation, tests), and the environment injectable: storage, fetch and clock.
 */
export interface EngineConfig extends Omit<WorkerInit, 'model' | 'modelPart' | 'loadModel' | 'serverWeight' | 'wasmPaths' | 'fineTune'> {
  /**
   * The model manifest's URL; a model part already loaded (used from the start); or a manifest
   * already read whose part never loads here (Node: the evaluation's "without the scorer").
   */
  model: string | ModelPart | { manifest: AnyManifest };
  /** Let `train()` fine-tune the scorer for this visitor too (see `PersonalizerOptions.fineTune`). */
  fineTune?: boolean;
  /** Imports the model part's chunk (in the worker: `import()` of the URL the page names). */
  modelPart?: () => Promise<ModelPartModule>;
  /** When the model part loads (see `PersonalizerOptions.loadModel`); default `lazy`. */
  loadModel?: WorkerInit['loadModel'];
  /** Where the model part's wasm backend finds its binaries. */
  wasmPaths?: WorkerInit['wasmPaths'];
  /** Overrides the ranker head's own balance with the server's order, 0..1; default: the head's. */
  serverWeight?: number;
  /**
   * False: learn nothing on the device (the pretrained model alone reads the history), for the
   * evaluation's "frozen" row. Default true.
   */
  learn?: boolean;
  /** An IndexedDB of its own (fake-indexeddb in Node); default: the origin's, shared with its other tabs. */
  idbFactory?: IDBFactory;
  fetch?: typeof fetch;
  now?: () => number;
  onProgress?: (progress: LoadProgress) => void;
  onTrain?: (report: TrainReport) => void;
  /** The model part moved to another backend after a GPU loss, and scores again there. */
  onRecovered?: (backend: BackendName, reason: string) => void;
}

/** Where the model comes from: a manifest the engine read (the part loads later), or a part already loaded. */
type ModelSource = { manifest: AnyManifest; part?: undefined } | { part: ModelPart; manifest?: undefined };

export class Engine {
  /** This visitor's trust in each signal group, fitted by `train()`; `NO_REACTIONS` until then. */
  private reactions: Reactions = NO_REACTIONS;
  /** This visitor's adaptation of the scorer, fine-tuned by `train()` where `fineTune` is on; null until then. */
  private adaptation: Float32Array | null = null;
  private lastTraining: TrainReport | null = null;
  private eventCount = 0;
  private newSinceTraining = 0;
  /** What `track` and `rerank` cut to the limits (the worker's page cuts before, and counts its own). */
  private readonly cuts = cutCounter();
  /** Tokens of candidates, and whether the model knows them, by item id. */
  private readonly items: ItemCache;
  /** The visitor's interactions, taste and user vector, in memory. */
  private readonly visitor: Visitor;
  /** Items waiting to be remembered in storage, and the write in progress (see `remember`). */
  private readonly toRemember = new Map<string, ItemFeatures>();
  private remembering: Promise<void> | null = null;
  private training: Promise<TrainReport> | null = null;
  private trainTimer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;
  /** Writes of tracked events in progress: `forget()` and `close()` wait for them. */
  private readonly writes = new Set<Promise<number>>();
  /** A `forget()` in progress: events and training that arrive meanwhile wait for it, so it never erases them. */
  private forgetting: Promise<void> | null = null;
  /** `savedAt` of the reaction weights in use, to notice another tab's newer ones. */
  private weightsSavedAt: number | null = null;
  private readonly sync: TabSync;
  private readonly refresh = new Refresh(
    () => this.reload(),
    () => this.closed,
  );
  /** The model part: loaded lazily where it can contribute, its term added once ready. */
  private readonly slot: ModelSlot;
  /** A load of the model part is scheduled after the answer in progress. */
  private modelScheduled = false;

  private constructor(
    private readonly config: EngineConfig,
    private readonly store: Store,
    /** What the engine reads of the model without running it: version, head, card, what it knows. */
    private readonly model: ModelInfo,
    source: ModelSource,
  ) {
    this.sync = new TabSync(config.namespace, (message) => this.onTabMessage(message), store.sharedWithTabs);
    this.items = new ItemCache((id, features) => knowsItem(model, id, features));
    this.visitor = new Visitor({ maxHistory: model.maxHistory, store, items: this.items });
    const { manifest, part } = source;
    const load = manifest && config.modelPart && config.loadModel !== 'never' ? () => this.loadPart(manifest) : null;
    this.slot = new ModelSlot(load, () => this.now(), part);
  }

  static async create(config: EngineConfig): Promise<Engine> {
    let created: Engine | null = null;
    const store = await Store.open({
      namespace: config.namespace,
      retention: config.retention,
      idbFactory: config.idbFactory,
      now: config.now,
      onTerminated: () => created?.refresh.request(),
      onEventsRemoved: (ids) => created?.eventsRemoved(ids),
    });
    try {
      const given = config.model;
      const source: ModelSource =
        typeof given === 'string'
          ? { manifest: await readManifest(given, { fetch: config.fetch, onProgress: config.onProgress }) }
          : typeof (given as ModelPart).term === 'function'
            ? { part: given as ModelPart }
            : { manifest: (given as { manifest: AnyManifest }).manifest };
      const engine = new Engine(config, store, source.part ? source.part.info : modelInfo(source.manifest!), source);
      created = engine;
      await engine.restore();
      if (config.loadModel === 'eager') await engine.slot.request();
      return engine;
    } catch (error) {
      store.close();
      throw error;
    }
  }

  /** Imports the model part's chunk and loads the model of `manifest` with it. */
  private async loadPart(manifest: AnyManifest): Promise<ModelPart> {
    const { config, store } = this;
    const { createModelPart } = await config.modelPart!();
    return createModelPart({
      manifest,
      manifestUrl: config.model as string,
      weightsUrl: config.modelWeights,
      backend: config.backend,
      wasmPaths: config.wasmPaths,
      fetch: config.fetch,
      onProgress: config.onProgress,
      cachedBackend: (device) => store.cachedBackend(device),
      cacheBackend: (device, backend) => store.cacheBackend(device, backend),
      onRecovered: (backend, reason) => this.config.onRecovered?.(backend, reason),
      onLost: (failure) => this.slot.lost(failure),
    });
  }

  /**
   * After this answer, starts loading the model part when it can contribute: its card says it reads
   * any catalogue, or it knows some candidate; and it has a visitor to read (as many interactions as
   * its card says it needs, or a card that says its ranking for newcomers beats the server's).
   */
  private considerModel(known: boolean, history: number): void {
    if (this.modelScheduled || !this.slot.wanted()) return;
    if (!(known || readsAnyCatalogue(this.model))) return;
    if (history === 0 ? !this.model.card?.priorBeatsServer : history < minHistory(this.model)) return;
    this.modelScheduled = true;
    // A macrotask: the answer in progress is posted to the page first.
    setTimeout(() => {
      this.modelScheduled = false;
      if (!this.closed) void this.slot.request();
    }, 0);
  }

  private now(): number {
    return this.config.now?.() ?? Date.now();
  }

  /**
   * Drops stored records that fail validation, applies retention, then loads the reaction weights
   * (dropping them if the model changed) and the recent history.
   */
  private async restore(): Promise<void> {
    await this.store.sweep().catch(() => undefined);
    await this.store.enforceRetention().catch(() => undefined);
    await this.reload();
  }

  /** Re-reads weights, the last training and the recent history from storage. */
  private async reload(): Promise<void> {
    await this.adoptStoredWeights();
    this.lastTraining = await this.store.lastTraining();
    const events = await this.store.events();
    this.eventCount = events.length;
    this.visitor.reset(events);
  }

  /**
   * Uses the stored reaction weights if they differ from ours. Weights of another model, or a
   * record that does not read as reaction weights, are dropped: a stored record never disables us.
   */
  private async adoptStoredWeights(): Promise<void> {
    const weights = await this.store.loadWeights();
    const reactions = weights && weights.modelVersion === this.model.version ? reactionsFromWeights(weights.tensors) : null;
    // Another model's weights are outdated; ours that do not read as reactions are damaged (counted).
    if (weights && !reactions) await this.store.deleteWeights(weights.modelVersion === this.model.version).catch(() => undefined);
    const savedAt = reactions ? weights!.savedAt : null;
    if (savedAt === this.weightsSavedAt) return;
    this.reactions = reactions ?? NO_REACTIONS;
    this.adaptation = reactions ? adaptationFromWeights(weights!.tensors) : null;
    this.weightsSavedAt = savedAt;
  }

  private onTabMessage(message: TabMessage): void {
    if (this.closed) return;
    if (message.type === 'forget') this.dropMemory();
    this.refresh.request();
  }

  /** Validates and stores events (the entry point for Node and tests). */
  async track(events: TrackEvent | readonly TrackEvent[]): Promise<number> {
    return this.trackChecked(checkTrackEvents(events, this.now(), env.randomId, this.cuts.onCut));
  }

  /**
   * Stores events already validated by the page; re-delivered ids are ignored. Resolves once they
   * are stored; events that arrive during a `forget()` are stored after it.
   */
  async trackChecked(events: readonly StoredEvent[]): Promise<number> {
    this.assertOpen();
    const write = this.storeEvents(events);
    this.writes.add(write);
    try {
      return await write;
    } finally {
      this.writes.delete(write);
    }
  }

  private async storeEvents(events: readonly StoredEvent[]): Promise<number> {
    await this.forgetting?.catch(() => undefined);
    const added = await this.store.addEvents(events);
    if (added === 0) return 0;
    this.sync.post({ type: 'events' });
    const interactions = this.visitor.added(events);
    this.eventCount = await this.store.countEvents();
    if (interactions > 0) {
      this.newSinceTraining += events.filter((e) => tasteWeight(e) > 0).length;
      this.scheduleTraining();
    }
    return added;
  }

  /** Storage deleted these events (retention, quota, a record that failed validation): so does memory. */
  private eventsRemoved(ids: readonly string[]): void {
    this.visitor.removed(ids);
  }

  /** Validates and ranks candidates (the entry point for Node and tests). */
  async rerank(candidates: readonly Candidate[] | unknown, options?: RerankOptions): Promise<RerankResult> {
    this.assertOpen();
    const { packed } = packCandidates(checkCandidates(candidates, this.cuts.onCut));
    const ranking = await this.rerankChecked(packed, checkRerankOptions(options));
    return unpackRanking(packed.ids, ranking);
  }

  /**
   * The hot path, for candidates and options the page already validated: cached tokens, evidence
   * and item vectors, a cached taste and user vector, the pure pipeline, typed arrays out.
   * Without any interaction the server's order stands, unless the model declares that its
   * ranking for newcomers beats it.
   */
  async rerankChecked(candidates: PackedCandidates, options: RerankOptions): Promise<PackedRanking> {
    this.assertOpen();
    const start = performance.now();
    const prepared = this.items.prepare(candidates);
    if (!prepared) return { order: new Int32Array(0), scores: new Float32Array(0), modelScores: new Float32Array(0), computeMs: 0, resend: true };
    const { ids, tokens, known, remember } = prepared;
    const n = ids.length;
    const items: ModelCandidates = { ids: prepared.ids, features: prepared.features, embeddings: candidates.embeddings, serverScores: candidates.scores };
    // Item features are public; remembering them lets a later click on the bare id be understood.
    this.remember(remember);
    const { items: history, taste } = await this.visitor.interactions();
    const done = (ranking: Ranking, fallback?: Fallback): PackedRanking => ({ ...ranking, fallback, computeMs: performance.now() - start });
    const model = await this.modelTerm(items, history);
    this.considerModel(known, history.length);
    const features = featuresReader(items.features);
    if (history.length === 0 && !model) {
      const rules = { ids, features, options };
      return done(serverRanking(candidates.scores, n, rules), { code: 'NO_EVIDENCE', message: 'no interaction recorded yet: the server\'s order stands' });
    }
    const shown = options.explore ? await this.visitor.shownItems() : undefined;
    const ranking = rankCandidates({
      ids,
      tokens,
      serverScores: candidates.scores,
      profile: this.config.learn === false ? EMPTY_PROFILE : taste.profile(),
      model,
      head: this.head(model !== undefined),
      options: this.config.serverWeight !== undefined && options.serverWeight === undefined ? { ...options, serverWeight: this.config.serverWeight } : options,
      history: options.explain ? history.map((h) => historyEntry(h, this.items.tokensOf(h.itemId))) : undefined,
      features,
      shown: shown && ((id) => shown.has(id)),
    });
    return done(ranking);
  }

  /** The model part's term when it is ready; a part that fails here leaves the ranking to the taste and head. */
  private async modelTerm(candidates: ModelCandidates, history: Parameters<ModelPart['term']>[1]): Promise<ModelTerm | undefined> {
    const part = this.slot.part;
    if (!part || (history.length > 0 && history.length < minHistory(this.model))) return undefined;
    try {
      return await part.term(candidates, history, this.now(), this.config.learn === false ? null : this.adaptation);
    } catch {
      return undefined;
    }
  }

  /**
   * Remembers items' features in storage, one write at a time: a burst of reranks of new lists
   * coalesces into the next write instead of queueing work in front of the visitor's events.
   */
  private remember(items: ReadonlyArray<{ id: string; features: ItemFeatures }>): void {
    for (const item of items) {
      this.toRemember.delete(item.id);
      this.toRemember.set(item.id, item.features);
    }
    // Only the newest count: storage keeps no more than LIMITS.maxRememberedItems anyway.
    for (const id of this.toRemember.keys()) {
      if (this.toRemember.size <= LIMITS.maxRememberedItems) break;
      this.toRemember.delete(id);
    }
    if (this.remembering || this.toRemember.size === 0) return;
    const batch = [...this.toRemember].map(([id, features]) => ({ id, features }));
    this.toRemember.clear();
    this.remembering = this.store
      .rememberItems(batch)
      .catch(() => undefined)
      .finally(() => {
        this.remembering = null;
        if (!this.closed) this.remember([]);
      });
  }

  /**
   * The ranker head, adjusted by this visitor's reactions when learning: the model's head where its
   * term is in the ranking, else the head it ships for ranking without it (`ranker.alone`).
   */
  private head(withModel: boolean): HeadWeights {
    const head = this.baseHead(withModel);
    return this.config.learn === false ? head : adjustedHead(head, this.reactions);
  }

  private baseHead(withModel: boolean): HeadWeights {
    const ranker = this.model.ranker;
    return headOf(withModel || !ranker?.alone ? ranker : { weights: ranker.alone });
  }

  private scheduleTraining(): void {
    const auto = this.config.autoTrain;
    if (!auto || this.closed || this.newSinceTraining < auto.minNewEvents) return;
    if (this.trainTimer) clearTimeout(this.trainTimer);
    this.trainTimer = setTimeout(() => {
      this.trainTimer = null;
      this.train().catch(() => undefined);
    }, auto.idleMs);
  }

  /**
   * Fits this visitor's reaction weights to the lists they were shown and chose from, now.
   * Concurrent calls share one run.
   */
  train(): Promise<TrainReport> {
    this.assertOpen();
    const forgetting = this.forgetting;
    // One trainer per namespace across tabs; inside the lock, start from the newest stored weights.
    // After a forget() in progress, so nothing it erases is learned from.
    this.training ??= (async () => {
      await forgetting?.catch(() => undefined);
      return this.sync.exclusive(async () => {
        this.assertOpen();
        await this.adoptStoredWeights();
        return this.runTraining();
      });
    })().finally(() => {
      this.training = null;
    });
    return this.training;
  }

  private async runTraining(): Promise<TrainReport> {
    const start = performance.now();
    const events = await this.store.events();
    this.newSinceTraining = 0;
    const remembered = await this.store.itemFeatures([...new Set(events.filter((e) => !e.features).map((e) => e.itemId))]).catch(() => new Map<string, ItemFeatures>());
    const pages = pagesOf(events, (id) => this.items.tokensOf(id) ?? tokensOfFeatures(remembered.get(id)));
    // The lists' signals have no model column: the reactions are fitted on the head without the model.
    const fit = this.config.learn === false ? null : fitReactions(pages, this.baseHead(false), this.reactions);
    const { reactions, pages: examples, ...figures } = fit ?? { ...NO_FIT, reactions: this.reactions, pages: pages.length };
    const tuned = await this.fineTune(pages, reactions);
    const kept = Boolean(fit?.kept || tuned?.kept);
    const report: TrainReport = {
      ...figures,
      kept,
      ...(tuned ? { fineTune: { kept: tuned.kept, steps: tuned.steps, examples: tuned.pages, holdoutBefore: tuned.holdoutBefore, holdoutAfter: tuned.holdoutAfter, reason: tuned.reason } } : {}),
      examples,
      durationMs: performance.now() - start,
      backend: this.slot.part?.backend().backend ?? 'none',
      at: this.now(),
    };
    if (this.closed) return report;
    if (kept) {
      const adaptation = tuned?.kept ? tuned.adaptation : this.adaptation;
      await this.store.saveWeights({ modelVersion: this.model.version, savedAt: report.at, tensors: reactionsToWeights(reactions, adaptation) }, report);
      this.reactions = reactions;
      this.adaptation = adaptation;
      this.weightsSavedAt = report.at;
      this.sync.post({ type: 'weights', savedAt: report.at });
    } else {
      await this.store.setLastTraining(report);
    }
    this.lastTraining = report;
    this.config.onTrain?.(report);
    return report;
  }

  /**
   * Fine-tunes the scorer for this visitor where `fineTune` is on and the model part is loaded and
   * can: on the same lists, with the head as the new reactions adjust it.
   */
  private async fineTune(pages: Parameters<NonNullable<ModelPart['fineTune']>>[0], reactions: Reactions) {
    const part = this.slot.part;
    if (this.config.learn === false || !this.config.fineTune || !part?.fineTune) return null;
    try {
      return await part.fineTune(pages, adjustedHead(this.baseHead(true), reactions), this.adaptation);
    } catch {
      return null;
    }
  }

  async info(): Promise<EngineInfo> {
    this.assertOpen();
    // What is stored now, not as of our last successful write: pruning for quota, retention and
    // other tabs delete events while writes of ours fail. The last count stands if storage cannot answer.
    this.eventCount = await this.store.countEvents().catch(() => this.eventCount);
    const part = this.slot.part;
    const backend = part?.backend() ?? { backend: 'none' as const, reason: 'no model part loaded (info().model says why)', gpu: { adapter: 'none' as const } };
    return {
      backend: backend.backend,
      backendReason: backend.reason,
      gpu: backend.gpu,
      ...this.slot.status(),
      modelVersion: this.model.version,
      events: this.eventCount,
      storage: this.store.kind,
      fineTuned: this.weightsSavedAt !== null,
      lastTraining: this.lastTraining,
      namespace: this.config.namespace,
      storageStatus: this.store.status,
      diagnostics: { tensors: part?.tensors() ?? 0, heapBytes: env.heapBytes(), droppedRecords: this.store.dropped, ...this.cuts.counts },
    };
  }

  async exportData(): Promise<ExportedData> {
    this.assertOpen();
    const weights = await this.store.loadWeights();
    return {
      namespace: this.config.namespace,
      exportedAt: this.now(),
      modelVersion: this.model.version,
      events: await this.store.events(),
      items: await this.store.items(),
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

  /**
   * Wipes events, weights and remembered items; the base model keeps serving. What was tracked
   * before the call is erased (writes in progress finish first); events that arrive while it runs
   * (it waits for a training run) are stored after the wipe, not erased by it.
   */
  forget(): Promise<void> {
    this.assertOpen();
    if (this.trainTimer) clearTimeout(this.trainTimer);
    this.trainTimer = null;
    const wipe = this.wipe([...this.writes], this.training);
    const forgetting = wipe.finally(() => {
      if (this.forgetting === forgetting) this.forgetting = null;
    });
    this.forgetting = forgetting;
    return forgetting;
  }

  private async wipe(writes: ReadonlyArray<Promise<unknown>>, training: Promise<unknown> | null): Promise<void> {
    await Promise.allSettled(writes);
    await training?.catch(() => undefined);
    // Under the training lock: another tab's run must not write weights after the wipe.
    await this.sync.exclusive(() => this.store.clear());
    this.dropMemory();
    this.sync.post({ type: 'forget' });
  }

  /** Forgets, in memory, everything derived from the user's behaviour. */
  private dropMemory(): void {
    if (this.trainTimer) clearTimeout(this.trainTimer);
    this.trainTimer = null;
    this.reactions = NO_REACTIONS;
    this.adaptation = null;
    this.weightsSavedAt = null;
    // The remembered items were wiped with the rest: let the next reranks remember them again.
    this.items.clear();
    this.slot.part?.clear();
    this.toRemember.clear();
    this.visitor.clear();
    this.eventCount = 0;
    this.newSinceTraining = 0;
    this.lastTraining = null;
  }

  /** Finishes the writes, `forget()` and training in progress, then releases everything. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.trainTimer) clearTimeout(this.trainTimer);
    await Promise.allSettled([...this.writes]);
    await this.forgetting?.catch(() => undefined);
    await this.training?.catch(() => undefined);
    await this.remembering;
    await this.slot.close();
    this.sync.close();
    this.store.close();
  }

  /** Fault injection for the browser tests (faults.ts). */
  loseGpu(): void {
    this.slot.part?.loseGpu();
  }

  private assertOpen(): void {
    if (this.closed) throw new LocalrankError('CLOSED', 'this personalizer was closed');
  }
}

/** The report of a training run when learning is off. */
const NO_FIT = { steps: 0, lossBefore: 0, lossAfter: 0, holdoutBefore: 0, holdoutAfter: 0, kept: false, reason: 'learning is off' };

function tokensOfFeatures(features: ItemFeatures | undefined) {
  return features ? itemTokens(features) : undefined;
}
