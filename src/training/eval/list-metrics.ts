/**
 * Metrics of the evaluation beyond accuracy: what the lists shown are like over all users, namely
 * catalogue coverage, novelty and intra-list diversity of the first positions.
 */

/** Positions the beyond-accuracy metrics read: what a visitor sees first. */
export const LIST_DEPTH = 10;

export interface ListMetrics {
  /** Share of the catalogue that appears in some user's first 10, 0..1. */
  coverage: number;
  /** Mean popularity rank (1: the bestseller) of the first 10, averaged over users: higher is more novel. */
  novelty: number;
  /** Mean dissimilarity (1 - facet overlap) of the pairs in the first 10, averaged over users; NaN without features. */
  diversity: number;
}

export const LIST_METRIC_NAMES: ReadonlyArray<keyof ListMetrics> = ['coverage', 'novelty', 'diversity'];

/** What the beyond-accuracy metrics know of the catalogue. */
export interface CatalogueFacts {
  /** Items in the catalogue. */
  size: number;
  /** 1-based popularity rank of an item, undefined when unknown. */
  popularityRank(id: string): number | undefined;
  /** Facet overlap of two items (0..1), undefined when either has no features. */
  similarity(a: string, b: string): number | undefined;
}

/** Coverage, novelty and diversity of the first `LIST_DEPTH` items of each user's list. */
export function listMetrics(lists: ReadonlyArray<readonly string[]>, facts: CatalogueFacts): ListMetrics {
  const distinct = new Set<string>();
  let novelty = 0;
  let novelLists = 0;
  let diversity = 0;
  let diverseLists = 0;
  for (const full of lists) {
    const list = full.slice(0, LIST_DEPTH);
    for (const id of list) distinct.add(id);
    const ranks = list.map((id) => facts.popularityRank(id)).filter((r): r is number => r !== undefined);
    if (ranks.length) {
      novelty += ranks.reduce((a, b) => a + b, 0) / ranks.length;
      novelLists++;
    }
    let pairs = 0;
    let apart = 0;
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        const s = facts.similarity(list[i], list[j]);
        if (s === undefined) continue;
        apart += 1 - s;
        pairs++;
      }
    }
    if (pairs) {
      diversity += apart / pairs;
      diverseLists++;
    }
  }
  return {
    coverage: facts.size ? distinct.size / facts.size : 0,
    novelty: novelLists ? novelty / novelLists : Number.NaN,
    diversity: diverseLists ? diversity / diverseLists : Number.NaN,
  };
}
