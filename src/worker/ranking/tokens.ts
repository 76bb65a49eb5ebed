/**
 * Feature tokens (`c:seeds`, `b:acme`, ...) interned as small integers, so the ranking's hot path
 * counts and looks them up in typed arrays instead of hashing strings: signals for 10,000
 * candidates cost about a millisecond. One table per worker (or Node process), shared by the item
 * cache and the taste; it grows with the distinct tokens seen, up to a cap.
 */
import { fnv1a } from './features';

/** Distinct tokens kept as their own id; past this, tokens share hashed ids (collisions, never growth). */
export const MAX_TOKENS = 1 << 20;
const OVERFLOW = 1 << 16;

const ids = new Map<string, number>();
const names: string[] = [];

export function tokenId(token: string): number {
  const known = ids.get(token);
  if (known !== undefined) return known;
  if (names.length >= MAX_TOKENS) return MAX_TOKENS + (fnv1a(token) % OVERFLOW);
  ids.set(token, names.length);
  names.push(token);
  return names.length - 1;
}

/** The token of an id (the first of those sharing it, past the cap). */
export function tokenName(id: number): string {
  return names[id] ?? `#${id}`;
}

/** One more than the largest id handed out: the length a dense array over ids needs. */
export function tokenIdLimit(): number {
  return names.length < MAX_TOKENS ? names.length : MAX_TOKENS + OVERFLOW;
}
