import { readArtifacts } from '../../src/training/pretrain/artifacts';
import { Scorer, type HistoryItem } from '../../src/worker/model/scorer';
import type { EventType, ItemFeatures, StoredEvent } from '../../src/shared/types';

const FIXTURE = new URL('../fixtures/model', import.meta.url).pathname;

export function fixtureArtifacts() {
  return readArtifacts(FIXTURE);
}

export function loadFixture(): Scorer {
  const { manifest, weights } = fixtureArtifacts();
  return Scorer.fromArtifacts(manifest, weights);
}

/** Genres of the fixture's films, from the manifest's training catalogue. */
export const T0 = Date.UTC(2025, 0, 1);

export function history(ids: readonly string[], type: EventType = 'click', features?: ItemFeatures): HistoryItem[] {
  return ids.map((itemId, i) => ({ itemId, type, time: T0 + i * 60_000, features }));
}

export function events(list: ReadonlyArray<[EventType, string]>): StoredEvent[] {
  return list.map(([type, itemId], i) => ({ id: `e${i}`, type, itemId, time: T0 + i * 60_000 }));
}
