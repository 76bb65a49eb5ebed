/**
 * The only module that touches IndexedDB. One database per namespace holds the user's events,
 * the fine-tuned weights, item features seen in candidates (public data, used to place clicked
 * items) and small metadata. Every store is bounded and governed by retention: events and items by
 * count and age (inside the same transaction as each write), the weights and the last training
 * report by age. Every record is validated as it is read (records.ts): one that fails is dropped
 * and counted, never fatal.
 */
import * as memoryIndexedDb from 'fake-indexeddb';
import { wrap, type DBSchema, type IDBPDatabase, type IDBPTransaction, type StoreNames } from 'idb';
import { LocalrankError } from '../shared/errors';
import * as env from '../shared/env';
import { LIMITS } from '../shared/limits';
import { databaseName } from '../shared/names';
import type { Retention } from '../shared/protocol';
import type { BackendName, ItemFeatures, StorageStatus, StoredEvent, TrainReport } from '../shared/types';
import {
  readBackendCache,
  readEvent,
  readItem,
  readTrainReport,
  readWeights,
  type BackendCache,
  type RememberedItem,
  type StoredWeights,
} from './records';

export type { RememberedItem, StoredWeights } from './records';

export const SCHEMA_VERSION = 2;
const DAY_MS = 86_400_000;
/** How long an open may stay `blocked` by another tab's old connection before we stop waiting. */
export const BLOCKED_TIMEOUT_MS = 3_000;
const STORE_NAMES = ['events', 'weights', 'items', 'meta'] as const;
/** The only keys of `weights` and `meta`; anything else found there is dropped. */
const WEIGHTS_KEY = 'user';
const META_KEYS = { lastTraining: 'lastTraining', backend: 'backend' } as const;

interface LocalrankSchema extends DBSchema {
  events: { key: string; value: StoredEvent; indexes: { time: number } };
  weights: { key: string; value: StoredWeights };
  items: { key: string; value: RememberedItem; indexes: { seenAt: number } };
  meta: { key: string; value: unknown };
}

/** Stored records that failed validation and were dropped, per store. */
export type DroppedRecords = Record<(typeof STORE_NAMES)[number], number>;

type Tx = IDBPTransaction<LocalrankSchema, StoreNames<LocalrankSchema>[], 'readwrite'>;

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
  /** Called with the ids of events deleted (retention, quota, failed validation), once deleted. */
  onEventsRemoved?: (ids: string[]) => void;
}

export class Store {
  private db: Db | null = null;
  private opening: Promise<Db> | null = null;
  private readonly health: StorageStatus = { state: 'ok', prunedForQuota: 0 };
  private readonly droppedRecords: DroppedRecords = { events: 0, weights: 0, items: 0, meta: 0 };

  private constructor(
    private readonly factory: IDBFactory,
    private readonly options: StoreOptions,
    readonly kind: 'indexeddb' | 'memory',
  ) {}

  /**
   * Whether other tabs of this origin may hold the same namespace, so the engine must coordinate
   * with them (one trainer, news of changes). False for an injected IndexedDB (the Node evaluation)
   * and for memory storage, which no other tab can see: where the browser denies storage, it also
   * denies BroadcastChannel (Firefox throws) and Web Locks (Chromium and Firefox reject).
   */
  get sharedWithTabs(): boolean {
    return this.options.idbFactory === undefined && this.kind === 'indexeddb';
  }

  /** How storage is doing: quota pruning, failing writes, why memory is used. */
  get status(): StorageStatus {
    return { ...this.health };
  }

  /** Records dropped since this store opened because they failed validation. */
  get dropped(): DroppedRecords {
    return { ...this.droppedRecords };
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

  /** Runs `work`, which deletes events and returns their ids, and reports them once committed. */
  private async removingEvents<T>(work: () => Promise<{ result: T; removed: string[] }>): Promise<T> {
    const { result, removed } = await work();
    if (removed.length > 0) this.options.onEventsRemoved?.(removed);
    return result;
  }

  private writeEvents(events: readonly StoredEvent[]): Promise<number> {
    return this.removingEvents(() =>
      this.run(['events'], 'readwrite', async (tx) => {
        const store = tx.objectStore('events');
        let added = 0;
        for (const event of events) {
          if ((await store.getKey(event.id)) !== undefined) continue;
          await store.put(event);
          added++;
        }
        return { result: added, removed: await this.applyEventRetention(tx) };
      }),
    );
  }

  private cutoff(): number {
    return this.now() - this.options.retention.maxAgeDays * DAY_MS;
  }

  /**
   * Deletes events past the age limit, then the oldest beyond the count limit; returns their ids.
   * Counts go by the time index, so a record without a time (dropped by `sweep`) never makes a
   * valid event go.
   */
  private async applyEventRetention(tx: Tx): Promise<string[]> {
    const removed: string[] = [];
    const byTime = tx.objectStore('events').index('time');
    let cursor = await byTime.openCursor(IDBKeyRange.upperBound(this.cutoff(), true));
    while (cursor) {
      removed.push(String(cursor.primaryKey));
      await cursor.delete();
      cursor = await cursor.continue();
    }
    let excess = (await byTime.count()) - this.options.retention.maxEvents;
    cursor = excess > 0 ? await byTime.openCursor() : null;
    while (cursor && excess > 0) {
      removed.push(String(cursor.primaryKey));
      await cursor.delete();
      excess--;
      cursor = await cursor.continue();
    }
    return removed;
  }

  /** Deletes remembered items past the age limit, then the least recently seen beyond the count limit. */
  private async applyItemRetention(tx: Tx): Promise<void> {
    const store = tx.objectStore('items');
    const bySeen = store.index('seenAt');
    const expired = await bySeen.getAllKeys(IDBKeyRange.upperBound(this.cutoff(), true));
    const excess = (await bySeen.count()) - expired.length - LIMITS.maxRememberedItems;
    // The least recently seen beyond the limit, after the expired ones (the index's order).
    const oldest = excess > 0 ? (await bySeen.getAllKeys(null, expired.length + excess)).slice(expired.length) : [];
    await Promise.all([...expired, ...oldest].map((key) => store.delete(key)));
  }

  /** The weights and the last training report are derived from events: they go with events of their age. */
  private async applyDerivedRetention(tx: Tx): Promise<void> {
    const cutoff = this.cutoff();
    const weights = readWeights(await tx.objectStore('weights').get(WEIGHTS_KEY));
    if (weights && weights.savedAt < cutoff) await tx.objectStore('weights').delete(WEIGHTS_KEY);
    const report = readTrainReport(await tx.objectStore('meta').get(META_KEYS.lastTraining));
    if (report && report.at < cutoff) await tx.objectStore('meta').delete(META_KEYS.lastTraining);
  }

  /** Drops up to `count` oldest events; returns how many went. */
  private pruneOldest(count: number): Promise<number> {
    return this.removingEvents(() =>
      this.run(['events'], 'readwrite', async (tx) => {
        const removed: string[] = [];
        let cursor = await tx.objectStore('events').index('time').openCursor();
        while (cursor && removed.length < count) {
          removed.push(String(cursor.primaryKey));
          await cursor.delete();
          cursor = await cursor.continue();
        }
        return { result: removed.length, removed };
      }),
    );
  }

  /**
   * Applies every retention limit now (at start-up: a returning user may have events, items or
   * weights past the age limit).
   */
  async enforceRetention(): Promise<void> {
    try {
      await this.removingEvents(() =>
        this.run([...STORE_NAMES], 'readwrite', async (tx) => {
          const removed = await this.applyEventRetention(tx);
          await this.applyItemRetention(tx);
          await this.applyDerivedRetention(tx);
          return { result: undefined, removed };
        }),
      );
    } catch (error) {
      throw this.failed('apply retention', error);
    }
  }

  /**
   * Reads every record of every store and drops those that fail validation (a record without a
   * time is invisible to the time index, so only a full pass finds it), and any key that is not
   * ours in `weights` and `meta`. Run at start-up; the counts go to `dropped`.
   */
  async sweep(): Promise<void> {
    const now = this.now();
    try {
      await this.removingEvents(() =>
        this.run([...STORE_NAMES], 'readwrite', async (tx) => {
          // Read in bulk (a cursor costs a round trip per record), delete one by one: rarely any.
          const invalid = async (name: 'events' | 'items' | 'weights' | 'meta', valid: (key: IDBValidKey, value: unknown) => boolean) => {
            const store = tx.objectStore(name);
            const [keys, values] = await Promise.all([store.getAllKeys(), store.getAll()]);
            const bad = keys.filter((key, i) => !valid(key, values[i]));
            for (const key of bad) await store.delete(key as string);
            this.droppedRecords[name] += bad.length;
            return bad.map(String);
          };
          const readers: Record<string, (value: unknown) => unknown> = {
            [META_KEYS.lastTraining]: readTrainReport,
            [META_KEYS.backend]: readBackendCache,
          };
          const removed = await invalid('events', (_, value) => readEvent(value, now) !== null);
          await invalid('items', (_, value) => readItem(value) !== null);
          await invalid('weights', (key, value) => key === WEIGHTS_KEY && readWeights(value) !== null);
          await invalid('meta', (key, value) => Object.hasOwn(readers, String(key)) && Boolean(readers[String(key)](value)));
          return { result: undefined, removed };
        }),
      );
    } catch (error) {
      throw this.failed('check stored records', error);
    }
  }

  /** Deletes records found invalid while reading (best effort: the next `sweep` retries). */
  private async drop(store: 'events' | 'items', keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    this.droppedRecords[store] += keys.length;
    const removed = [...keys];
    await this.removingEvents(() =>
      this.run([store], 'readwrite', async (tx) => {
        for (const key of removed) await tx.objectStore(store).delete(key);
        return { result: undefined, removed: store === 'events' ? removed : [] };
      }),
    ).catch(() => undefined);
  }

  /** All valid events, oldest first; invalid ones are dropped. */
  async events(): Promise<StoredEvent[]> {
    const now = this.now();
    let values: unknown[];
    let keys: IDBValidKey[];
    try {
      [values, keys] = await this.run(['events'], 'readonly', (tx) => {
        const byTime = tx.objectStore('events').index('time');
        return Promise.all([byTime.getAll(), byTime.getAllKeys()]);
      });
    } catch (error) {
      throw storageError('read events', error);
    }
    const events: StoredEvent[] = [];
    const invalid: string[] = [];
    values.forEach((value, i) => {
      const event = readEvent(value, now);
      if (event) events.push(event);
      else invalid.push(String(keys[i]));
    });
    await this.drop('events', invalid);
    return events;
  }

  /** Events in the time index: every valid one (an invalid one lasts only until the next read). */
  async countEvents(): Promise<number> {
    try {
      return await this.run(['events'], 'readonly', (tx) => tx.objectStore('events').index('time').count());
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
          await tx.objectStore('weights').put(weights, WEIGHTS_KEY);
          await tx.objectStore('meta').put(report, META_KEYS.lastTraining);
        },
        'strict',
      ),
    );
  }

  /** The stored weights, or null when there are none or the record is not valid (then it is dropped). */
  async loadWeights(): Promise<StoredWeights | null> {
    let value: unknown;
    try {
      value = await this.run(['weights'], 'readonly', (tx) => tx.objectStore('weights').get(WEIGHTS_KEY));
    } catch (error) {
      throw storageError('read weights', error);
    }
    if (value === undefined) return null;
    const weights = readWeights(value);
    if (!weights) await this.deleteWeights(true).catch(() => undefined);
    return weights;
  }

  /** Deletes the weights; `invalid`: they failed validation (counted in `dropped`). */
  async deleteWeights(invalid = false): Promise<void> {
    if (invalid) this.droppedRecords.weights++;
    await this.run(['weights'], 'readwrite', (tx) => tx.objectStore('weights').delete(WEIGHTS_KEY));
  }

  /** The report of the last training run, or null (an invalid record is dropped). */
  async lastTraining(): Promise<TrainReport | null> {
    const value = await this.getMeta(META_KEYS.lastTraining);
    if (value === undefined) return null;
    const report = readTrainReport(value);
    if (!report) {
      this.droppedRecords.meta++;
      await this.run(['meta'], 'readwrite', (tx) => tx.objectStore('meta').delete(META_KEYS.lastTraining)).catch(() => undefined);
    }
    return report;
  }

  async setLastTraining(report: TrainReport): Promise<void> {
    await this.setMeta(META_KEYS.lastTraining, report);
  }

  /** The backend measured earlier on this device (user agent and GPU), if any. */
  async cachedBackend(device: string): Promise<BackendName | undefined> {
    const cache = readBackendCache(await this.getMeta(META_KEYS.backend));
    return cache?.device === device ? cache.backend : undefined;
  }

  /** Remembers one device's measurement, replacing any other: the store keeps one. */
  async cacheBackend(device: string, backend: BackendName): Promise<void> {
    await this.setMeta(META_KEYS.backend, { device, backend } satisfies BackendCache);
  }

  /**
   * Remembers public item features seen in candidates, so a later click on the id can use them;
   * at most `LIMITS.maxRememberedItems`, the least recently seen go first, none past the age limit.
   */
  async rememberItems(items: ReadonlyArray<{ id: string; features: ItemFeatures }>): Promise<void> {
    if (items.length === 0) return;
    const seenAt = this.now();
    await this.run(['items'], 'readwrite', async (tx) => {
      const store = tx.objectStore('items');
      // Requests queued together, not one round trip each: thousands of items take milliseconds.
      await Promise.all(items.slice(-LIMITS.maxRememberedItems).map((item) => store.put({ id: item.id, features: item.features, seenAt })));
      await this.applyItemRetention(tx);
    });
  }

  /** Features of the remembered items among `ids` (invalid records are dropped). */
  async itemFeatures(ids: readonly string[]): Promise<Map<string, ItemFeatures>> {
    const found = await this.run(['items'], 'readonly', (tx) => {
      const store = tx.objectStore('items');
      return Promise.all(ids.map((id) => store.get(id)));
    });
    const map = new Map<string, ItemFeatures>();
    const invalid: string[] = [];
    found.forEach((value, i) => {
      if (value === undefined) return;
      const item = readItem(value);
      if (item && item.id === ids[i]) map.set(item.id, item.features);
      else invalid.push(ids[i]);
    });
    await this.drop('items', invalid);
    return map;
  }

  /** Every valid remembered item, least recently seen first. */
  async items(): Promise<RememberedItem[]> {
    const [values, keys] = await this.run(['items'], 'readonly', (tx) => {
      const bySeen = tx.objectStore('items').index('seenAt');
      return Promise.all([bySeen.getAll(), bySeen.getAllKeys()]);
    });
    const items: RememberedItem[] = [];
    const invalid: string[] = [];
    values.forEach((value, i) => {
      const item = readItem(value);
      if (item) items.push(item);
      else invalid.push(String(keys[i]));
    });
    await this.drop('items', invalid);
    return items;
  }

  async getMeta(key: string): Promise<unknown> {
    return this.run(['meta'], 'readonly', (tx) => tx.objectStore('meta').get(key));
  }

  private async setMeta(key: string, value: unknown): Promise<void> {
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
  const missing: string[] = STORE_NAMES.filter((store) => !raw.objectStoreNames.contains(store));
  if (missing.length === 0 && !raw.transaction('items').objectStore('items').indexNames.contains('seenAt')) missing.push('items.seenAt index');
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
      if (migrate) upgrade(req.result, req.transaction!, event.oldVersion);
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
function upgrade(db: IDBDatabase, tx: IDBTransaction, oldVersion: number): void {
  if (oldVersion < 1) {
    db.createObjectStore('events', { keyPath: 'id' }).createIndex('time', 'time');
    db.createObjectStore('weights');
    db.createObjectStore('items', { keyPath: 'id' });
    db.createObjectStore('meta');
  }
  // Items are bounded and aged by when they were last seen.
  if (oldVersion < 2) tx.objectStore('items').createIndex('seenAt', 'seenAt');
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
