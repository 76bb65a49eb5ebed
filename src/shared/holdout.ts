/**
 * The A/B holdout, decided on the device: a stable share of visitors (`holdout`) is the control arm
 * and gets the server's order. What is kept is a bucket, a whole number from 0 to 999 that a
 * thousand visitors share: not an identifier, and never sent. It is kept in the page's
 * localStorage for the namespace, and only while a holdout strictly between 0 and 1 needs it; the
 * script tag and the npm build, two bundles on one page, read the same one.
 */
import type { Arm } from './types';

export const BUCKETS = 1000;

type KeyValue = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export function bucketKey(namespace: string): string {
  return `localrank:bucket:${namespace}`;
}

/** The origin's localStorage, or null where it cannot be used (Node, some private modes, a sandbox). */
export function localStore(): KeyValue | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

/** Buckets drawn on this page where storage fails, shared by every copy of the library on it. */
function pageBuckets(): Map<string, number> {
  const g = globalThis as { [key: symbol]: Map<string, number> | undefined };
  const key = Symbol.for('localrank.buckets');
  return (g[key] ??= new Map());
}

/** The stored bucket, if there is a valid one. */
export function storedBucket(namespace: string, storage: KeyValue | null = localStore()): number | undefined {
  try {
    const value = storage?.getItem(bucketKey(namespace));
    const n = value == null ? NaN : Number(value);
    if (Number.isInteger(n) && n >= 0 && n < BUCKETS) return n;
  } catch {
    // unreadable storage: as if nothing were stored
  }
  return pageBuckets().get(namespace);
}

/** This visitor's bucket: the stored one, else drawn now and stored. */
export function bucketOf(namespace: string, storage: KeyValue | null = localStore(), random = Math.random): number {
  const known = storedBucket(namespace, storage);
  if (known !== undefined) return known;
  const drawn = Math.floor(random() * BUCKETS);
  pageBuckets().set(namespace, drawn);
  try {
    storage?.setItem(bucketKey(namespace), String(drawn));
  } catch {
    // kept for this page only (see pageBuckets)
  }
  return drawn;
}

/**
 * The arm for a holdout share: 0 (or none) is everyone in treatment and 1 everyone in control,
 * neither storing anything; in between, the buckets below `holdout x 1000` are the control.
 */
export function armOf(holdout: number | undefined, namespace: string, storage: KeyValue | null = localStore()): Arm {
  if (!holdout || !(holdout > 0)) return 'treatment';
  if (holdout >= 1) return 'control';
  return bucketOf(namespace, storage) < Math.round(holdout * BUCKETS) ? 'control' : 'treatment';
}

/** Deletes the bucket (consent withdrawn, `forget()`): the next page draws a new one if it needs one. */
export function forgetBucket(namespace: string, storage: KeyValue | null = localStore()): void {
  pageBuckets().delete(namespace);
  try {
    storage?.removeItem(bucketKey(namespace));
  } catch {
    // nothing readable was stored
  }
}
