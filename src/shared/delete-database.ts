import { LocalrankError } from './errors';

/**
 * Deletes a database from the main thread, without the engine: `forget()` when no worker is
 * running, or consent withdrawn before the engine ever loaded. Resolves once the deletion is
 * accepted, which includes `blocked` (the browser deletes it when the other tabs' connections
 * close) and a browser without IndexedDB (nothing was stored). Rejects with `STORAGE_FAILED` when
 * the browser refuses, so a caller never reports data as deleted when it is not.
 */
export function deleteDatabase(name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    try {
      const request = indexedDB.deleteDatabase(name);
      request.onsuccess = () => resolve();
      request.onerror = () => reject(new LocalrankError('STORAGE_FAILED', `could not delete ${name}`));
      request.onblocked = () => resolve();
    } catch {
      resolve();
    }
  });
}
