import { describe, expect, it } from 'vitest';
import { isErrorCode, isInputError, LocalrankError, type ErrorCode } from '../../src/shared/errors';

const INPUT: ErrorCode[] = ['INVALID_OPTIONS', 'INVALID_EVENT', 'UNKNOWN_EVENT_TYPE', 'MISSING_ID', 'NON_FINITE', 'BATCH_TOO_LARGE', 'INVALID_CANDIDATES', 'DUPLICATE_ID'];
const NOT_INPUT: ErrorCode[] = ['TIMEOUT', 'WORKER_FAILED', 'MODEL_LOAD_FAILED', 'MODEL_INTEGRITY', 'STORAGE_FAILED', 'BACKEND_UNAVAILABLE', 'CLOSED', 'QUEUE_FULL', 'FORGOTTEN', 'NO_CONSENT', 'ENGINE_UNAVAILABLE'];

describe('isInputError', () => {
  it('is true for every input code, DUPLICATE_ID included', () => {
    for (const code of INPUT) expect(isInputError(new LocalrankError(code, 'm')), code).toBe(true);
  });

  it('is false for engine and tag codes', () => {
    for (const code of NOT_INPUT) expect(isInputError(new LocalrankError(code, 'm')), code).toBe(false);
  });

  it('reads the code of an error from another copy of the library, and refuses anything else', () => {
    expect(isInputError(Object.assign(new Error('x'), { code: 'INVALID_EVENT' }))).toBe(true);
    expect(isInputError(Object.assign(new Error('x'), { code: 'INVALID_SOMETHING' }))).toBe(false);
    expect(isInputError(new Error('x'))).toBe(false);
    expect(isInputError(null)).toBe(false);
    expect(isInputError('INVALID_EVENT')).toBe(false);
  });
});

describe('isErrorCode', () => {
  it('knows every code and nothing else', () => {
    for (const code of [...INPUT, ...NOT_INPUT]) expect(isErrorCode(code), code).toBe(true);
    expect(isErrorCode('toString')).toBe(false);
    expect(isErrorCode('X')).toBe(false);
    expect(isErrorCode(undefined)).toBe(false);
  });
});
