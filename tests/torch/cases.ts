/**
 * Parity cases for the PyTorch scorer against the engine: histories empty, short and longer than
 * the model's window, of every event type, with items the model knows and items it only knows by
 * content (tricky text included), and candidates of every kind: known ids, unknown ids with
 * features, with a server embedding, with both, with neither, and with an embedding of the wrong
 * length (ignored).
 */
import type { EventType, ItemFeatures } from '../../src/shared/types';

export interface ParityCase {
  history: Array<{ itemId: string; type: EventType; time: number; features?: ItemFeatures }>;
  now: number;
  candidates: Array<{ id: string; features?: ItemFeatures; embedding?: number[] }>;
}

const MINUTE = 60_000;

const UNKNOWN: Array<{ id: string; features: ItemFeatures }> = [
  { id: 'new-1', features: { category: ['Comedy', 'Romance'], text: 'A Brand-New Comedy (2024)' } },
  { id: 'new-2', features: { category: 'Drama', text: 'Ünïcödé Straße — ΣΊΣΥΦΟΣ 1999 İstanbul 𝐁𝐎𝐋𝐃', brand: ' ACME ', price: 12.5 } },
  { id: 'new-3', features: { tags: ['Cult', ' vhs '], attributes: { '2': 'b', decade: 1980, color: ['Red', 'BLUE'], rated: true } } },
];

function embedding(dim: number, seed: number): number[] {
  return Array.from({ length: dim }, (_, i) => Math.sin(seed * 7.3 + i * 1.7) * 0.8);
}

/** `known` are ids in the model's table (at least 12); `dim` is its server-embedding length. */
export function parityCases(known: readonly string[], dim: number, now: number): ParityCase[] {
  const types: EventType[] = ['view', 'click', 'add_to_cart', 'purchase', 'remove_from_cart', 'impression'];
  const event = (itemId: string, i: number, features?: ItemFeatures) => ({ itemId, type: types[i % types.length], time: now - (200 - i * 7) * MINUTE, ...(features ? { features } : {}) });
  const candidates: ParityCase['candidates'] = [
    ...known.slice(0, 10).map((id) => ({ id })),
    ...UNKNOWN,
    { id: 'emb-1', embedding: embedding(dim, 1) },
    { id: 'emb-2', features: { category: ['Action'] }, embedding: embedding(dim, 2) },
    { id: 'bare' },
    { id: 'wrong-length', embedding: embedding(dim + 1, 3) },
    { id: known[10], features: { category: ['Ignored for known ids'] } },
  ];
  return [
    { history: [], now, candidates },
    { history: known.slice(0, 3).map((id, i) => event(id, i)), now, candidates },
    {
      history: [...known.slice(2, 12).map((id, i) => event(id, i)), ...UNKNOWN.map((u, i) => event(u.id, 10 + i, u.features)), event('never-seen', 13)],
      now: now + 3 * MINUTE,
      candidates,
    },
    { history: UNKNOWN.map((u, i) => event(u.id, i + 1, u.features)), now: now + 5000 * MINUTE, candidates },
  ];
}
