import { afterEach, describe, expect, it, vi } from 'vitest';
import { deleteDatabase } from '../../src/shared/delete-database';

/** An IndexedDB whose deleteDatabase request ends with `outcome`. */
function fakeIndexedDb(outcome: 'success' | 'error' | 'blocked') {
  return {
    deleteDatabase() {
      const request: Record<string, (() => void) | null> = { onsuccess: null, onerror: null, onblocked: null };
      setTimeout(() => request[`on${outcome}`]?.());
      return request;
    },
  };
}

describe('deleteDatabase', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('resolves once the database is deleted', async () => {
    vi.stubGlobal('indexedDB', fakeIndexedDb('success'));
    await expect(deleteDatabase('localrank:a')).resolves.toBeUndefined();
  });

  it('resolves when another tab blocks it: the browser deletes it once that tab lets go', async () => {
    vi.stubGlobal('indexedDB', fakeIndexedDb('blocked'));
    await expect(deleteDatabase('localrank:a')).resolves.toBeUndefined();
  });

  it('rejects with STORAGE_FAILED when the browser refuses', async () => {
    vi.stubGlobal('indexedDB', fakeIndexedDb('error'));
    await expect(deleteDatabase('localrank:a')).rejects.toMatchObject({ code: 'STORAGE_FAILED' });
  });

  it('resolves without IndexedDB: nothing was stored', async () => {
    vi.stubGlobal('indexedDB', undefined);
    await expect(deleteDatabase('localrank:a')).resolves.toBeUndefined();
  });
});
