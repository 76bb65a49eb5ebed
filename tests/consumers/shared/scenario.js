/**
 * What every consumer app does, exactly as the README's Install section shows: create a
 * personalizer with no options but a namespace, track a few clicks on a small catalogue, rerank
 * it. The outcome goes to `window.__consumer` for tests/consumers/consumers.spec.ts. Plain
 * JavaScript, so that every bundler takes it with its default configuration.
 */

/** The server's order: twelve products, kitchen first; the visitor prefers the garden. */
export const CATALOGUE = [
  ['k-1', 'Kitchen', 'Knives', 'Chef knife 20 cm', 59],
  ['k-2', 'Kitchen', 'Pans', 'Cast iron pan', 45],
  ['k-3', 'Kitchen', 'Knives', 'Paring knife', 19],
  ['k-4', 'Kitchen', 'Pans', 'Wok 32 cm', 38],
  ['k-5', 'Kitchen', 'Storage', 'Glass jars, set of 6', 24],
  ['k-6', 'Kitchen', 'Storage', 'Bread bin', 31],
  ['g-1', 'Garden', 'Seeds', 'Wildflower seed mix', 6],
  ['g-2', 'Garden', 'Seeds', 'Tomato seeds', 4],
  ['g-3', 'Garden', 'Tools', 'Hand trowel', 14],
  ['g-4', 'Garden', 'Seeds', 'Sunflower seeds', 5],
  ['g-5', 'Garden', 'Tools', 'Pruning shears', 27],
  ['g-6', 'Garden', 'Seeds', 'Basil seeds', 3],
].map(([id, department, aisle, text, price], rank) => ({
  id,
  score: 100 - rank,
  features: { category: [department, aisle], text, price },
}));

/** Runs the scenario; `?namespace=` picks the namespace (each test its own). */
export async function run(createPersonalizer) {
  const namespace = new URLSearchParams(location.search).get('namespace') ?? 'consumer';
  return personalise(await createPersonalizer({ namespace }));
}

/**
 * Tracks clicks on three seed packets and reranks; then waits for the model part and reranks again
 * (see below). What happened goes to `window.__consumer`.
 */
export async function personalise(lr) {
  const clicked = ['g-6', 'g-4', 'g-2'];
  const now = Date.now();
  await lr.track(
    CATALOGUE.map((item, position) => ({ type: 'impression', itemId: item.id, listId: 'home', position, time: now - 60_000, features: item.features })),
  );
  for (const [i, id] of clicked.entries()) {
    const item = CATALOGUE.find((c) => c.id === id);
    await lr.track({ type: 'click', itemId: id, listId: 'home', position: CATALOGUE.indexOf(item), time: now - 50_000 + i * 1000, features: item.features });
  }
  const result = await lr.rerank(CATALOGUE);
  const info = await lr.info();
  // The first personalised rerank is served from the taste and the head; the bundled model reads
  // any catalogue, so its part (TensorFlow.js, the weights) loads behind that answer: proof that
  // the bundler emitted the model part, the wasm binaries and the weights, and that they run.
  const scoredFirst = result.items.filter((item) => item.modelScore !== null).length;
  let model = info.model;
  for (let i = 0; i < 600 && (model === 'none' || model === 'loading'); i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    model = (await lr.info()).model;
  }
  const later = await lr.rerank(CATALOGUE);
  const scoredLater = later.items.filter((item) => item.modelScore !== null).length;
  const outcome = {
    personalized: result.personalized,
    fallback: result.fallback ?? null,
    order: result.items.map((item) => item.id),
    storage: info.storage ?? null,
    events: info.events ?? null,
    state: info.state ?? null,
    scoredFirst,
    scoredLater,
    model: model ?? null,
  };
  window.__consumer = outcome;
  document.body.dataset.outcome = outcome.personalized ? 'personalized' : 'server-order';
  return outcome;
}
