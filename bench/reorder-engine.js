// Stands in for dist/localrank.js in the reorder benchmark: answers every list reversed (the worst
// case: every tile that may move, moves), so the figures measure the page side of a reorder alone.
export async function createPersonalizer() {
  return {
    async track() {},
    async rerank(candidates) {
      const items = candidates.map((c, i) => ({ id: String(c.id), score: -i, modelScore: -i, serverRank: i })).reverse();
      return { items, personalized: true, computeMs: 0 };
    },
    async info() { return { state: 'ready', events: 0 }; },
    async exportData() { return { events: [] }; },
    async forget() {},
    async train() { return null; },
    subscribe() { return () => {}; },
    async close() {},
  };
}
