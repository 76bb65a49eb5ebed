/**
 * Every error code localrank reports, and its kind. The codes are part of the public API: never
 * rename one. `input`: the call itself is wrong, retrying cannot help (these reject even where
 * other failures fall back); `engine`: the engine could not answer, and `rerank` answers with the
 * server's order instead; `tag`: reported only by the script tag, as a `fallback`; `rule`: not a
 * failure, the server's order stands by design (a `fallback` of `rerank`).
 */
const ERROR_CODES = {
  /** Bad `createPersonalizer` or `rerank` options. */
  INVALID_OPTIONS: 'input',
  /** An event or feature field of the wrong type, a negative price, oversized text. */
  INVALID_EVENT: 'input',
  /** An event `type` not in `EVENT_TYPES`. */
  UNKNOWN_EVENT_TYPE: 'input',
  /** No `itemId` or candidate `id`, or an empty one. */
  MISSING_ID: 'input',
  /** `NaN` or `Infinity` where a number is expected. */
  NON_FINITE: 'input',
  /** Over `LIMITS.maxEventsPerBatch` events or `LIMITS.maxCandidates` candidates in one call. */
  BATCH_TOO_LARGE: 'input',
  /** `rerank` input is not an array of objects, or holds a bad embedding. */
  INVALID_CANDIDATES: 'input',
  /** The same candidate id twice. */
  DUPLICATE_ID: 'input',
  /** The worker did not answer in time. */
  TIMEOUT: 'engine',
  /** The worker could not start or died (it is restarted). */
  WORKER_FAILED: 'engine',
  /** The model could not be downloaded. */
  MODEL_LOAD_FAILED: 'engine',
  /** The model's size, SHA-256 or tensors do not match its manifest: it is refused. */
  MODEL_INTEGRITY: 'engine',
  /** IndexedDB failed even after pruning. */
  STORAGE_FAILED: 'engine',
  /** No backend passed its checks, or the GPU was lost and no other backend could take over. */
  BACKEND_UNAVAILABLE: 'engine',
  /** The personalizer was closed (`track`: before these events could be stored). */
  CLOSED: 'engine',
  /**
   * `track`: the page already holds `LIMITS.maxQueuedEvents` events the engine has not stored yet;
   * nothing of this call was kept. Retry once earlier calls have settled.
   */
  QUEUE_FULL: 'engine',
  /** `track`: `forget()` was called before these events were stored, so they were erased with the rest. */
  FORGOTTEN: 'engine',
  /** Script tag: the visitor has not consented (or Global Privacy Control is on). */
  NO_CONSENT: 'tag',
  /** Script tag: the engine module could not be loaded or started. */
  ENGINE_UNAVAILABLE: 'tag',
  /** No interaction recorded for this visitor yet: nothing says the server's order should change. */
  NO_EVIDENCE: 'rule',
  /** This visitor is in the holdout's control arm: the server's order, with the shop's rules. */
  HOLDOUT: 'rule',
} as const satisfies Record<string, 'input' | 'engine' | 'tag' | 'rule'>;

/** Stable error codes. They are part of the public API: never rename one. */
export type ErrorCode = keyof typeof ERROR_CODES;

export class LocalrankError extends Error {
  override readonly name = 'LocalrankError';
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function isLocalrankError(value: unknown): value is LocalrankError {
  return value instanceof LocalrankError;
}

/** Whether `value` is one of localrank's error codes. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}

/**
 * Whether an error says "your input is wrong" rather than "the engine could not answer". Reads the
 * error's `code`, so it also recognises errors from another copy of the library (the script tag
 * and the engine it loads are two bundles).
 */
export function isInputError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return isErrorCode(code) && ERROR_CODES[code] === 'input';
}

/** Why `rerank` answered with the server's order. */
export interface Fallback {
  code: ErrorCode;
  message: string;
}
