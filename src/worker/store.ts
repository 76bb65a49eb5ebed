/**
 * The only module that touches IndexedDB. One database per namespace holds the user's events,
 * the fine-tuned weights, item features seen in candidates (public data, used to place clicked
 * items) and small metadata. Retention is enforced inside the same transaction as each write.
 */
import * as memoryIndexedDb from 'fake-indexeddb';
import { wrap, type DBSchema, type IDBPDatabase, type IDBPTransaction, type StoreNames } from 'idb';
import { LocalrankError } from '../shared/errors';
import * as env from '../shared/env';
import { databaseName } from '../shared/names';
import type { Retention } from '../shared/protocol';
import type { ItemFeatures, StorageStatus, StoredEvent, TrainReport } from '../shared/types';

export const SCHEMA_VERSION = 1;
const DAY_MS = 86_400_000;
/** How long an open may stay `blocked` by another tab's old connection before we stop waiting. */
export const BLOCKED_TIMEOUT_MS = 3_000;
const STORE_NAMES = ['events', 'weights', 'items', 'meta'] as const;

export interface StoredWeights {
  modelVersion: string;
  savedAt: number;
  tensors: Record<string, { shape: number[]; values: Float32Array }>;
}

interface LocalrankSchema extends DBSchema {
  events: { key: string; value: StoredEvent; indexes: { time: number } };
  weights: { key: 'user'; value: StoredWeights };
  items: { key: string; value: { id: string; features: ItemFeatures; seenAt: number } };
  meta: { key: string; value: unknown };
}

type Db = IDBPDatabase<LocalrankSchema>;

export interface StoreOptions {
  namespace: string;
  retention: Retention;
  /** IndexedDB implementation; defaults to the global one. */
  idbFactory?: IDBFactory;
  now?: () => number;
  /**
   * Called when the browser closed the database under us (site data cleared, storage evicted):
   * what the engine holds in memory may no longer exist on disk.
   */
  onTerminated?: () => void;
}

export class Store {
  private db: Db | null = null;
  private opening: Promise<Db> | null = null;
  private readonly health: StorageStatus = { state: 'ok', prunedForQuota: 0 };

  private constructor(
    private readonly factory: IDBFactory,
    private readonly options: StoreOptions,
    readonly kind: 'indexeddb' | 'memory',
  ) {}

  /**
   * Whether other tabs of this origin may hold the same namespace, so the engine must coordinate
   * with them (one trainer, news of changes). False only for an injected IndexedDB (the Node evaluation).
   */
  get sharedWithTabs(): boolean {
    return this.options.idbFactory === undefined;
  }

  /** How storage is doing: quota pruning, failing writes, why memory is used. */
  get status(): StorageStatus {
    return { ...this.health };
  }

  /**
   * Opens the namespace's database. When IndexedDB is missing or refuses to open (some private
   * modes), falls back to an in-memory IndexedDB so the engine still works for this page view.
   */
  static async open(options: StoreOptions): Promise<Store> {
    let why = 'IndexedDB is not available';
    let factory: IDBFactory | undefined;
    try {
      factory = options.idbFactory ?? env.indexedDb();
    } catch (error) {
      why = describeError(error);
    }
    if (factory) {
      const store = new Store(factory, options, 'indexeddb');
      try {
        await store.connection();
        return store;
      } catch (error) {
        why = describeError(error);
      }
    }
    useMemoryIndexedDb();
    const memory = new Store(new globalThis.IDBFactory(), options, 'memory');
    memory.health.lastError = `using memory: ${why}`;
    await memory.connection();
    return memory;
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  /** Reopens lazily: another tab's upgrade or a cleared origin closes the connection under us. */
  private connection(): Promise<Db> {
    if (this.db) return Promise.resolve(this.db);
    this.opening ??= openDatabase(this.factory, databaseName(this.options.namespace), {
      blocking: () => {
        this.db = null;
      },
      terminated: () => {
        this.db = null;
        this.options.onTerminated?.();
      },
    }).then(
      (db) => {
        this.db = db;
        this.opening = null;
        return db;
      },
      (error: unknown) => {
        this.opening = null;
        throw storageError('open', error);
      },
    );
    return this.opening;
  }

  /** Runs `work` in one transaction, retrying once on a fresh connection if the old one was closed. */
  private async run<T>(
    names: StoreNames<LocalrankSchema>[],
    mode: IDBTransactionMode,
    work: (tx: IDBPTransaction<LocalrankSchema, StoreNames<LocalrankSchema>[], 'readwrite'>) => Promise<T>,
    durability: 'default' | 'strict' = 'default',
  ): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const db = await this.connection();
      try {
        const tx = db.transaction(names, mode as 'readwrite', { durability });
        const [result] = await Promise.all([work(tx), tx.done]);
        return result;
      } catch (error) {
        if (attempt === 0 && isClosedError(error)) {
          this.db = null;
          continue;
        }
        throw error;
      }
    }
  }

  /** Stores events (idempotent by id) and applies retention. Returns how many were new. */
  async addEvents(events: readonly StoredEvent[]): Promise<number> {
    if (events.length === 0) return 0;
    return this.writeWithRoom('write events', () => this.writeEvents(events), events.length);
  }

  /**
   * Runs a write; when the origin is out of quota, drops the oldest events (the retention policy's
   * order) and tries once more. The outcome is kept in `status` so a page can say what happened.
   */
  private async writeWithRoom<T>(what: string, write: () => Promise<T>, minPrune = 1): Promise<T> {
    try {
      const result = await write();
      if (this.health.state === 'failing') this.health.state = this.health.prunedForQuota > 0 ? 'pruned' : 'ok';
      return result;
    } catch (error) {
      if (!isQuotaError(error)) throw this.failed(what, error);
      try {
        const count = await this.countEvents();
        const pruned = await this.pruneOldest(Math.min(count, Math.max(minPrune, Math.ceil(count / 4))));
        this.health.prunedForQuota += pruned;
        const result = await write();
        this.health.state = 'pruned';
        this.health.lastError = `${what}: quota exceeded; dropped the ${pruned} oldest events to make room`;
        return result;
      } catch (retryError) {
        throw this.failed(what, retryError);
      }
    }
  }

  private failed(what: string, error: unknown): LocalrankError {
    const typed = storageError(what, error);
    this.health.state = 'failing';
    this.health.lastError = typed.message;
    return typed;
  }

  private writeEvents(events: readonly StoredEvent[]): Promise<number> {
    return this.run(['events'], 'readwrite', async (tx) => {
      const store = tx.objectStore('events');
      let added = 0;
      for (const event of events) {
        if ((await store.getKey(event.id)) !== undefined) continue;
        await store.put(event);
        added++;
      }
      await this.applyRetention(tx);
      return added;
    });
  }

  private async applyRetention(
    tx: IDBPTransaction<LocalrankSchema, StoreNames<LocalrankSchema>[], 'readwrite'>,
  ): Promise<void> {
    const { maxEvents, maxAgeDays } = this.options.retention;
    const byTime = tx.objectStore('events').index('time');
    const cutoff = this.now() - maxAgeDays * DAY_MS;
    let cursor = await byTime.openCursor(IDBKeyRange.upperBound(cutoff, true));
    while (cursor) {
      await cursor.delete();
      cursor = await cursor.continue();
    }
    let excess = (await tx.objectStore('events').count()) - maxEvents;
    cursor = excess > 0 ? await byTime.openCursor() : null;
    while (cursor && excess > 0) {
      await cursor.delete();
      excess--;
      cursor = await cursor.continue();
    }
  }

  /** Drops up to `count` oldest events; returns how many went. */
  private pruneOldest(count: number): Promise<number> {
    return this.run(['events'], 'readwrite', async (tx) => {
      let left = count;
      let cursor = await tx.objectStore('events').index('time').openCursor();
      while (cursor && left > 0) {
        await cursor.delete();
        left--;
        cursor = await cursor.continue();
      }
      return count - left;
    });
  }

  /** Applies the retention limits now (at start-up: a returning user may have events past max age). */
  async enforceRetention(): Promise<void> {
    try {
      await this.run(['events'], 'readwrite', (tx) => this.applyRetention(tx));
    } catch (error) {
      throw this.failed('apply retention', error);
    }
  }

  /** All events, oldest first. */
  async events(): Promise<StoredEvent[]> {
    try {
      return await this.run(['events'], 'readonly', (tx) => tx.objectStore('events').index('time').getAll());
    } catch (error) {
      throw storageError('read events', error);
    }
  }

  async countEvents(): Promise<number> {
    try {
      return await this.run(['events'], 'readonly', (tx) => tx.objectStore('events').count());
    } catch (error) {
      throw storageError('count events', error);
    }
  }

  /** Written in one strictly durable transaction, so a closed page never leaves half a model. */
  async saveWeights(weights: StoredWeights, report: TrainReport): Promise<void> {
    await this.writeWithRoom('write weights', () =>
      this.run(
        ['weights', 'meta'],
        'readwrite',
        async (tx) => {
          await tx.objectStore('weights').put(weights, 'user');
          await tx.objectStore('meta').put(report, 'lastTraining');
        },
        'strict',
      ),
    );
  }

  async loadWeights(): Promise<StoredWeights | null> {
    try {
      return (await this.run(['weights'], 'readonly', (tx) => tx.objectStore('weights').get('user'))) ?? null;
    } catch (error) {
      throw storageError('read weights', error);
    }
  }

  async deleteWeights(): Promise<void> {
    await this.run(['weights'], 'readwrite', (tx) => tx.objectStore('weights').delete('user'));
  }

  /** Remembers public item features seen in candidates, so a later click on the id can use them. */
  async rememberItems(items: ReadonlyArray<{ id: string; features: ItemFeatures }>): Promise<void> {
    if (items.length === 0) return;
    const seenAt = this.now();
    await this.run(['items'], 'readwrite', async (tx) => {
      const store = tx.objectStore('items');
      for (const item of items) await store.put({ id: item.id, features: item.features, seenAt });
    });
  }

  async itemFeatures(ids: readonly string[]): Promise<Map<string, ItemFeatures>> {
    return this.run(['items'], 'readonly', async (tx) => {
      const store = tx.objectStore('items');
      const found = await Promise.all(ids.map((id) => store.get(id)));
      const map = new Map<string, ItemFeatures>();
      for (const item of found) if (item) map.set(item.id, item.features);
      return map;
    });
  }

  async getMeta<T>(key: string): Promise<T | undefined> {
    return (await this.run(['meta'], 'readonly', (tx) => tx.objectStore('meta').get(key))) as T | undefined;
  }

  async setMeta(key: string, value: unknown): Promise<void> {
    await this.run(['meta'], 'readwrite', (tx) => tx.objectStore('meta').put(value, key));
  }

  /** Removes every event, weight, remembered item and metadata entry of this namespace. */
  async clear(): Promise<void> {
    try {
      await this.run(['events', 'weights', 'items', 'meta'], 'readwrite', async (tx) => {
        await Promise.all([
          tx.objectStore('events').clear(),
          tx.objectStore('weights').clear(),
          tx.objectStore('items').clear(),
          tx.objectStore('meta').clear(),
        ]);
      }, 'strict');
    } catch (error) {
      throw storageError('clear', error);
    }
  }

  close(): void {
    this.db?.close();
    this.db = null;
  }
}

/** What happens to an open connection, named as idb's `OpenDBCallbacks` name them. */
interface ConnectionCallbacks {
  /** Another tab wants a newer schema: we have closed our connection so it can proceed. */
  blocking(): void;
  /** The browser closed the connection itself (site data cleared, storage evicted). */
  terminated(): void;
}

/**
 * Opens (creating or upgrading) the database. Never hangs: an upgrade `blocked` by another tab's
 * old connection gives up after BLOCKED_TIMEOUT_MS. A database already upgraded by a newer
 * localrank in another tab is used as it is when it still has our stores (migrations only add).
 */

async function openDatabase(factory: IDBFactory, name: string, callbacks: ConnectionCallbacks): Promise<Db> {
  let raw: IDBDatabase;
  try {
    raw = await request(factory.open(name, SCHEMA_VERSION), true);
  } catch (error) {
    if (!(error instanceof DOMException && error.name === 'VersionError')) throw error;
    raw = await request(factory.open(name), false);
  }
  // Checked before idb sees the connection (see the memory fallback in `Store.open`).
  const missing = STORE_NAMES.filter((store) => !raw.objectStoreNames.contains(store));
  if (missing.length > 0) {
    raw.close();
    throw new LocalrankError('STORAGE_FAILED', `database ${name} lacks the ${missing.join(', ')} stores (created by other code?)`);
  }
  const db = wrap(raw) as unknown as Db;
  // Another tab wants a newer schema: let it proceed, we reopen on the next call.
  db.addEventListener('versionchange', () => {
    db.close();
    callbacks.blocking();
  });
  // Only fired when the browser closes the connection itself, never after our own close().
  db.addEventListener('close', () => callbacks.terminated());
  return db;
}

function request(req: IDBOpenDBRequest, migrate: boolean): Promise<IDBDatabase> {
  return new Promise<IDBDatabase>((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let gaveUp = false;
    req.onupgradeneeded = (event) => {
      if (migrate) upgrade(wrap(req.result) as unknown as Db, event.oldVersion);
    };
    req.onblocked = () => {
      timer ??= setTimeout(() => {
        gaveUp = true;
        reject(new DOMException(`opening stayed blocked by another tab for ${BLOCKED_TIMEOUT_MS} ms`, 'TimeoutError'));
      }, BLOCKED_TIMEOUT_MS);
    };
    req.onsuccess = () => {
      clearTimeout(timer);
      // Opened after we stopped waiting: let go at once, or we would block that other tab in turn.
      if (gaveUp) req.result.close();
      else resolve(req.result);
    };
    req.onerror = () => {
      clearTimeout(timer);
      reject(req.error ?? new DOMException('open failed', 'UnknownError'));
    };
  });
}

/** Migrations, one step per schema version. */
function upgrade(db: Db, oldVersion: number): void {
  if (oldVersion < 1) {
    db.createObjectStore('events', { keyPath: 'id' }).createIndex('time', 'time');
    db.createObjectStore('weights');
    db.createObjectStore('items', { keyPath: 'id' });
    db.createObjectStore('meta');
  }
}

function isQuotaError(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'QuotaExceededError';
}

function isClosedError(error: unknown): boolean {
  return error instanceof DOMException && (error.name === 'InvalidStateError' || error.name === 'UnknownError');
}

function storageError(what: string, error: unknown): LocalrankError {
  if (error instanceof LocalrankError) return error;
  return new LocalrankError('STORAGE_FAILED', `IndexedDB could not ${what} (${describeError(error)})`);
}

function describeError(error: unknown): string {
  if (error instanceof LocalrankError) return error.message;
  return error instanceof Error || error instanceof DOMException ? `${error.name}: ${error.message}` : String(error);
}

/**
 * Replaces this worker's IndexedDB globals with the in-memory implementation, as
 * `fake-indexeddb/auto` does: idb recognises IndexedDB objects by the global classes (IDBRequest,
 * ...), and no real database is in use from here on. A static import, not a lazy chunk: apps'
 * bundlers copy the worker as one opaque file and would not copy a chunk it loads.
 */
function useMemoryIndexedDb(): void {
  for (const [name, value] of Object.entries(memoryIndexedDb)) {
    if (name === 'indexedDB' || name.startsWith('IDB')) {
      Object.defineProperty(globalThis, name, { value, configurable: true, enumerable: false, writable: true });
    }
  }
}
