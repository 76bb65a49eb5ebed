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
  /** Characters in an item's text before it is refused as garbage. */
  maxRawTextLength: 100_000,
  /** Entries in a category path. */
  maxCategories: 16,
  /** Tags of an item, and named attributes of an item (each list value counts once). */
  maxTags: 64,
  maxAttributes: 64,
  /** Numbers in a server-provided embedding. */
  maxEmbeddingLength: 4096,
} as const;

export const DEFAULTS = {
  namespace: 'default',
  serverWeight: 0.3,
  maxEvents: 5000,
  maxAgeDays: 90,
  minNewEvents: 5,
  idleMs: 2000,
  timeoutMs: 3000,
  initTimeoutMs: 30_000,
} as const;
