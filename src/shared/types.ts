/**
 * Public data types. Everything a page sends to or gets back from localrank is declared here,
 * so that the main thread, the worker and the Node-side tools agree on one contract.
 */
import type { ErrorCode, Fallback } from './errors';

/** What the user did with an item. `impression` means the item was shown (a candidate negative). */
export type EventType = 'impression' | 'view' | 'click' | 'add_to_cart' | 'remove_from_cart' | 'purchase';

export const EVENT_TYPES: readonly EventType[] = [
  'impression',
  'view',
  'click',
  'add_to_cart',
  'remove_from_cart',
  'purchase',
];

/** TensorFlow.js backends localrank can run on. */
export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';

/** What the `backend` option accepts: a backend, or `'auto'` to measure. */
export const BACKEND_CHOICES: readonly ('auto' | BackendName)[] = ['auto', 'webgpu', 'webgl', 'wasm', 'cpu'];

/**
 * Public, non-personal facts about an item. They let the model place items it has never seen
 * (new products, another shop's catalogue) next to similar ones.
 */
/** A field of an item's features that lost entries or values to the limits (see `LIMITS`). */
export type CutField = 'category' | 'brand' | 'tags' | 'attributes';

export interface ItemFeatures {
  /** Category path or tags, most general first, e.g. `['Films', 'Comedy']` or `'Shoes'`. */
  category?: string | readonly string[];
  /** Price in the shop's currency. Must be finite and >= 0. */
  price?: number;
  /** Title or short description; tokenised and hashed on the device. */
  text?: string;
  /** Brand or maker. */
  brand?: string;
  /**
   * Free facet values without a name: tags, collections, attribute ids. Compared as exact values,
   * e.g. `['vegan', 'gift-idea']`.
   */
  tags?: readonly string[];
  /**
   * Named facets, e.g. `{ color: 'red', material: ['cotton', 'linen'], inStock: true }`. Each
   * value is a token of its own (`color=red`); numbers and booleans are compared as written.
   */
  attributes?: Readonly<Record<string, string | number | boolean | readonly string[]>>;
}

/** One interaction to record. */
export interface TrackEvent {
  type: EventType;
  /** The shop's item id (any non-empty string up to 256 characters, or a finite number). */
  itemId: string | number;
  /** When it happened, ms since the Unix epoch. Default: now. */
  time?: number;
  /** How long the item was looked at, ms. */
  dwellMs?: number;
  /** Which list the item was shown in (e.g. `'search'`, `'home-recs'`). */
  listId?: string;
  /** 0-based position in that list as the server sent it. */
  position?: number;
  features?: ItemFeatures;
}

/** An event as stored on the device, after validation and normalisation. */
export interface StoredEvent {
  /** Unique per event; makes re-delivery after a worker restart idempotent. */
  id: string;
  type: EventType;
  itemId: string;
  time: number;
  dwellMs?: number;
  listId?: string;
  position?: number;
  features?: ItemFeatures;
}

/** A product the server proposes for the page, in the server's order. */
export interface Candidate {
  id: string | number;
  /** The server's relevance score; higher is better. When absent the input order is used. */
  score?: number;
  features?: ItemFeatures;
  /** An item vector computed by a larger model on the server (any fixed length per model). */
  embedding?: ArrayLike<number>;
}

/** A value a rule compares with an item's field: compared as written, ignoring case and outer spaces. */
export type FieldValue = string | number | boolean;

/**
 * Which items a rule is about, from what the candidates' `features` say (or their id). `field` is
 * `id`, `category` (any level, or the whole path as `'Shoes > Running'`), `brand`, `price`, `text`,
 * `tags` (any tag), or the name of an entry of `attributes` (e.g. `inStock`; names ignore case).
 * Every condition given must hold: `equals` one value, `oneOf` any of several, `min` / `max` a
 * numeric range (inclusive). An item without the field never matches.
 */
export interface ItemMatch {
  field: string;
  equals?: FieldValue;
  oneOf?: readonly FieldValue[];
  min?: number;
  max?: number;
}

/** An `ItemMatch` with how strongly to move what it matches. */
export interface WeightedMatch extends ItemMatch {
  /**
   * 0..1, default 0.5: the share of the list a match moves past. 1 puts every match above every
   * other item (`boost`) or below them (`bury`); weights of several matching rules add up, within ±1.
   */
  weight?: number;
}

/** At most `max` items sharing one value of `field` among the first `within` positions. */
export interface GroupCap {
  /** A field as in `ItemMatch`; items without it belong to no group. A list (category path, tags) is one value. */
  field: string;
  max: number;
  /** Positions the cap covers. Default: the whole list. */
  within?: number;
}

/**
 * How `rerank` orders. The rules (`exclude`, `keepTop`, `pin`, `boost`, `bury`, `maxPerGroup`) are
 * applied after the model and always respected, in that order; they hold in every result, the
 * server's order included (see docs/rules.md).
 */
export interface RerankOptions {
  /** Only the best `k` positions are personalised; the rest keep the server's order. Default: all. */
  k?: number;
  /**
   * Overrides the learned balance with the server's order: 0 ranks by the personal signals alone,
   * 1 keeps the server's order. Default: the model's ranker head decides, as measured.
   */
  serverWeight?: number;
  /** 0 (none) to 1 (strong): penalise items too similar to ones already placed above (MMR). Default 0. */
  diversity?: number;
  /** Attach a short reason to each item. Default false. */
  explain?: boolean;
  /**
   * 0 to 0.5, default 0 (off): the share of the first 20 positions given to items this visitor was
   * never shown, chosen by how little their taste knows of those items' facets (see docs/rules.md).
   */
  explore?: number;
  /** Items left out of `items` (reported in `excluded`): ids, or `ItemMatch`es such as `{ field: 'inStock', equals: false }`. */
  exclude?: ReadonlyArray<string | number | ItemMatch>;
  /** The first `keepTop` positions of the server's order never move. */
  keepTop?: number;
  /** Items fixed at 0-based positions, e.g. a sponsored slot: `{ 'sku-9': 2 }`. */
  pin?: Readonly<Record<string, number>>;
  /** Lift the items a match names. */
  boost?: readonly WeightedMatch[];
  /** Lower the items a match names. */
  bury?: readonly WeightedMatch[];
  /** At most `max` items of one brand, category... among the first `within` positions. */
  maxPerGroup?: GroupCap | readonly GroupCap[];
}

/** Why an item sits where it does: the recent interactions that pulled it up. */
export interface Reason {
  /** A short human-readable sentence, e.g. `"Because you viewed Toy Story (1995)"`. */
  text: string;
  /** The stored interactions most similar to this item, strongest first. */
  drivenBy: ReadonlyArray<{ itemId: string; type: EventType; similarity: number }>;
  /**
   * What each part of localrank added to this item's score (the ranker head's terms, summed by
   * group): the server's order, the visitor's taste learned on the device, and the pretrained scorer
   * (0 until its part is loaded, and for items it has no evidence on).
   */
  contributions?: { server: number; taste: number; model: number };
}

export interface RankedItem {
  id: string;
  /** Final blended score used for the order (higher first). */
  score: number;
  /** The model's own score, or null when the model was not used. */
  modelScore: number | null;
  /** 0-based position in the server's order. */
  serverRank: number;
  reason?: Reason;
}

/** The A/B arm of this visitor: `control` gets the server's order (with the rules), `treatment` localrank's. */
export type Arm = 'control' | 'treatment';

/** A candidate an `exclude` rule left out. */
export interface ExcludedItem {
  id: string;
  /** 0-based position in the server's order. */
  serverRank: number;
  /** Index of the `exclude` entry that matched it. */
  rule: number;
}

export interface RerankResult {
  /** Every candidate not excluded exactly once, best first. */
  items: RankedItem[];
  /** Candidates left out by `exclude`, in the server's order; absent when none was. */
  excluded?: ExcludedItem[];
  /** This visitor's arm (see `PersonalizerOptions.holdout`). */
  arm: Arm;
  /** False when the server's order was returned unchanged (no model yet, a failure, a timeout). */
  personalized: boolean;
  /** Why the server's order was used, when `personalized` is false. */
  fallback?: Fallback;
  /** Time spent in the worker, ms. */
  computeMs: number;
}

export interface TrainReport {
  /** Optimiser steps taken. */
  steps: number;
  /** Mean training loss before and after the update. */
  lossBefore: number;
  lossAfter: number;
  /** Mean reciprocal rank of the visitor's held-out recent choices in their lists, before and after. */
  holdoutBefore: number;
  holdoutAfter: number;
  /** True when the update was kept; false when it would have ranked the held-out events worse. */
  kept: boolean;
  /** Why it was kept, rejected or skipped. */
  reason: string;
  /** Lists with a choice found in the stored events (shown items with positions, then a click, add-to-cart or purchase). */
  examples: number;
  durationMs: number;
  /** The model part's backend, `'none'` while no model part is loaded (training itself needs none). */
  backend: BackendName | 'none';
  /** When it finished, ms since the epoch. */
  at: number;
  /** The scorer's fine-tuning for this visitor, when `fineTune` is on and the scorer was loaded. */
  fineTune?: { kept: boolean; steps: number; examples: number; holdoutBefore: number; holdoutAfter: number; reason: string };
}

export interface GpuInfo {
  /** `hardware` for a real GPU, `software` for an emulated adapter (SwiftShader, llvmpipe), `none`. */
  adapter: 'hardware' | 'software' | 'none';
  description?: string;
}

/**
 * The model part (TensorFlow.js, the weights, the towers): `none` until it is needed (it loads after
 * the first personalised `rerank` where the model can contribute: see `PersonalizerOptions.loadModel`),
 * or never where it cannot; `loading`; `ready` (its term is in every later `rerank`); `failed` (the
 * ranking goes on from the taste and the head; a failed download is tried again later).
 */
export type ModelState = 'none' | 'loading' | 'ready' | 'failed';

/** What the engine reports about itself while it runs. */
export interface EngineInfo {
  /** The model part's TensorFlow.js backend; `'none'` until the model part has loaded. */
  backend: BackendName | 'none';
  /** Why that backend was chosen (forced, measured, cached measurement...), or why there is none yet. */
  backendReason: string;
  /** The WebGPU adapter the model part found (`adapter: 'none'` until it has loaded). */
  gpu: GpuInfo;
  /** Whether the model part is loaded and in use. */
  model: ModelState;
  /** Why the model part failed, when `model` is `failed`. */
  modelFailure?: Fallback;
  modelVersion: string;
  /** Stored interactions on this device. */
  events: number;
  /** Where events live: `indexeddb`, or `memory` when IndexedDB cannot be used (then nothing persists). */
  storage: 'indexeddb' | 'memory';
  /** Reactions learned by `train()` for this visitor are in use (see `train`). */
  fineTuned: boolean;
  lastTraining: TrainReport | null;
  namespace: string;
  /** How on-device storage is doing (quota pruning, failing writes, why memory is used). */
  storageStatus?: StorageStatus;
  /**
   * Internal diagnostics for tests and bug reports; not a stable API. `tensors` is the worker's
   * live TensorFlow.js tensor count, `heapBytes` the worker's JS heap where the browser says,
   * `droppedRecords` the stored records (per store) found invalid and dropped since the engine started;
   * `truncatedLists` the item feature lists (category levels, tags, attribute values) of `track` and
   * `rerank` input cut to their limit (`LIMITS.maxCategories`, `maxTags`, `maxAttributes`), and
   * `droppedValues` the feature values left out for being over `LIMITS.maxIdLength` characters,
   * since the personalizer started.
   */
  diagnostics?: {
    tensors: number;
    heapBytes?: number;
    droppedRecords?: { events: number; weights: number; items: number; meta: number };
    truncatedLists?: number;
    droppedValues?: number;
  };
}

/** `info()` while the engine runs. */
export interface ReadyInfo extends EngineInfo {
  state: 'ready';
  /** This visitor's arm (see `PersonalizerOptions.holdout`). */
  arm: Arm;
  /**
   * Events recorded on this page and not yet stored (storage is failing): kept in memory, up to
   * `LIMITS.maxQueuedEvents`, and delivered when the engine can take them.
   */
  queuedEvents: number;
}

/**
 * `info()` while the engine does not run: `starting` (a restart is under way), `degraded` (it
 * failed; it is retried in the background) or `closed`.
 */
export interface DownInfo {
  state: 'starting' | 'degraded' | 'closed';
  /** This visitor's arm (see `PersonalizerOptions.holdout`). */
  arm: Arm;
  /** What failed last, with the code `rerank`'s `fallback` carries; null if nothing failed. */
  failure: Fallback | null;
  namespace: string;
  /** Events recorded on this page, kept in memory until a worker can store them. */
  queuedEvents: number;
}

/** What `info()` answers, whatever state the engine is in: `state` says which shape. */
export type Info = ReadyInfo | DownInfo;

export interface StorageStatus {
  /**
   * `ok`; `pruned`: the storage quota was hit and the oldest events were dropped to make room
   * (writes work again); `failing`: writes fail even after pruning, so new events wait in memory
   * and are retried.
   */
  state: 'ok' | 'pruned' | 'failing';
  /** Events dropped to make room after a quota error, since this engine started. */
  prunedForQuota: number;
  /** The last storage problem, in words (also why `storage` is `memory`). */
  lastError?: string;
}

/** Everything stored about the user on this device. */
export interface ExportedData {
  namespace: string;
  exportedAt: number;
  modelVersion: string;
  events: StoredEvent[];
  /**
   * Public features of items seen in candidate lists, remembered so that a later interaction with
   * the bare id is understood (`seenAt`: when last seen, ms since the epoch).
   */
  items: Array<{ id: string; features: ItemFeatures; seenAt: number }>;
  /** The reactions `train()` learned for this visitor, if any (`tensors.reactions`: server, model, taste, repeat). */
  weights: null | {
    modelVersion: string;
    savedAt: number;
    tensors: Record<string, { shape: number[]; values: number[] }>;
  };
  lastTraining: TrainReport | null;
  /** The holdout bucket kept on this device (0..999), when a holdout needs one (see `PersonalizerOptions.holdout`). */
  holdoutBucket?: number;
}

export interface RetentionOptions {
  /** Keep at most this many events; the oldest go first. Default 5000. */
  maxEvents?: number;
  /** Drop events older than this, days. Default 90. */
  maxAgeDays?: number;
}

export interface AutoTrainOptions {
  /** Train after this many new non-impression events. Default 5. */
  minNewEvents?: number;
  /** Wait this long after the last event before training, ms. Default 2000. */
  idleMs?: number;
}

/** Model-loading progress, for a progress bar. */
export type LoadProgress =
  | { status: 'download'; url: string }
  | { status: 'progress'; url: string; loaded: number; total: number }
  | { status: 'ready'; modelVersion: string; backend: BackendName };

export interface PersonalizerOptions {
  /** URL of the model manifest. Default: the bundled default model next to the library. */
  model?: string | URL;
  /** Scopes on-device storage, so two shops or apps on one origin never mix. Default `'default'`. */
  namespace?: string;
  /** Force a backend, or `'auto'` (default) to pick the fastest correct one on this device. */
  backend?: 'auto' | BackendName;
  /**
   * When the model part (TensorFlow.js and the weights) loads. `'lazy'` (default): after the first
   * personalised `rerank`, and only where the model can contribute (its card says it reads any
   * catalogue, or it knows some candidate's id or content tokens); nothing waits for it. `'eager'`:
   * at start-up, and `createPersonalizer` waits for it. `'never'`: the taste and the head alone.
   */
  loadModel?: 'lazy' | 'eager' | 'never';
  retention?: RetentionOptions;
  /**
   * Run `train()` automatically in the background. Default false: measured, the reactions `train()`
   * fits made ranking worse in the session protocol (docs/quality.md).
   */
  autoTrain?: boolean | AutoTrainOptions;
  /**
   * Let `train()` also fine-tune the pretrained scorer for this visitor (an offset of its user side,
   * fitted with TensorFlow.js on the lists they chose from, kept only when it ranks their latest
   * choices better). Default false: measured, it did not pay (docs/quality.md, the session protocol).
   */
  fineTune?: boolean;
  /** Default `serverWeight` of every `rerank` (see `RerankOptions`). Default: the ranker head's own balance. */
  serverWeight?: number;
  /**
   * 0..1, default 0: the share of visitors in the control arm of an A/B test, who get the server's
   * order (with the rules) while their events are still recorded. Decided on the device and kept
   * there (a bucket from 0 to 999 in localStorage, not an identifier); 1 puts everyone in control.
   */
  holdout?: number;
  /** Longest wait for any call to the worker before falling back, ms. Default 3000 (init: 30000). */
  timeoutMs?: number;
  /** Where the wasm backend finds its `.wasm` files. Default: next to the worker chunk. */
  wasmPaths?: string;
  /** Called as the model loads. */
  onProgress?: (progress: LoadProgress) => void;
  /**
   * Called when `track` or `rerank` cut an item's features to the limits (`LIMITS`): `list` when
   * `field` held more entries than are read (the first are kept), `value` when a value of it was
   * over 256 characters (left out). The call goes on; `info().diagnostics` counts these too.
   */
  onFeaturesCut?: (field: CutField, kind: 'list' | 'value') => void;
}

/** Something that happened inside localrank that a page may want to show. */
export type PersonalizerEvent =
  | { type: 'train'; report: TrainReport }
  | { type: 'degraded'; code: ErrorCode; message: string }
  | { type: 'recovered'; backend: BackendName | 'none' };

/** The object `createPersonalizer` resolves to. Every method is safe to call at any time. */
export interface Personalizer {
  /** Record one interaction or a batch. Rejects with a `LocalrankError` for bad input; stores nothing then. */
  track(events: TrackEvent | readonly TrackEvent[]): Promise<void>;
  /**
   * Reorder the server's candidates for this user. Never rejects for engine failures: it resolves
   * with the server's order and `personalized: false`. Rejects only for bad input.
   */
  rerank(candidates: readonly Candidate[], options?: RerankOptions): Promise<RerankResult>;
  /** Fit this visitor's reactions to the lists they were shown, now (the taste needs no training). */
  train(): Promise<TrainReport>;
  /** The engine's state; never rejects (after a failed start-up it answers with the failure). */
  info(): Promise<Info>;
  /** Everything stored about the user, as plain JSON-able data. */
  exportData(): Promise<ExportedData>;
  /** Delete all events and learned reactions of this namespace. */
  forget(): Promise<void>;
  /** Listen for training runs and degraded/recovered states. Returns an unsubscribe function. */
  subscribe(listener: (event: PersonalizerEvent) => void): () => void;
  /** Stop the worker and release everything. Later calls reject with code `CLOSED` (rerank falls back). */
  close(): Promise<void>;
}
