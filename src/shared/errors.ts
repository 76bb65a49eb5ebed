/** Stable error codes. They are part of the public API: never rename one. */
export type ErrorCode =
  | 'INVALID_OPTIONS'
  | 'INVALID_EVENT'
  | 'UNKNOWN_EVENT_TYPE'
  | 'MISSING_ID'
  | 'NON_FINITE'
  | 'BATCH_TOO_LARGE'
  | 'INVALID_CANDIDATES'
  | 'DUPLICATE_ID'
  | 'TIMEOUT'
  | 'WORKER_FAILED'
  | 'MODEL_LOAD_FAILED'
  | 'MODEL_INTEGRITY'
  | 'STORAGE_FAILED'
  | 'BACKEND_UNAVAILABLE'
  | 'CLOSED';

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
