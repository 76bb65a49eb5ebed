/** Input limits. They keep one bad call from filling the device or stalling the worker. */
export const LIMITS = {
  /** Events in one `track` call. */
  maxEventsPerBatch: 1000,
  /** Candidates in one `rerank` call. */
  maxCandidates: 20_000,
  /** Characters in an item id, list id, brand or category entry. */
  maxIdLength: 256,
  /** Characters kept from an item's text (the rest is ignored: titles are short). */
  maxTextLength: 512,
  /**
   * Entries of an item's category path, tags, and named attribute values (each value of a list
   * counting once) that are read. A longer list is cut to its first entries, never refused; a
   * category level, brand, tag or attribute value over `maxIdLength` characters is left out.
   */
  maxCategories: 16,
  maxTags: 64,
  maxAttributes: 64,
  /** Numbers in a server-provided embedding. */
  maxEmbeddingLength: 4096,
  /**
   * Events the page holds that the engine has not stored yet (a restart, failing storage, a burst):
   * a `track` call that would go beyond is refused whole with `QUEUE_FULL`; nothing held is dropped.
   */
  maxQueuedEvents: 5000,
  /**
   * Items whose public features are remembered on the device (from candidates seen), so a later
   * interaction with the bare id is understood; the least recently seen go first.
   */
  maxRememberedItems: 5000,
} as const;

/**
 * Every default of an option, and only here: `PersonalizerOptions` (and the script tag's
 * `TagOptions`) document them, `checkPersonalizerOptions` and the tag apply them.
 */
export const DEFAULTS = {
  namespace: 'default',
  backend: 'auto',
  loadModel: 'lazy',
  autoTrain: false,
  fineTune: false,
  /** `retention` */
  maxEvents: 5000,
  maxAgeDays: 90,
  /** `autoTrain` */
  minNewEvents: 5,
  idleMs: 2000,
  /** Any call to the worker, ms; starting the engine waits at least `initTimeoutMs`. */
  timeoutMs: 3000,
  initTimeoutMs: 30_000,
  /** Script tag: how long a tile must stay half visible to count as an impression, ms. */
  impressionMs: 1000,
  /** Script tag: the GA4 data layer array on `window`. */
  dataLayer: 'dataLayer',
} as const;
