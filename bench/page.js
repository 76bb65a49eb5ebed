// @ts-check
/**
 * The browser half of `npm run bench` (scripts/bench.ts drives it through Playwright). Every
 * timing here is taken on the page's main thread with performance.now(), around the public API of
 * the built bundle, so it includes validation, the postMessage round trip and the structured clone
 * of the results: what a shop's page actually waits for.
 */

const LIBRARY = '/dist/localrank.js';

/** @typedef {{ id: string, score?: number, features?: { category?: string[], text?: string } }} Candidate */
/** @typedef {{ type: string, itemId: string, time?: number, features?: object }} BenchEvent */

/** @type {any} */
let lr = null;

/** @param {number[]} xs */
export function summary(xs) {
  const sorted = [...xs].sort((a, b) => a - b);
  const at = (/** @type {number} */ q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  return { runs: sorted.length, median: at(0.5), p95: at(0.95), min: sorted[0], max: sorted[sorted.length - 1] };
}

/**
 * Imports the library and starts a personalizer, timing the phases seen from the page:
 * `workerMs` until the worker reports it starts downloading the model (worker boot, IndexedDB,
 * backend choice), `modelMs` from there to ready (download, SHA-256, tensors, restore).
 * @param {{ model: string, backend: string, namespace: string, autoTrain?: unknown, loadModel?: string }} options
 */
export async function start(options) {
  const t0 = performance.now();
  const lib = await import(LIBRARY);
  const imported = performance.now();
  /** @type {Record<string, number>} */
  const marks = {};
  lr = await lib.createPersonalizer({
    model: options.model,
    backend: options.backend,
    namespace: options.namespace,
    loadModel: options.loadModel,
    autoTrain: options.autoTrain ?? false,
    onProgress: (/** @type {{ status: string }} */ p) => {
      marks[p.status] ??= performance.now();
    },
  });
  const ready = performance.now();
  const info = await lr.info();
  const download = marks.download ?? ready;
  return {
    importMs: imported - t0,
    workerMs: download - imported,
    modelMs: ready - download,
    totalMs: ready - t0,
    info,
  };
}

/**
 * After a start with the model part not loaded (`loadModel: 'lazy'`): tracks `history`, answers
 * the first personalised rerank of `candidates` from the taste and the head, then times how long
 * the model part takes to be ready behind it (its chunk, the backend choice, the weights, the
 * warm-up) and checks that a later rerank carries its scores.
 * @param {{ candidates: Candidate[], history: BenchEvent[] }} options
 */
export async function modelAfterFirstRerank({ candidates, history }) {
  await lr.track(history);
  const t = performance.now();
  const first = await lr.rerank(candidates);
  const firstMs = performance.now() - t;
  let info = await lr.info();
  while (info.model === 'none' || info.model === 'loading') {
    await new Promise((r) => setTimeout(r, 5));
    info = await lr.info();
  }
  const readyMs = performance.now() - t;
  const later = await lr.rerank(candidates);
  return {
    firstMs,
    firstPersonalized: first.personalized,
    firstModelScores: first.items.filter((/** @type {any} */ i) => i.modelScore !== null).length,
    model: info.model,
    readyMs,
    laterModelScores: later.items.filter((/** @type {any} */ i) => i.modelScore !== null).length,
  };
}

export async function stop() {
  await lr?.close();
  lr = null;
}

/** @param {BenchEvent[]} events */
export async function track(events) {
  for (let i = 0; i < events.length; i += 1000) await lr.track(events.slice(i, i + 1000));
}

/** The main-thread time localrank reports as user timings `name` since they were last cleared, ms. */
function measured(/** @type {string} */ name) {
  const total = performance.getEntriesByName(name, 'measure').reduce((sum, e) => sum + e.duration, 0);
  performance.clearMeasures(name);
  return total;
}

/**
 * Median/p95 of `rerank` as the page sees it, per list size. The first call of each size fills
 * the worker's item-vector cache and is reported apart (`firstMs`); after up to ten untimed calls
 * (at most 1 s) calls repeat until `minRuns` and `budgetMs` are both reached (or `maxRuns`).
 * `submit` is localrank's main-thread time before the answer: the synchronous part of the call,
 * plus the packing it reports as `localrank:pack` user timings (validating and packing the
 * candidates, posting the message); `unpack` after it (`localrank:unpack`: the result's objects).
 * @param {{ candidates: Candidate[], sizes: number[], minRuns: number, maxRuns: number, budgetMs: number }} options
 */
export async function rerankLatency({ candidates, sizes, minRuns, maxRuns, budgetMs }) {
  const out = [];
  for (const size of sizes) {
    const list = candidates.slice(0, size);
    let t = performance.now();
    const first = await lr.rerank(list, { serverWeight: 0 });
    const firstMs = performance.now() - t;
    // A first call slower than the client's timeout gets the server's order; the worker finishes
    // and caches anyway, so the following calls show the steady state.
    let fallbacks = first.personalized ? 0 : 1;
    for (let i = 0; i < 5 && !(await lr.rerank(list, { serverWeight: 0 })).personalized; i++) fallbacks++;
    // Warm-up, untimed: the engine's caches are full after the first call, but the JavaScript
    // engines of the page and the worker optimise their hot loops over the next calls.
    const warming = performance.now();
    for (let i = 0; i < 10 && performance.now() - warming < 1000; i++) await lr.rerank(list, { serverWeight: 0 });
    /** @type {number[]} */ const times = [];
    /** @type {number[]} */ const submit = [];
    /** @type {number[]} */ const unpack = [];
    /** @type {number[]} */ const worker = [];
    measured('localrank:pack');
    measured('localrank:unpack');
    const began = performance.now();
    let last = first;
    while (times.length < maxRuns && (times.length < minRuns || performance.now() - began < budgetMs)) {
      t = performance.now();
      const pending = lr.rerank(list, { serverWeight: 0 });
      const syncMs = performance.now() - t;
      const result = await pending;
      times.push(performance.now() - t);
      // What runs before `rerank` returns, and what localrank reports running after (its packing).
      submit.push(syncMs + measured('localrank:pack'));
      unpack.push(measured('localrank:unpack'));
      if (result.personalized) last = result;
      else fallbacks++;
      worker.push(last.computeMs);
    }
    /** @type {Record<string, number>} */
    const modelScores = {};
    for (const item of last.items) modelScores[item.id] = item.modelScore;
    out.push({ size, firstMs, fallbacks, e2e: summary(times), submit: summary(submit), unpack: summary(unpack), worker: summary(worker), modelScores });
  }
  return out;
}

/**
 * `rerank` of `candidates` timed as the plain loop is, in batches of sequential calls (Firefox and
 * WebKit give pages a 1 ms clock, too coarse for one call): the mean call of each batch, then the
 * median and p95 over the batches. Each call still waits for the answer before the next.
 * @param {{ candidates: Candidate[], batch: number, minRuns: number, budgetMs: number }} options
 */
export async function rerankBatched({ candidates, batch, minRuns, budgetMs }) {
  for (let i = 0; i < 10; i++) await lr.rerank(candidates, { serverWeight: 0 });
  /** @type {number[]} */ const times = [];
  const began = performance.now();
  while (times.length < minRuns || (performance.now() - began < budgetMs && times.length < 200)) {
    const t = performance.now();
    for (let i = 0; i < batch; i++) await lr.rerank(candidates, { serverWeight: 0 });
    times.push((performance.now() - t) / batch);
  }
  return summary(times);
}

/** The smallest step of this page's clock, ms. */
export function clockStep() {
  let step = Infinity;
  let last = performance.now();
  for (let i = 0; i < 200_000 && step > 0.001; i++) {
    const now = performance.now();
    if (now !== last) {
      step = Math.min(step, now - last);
      last = now;
    }
  }
  return step;
}

/**
 * The floor: the same model's scores computed by a plain Float32Array loop on this main thread
 * from the same user and item vectors (computed in Node from the same model), then sorted.
 * @param {{ user: number[], items: number[], dim: number, sizes: number[], minRuns: number, budgetMs: number }} options
 */
export function referenceLoop({ user, items, dim, sizes, minRuns, budgetMs }) {
  const u = Float32Array.from(user);
  const all = Float32Array.from(items);
  const out = [];
  let sink = 0;
  for (const size of sizes) {
    const rows = all.subarray(0, size * dim);
    const scores = new Float32Array(size);
    const run = () => {
      for (let i = 0; i < size; i++) {
        let s = 0;
        const o = i * dim;
        for (let d = 0; d < dim; d++) s += rows[o + d] * u[d];
        scores[i] = s;
      }
      const order = Array.from({ length: size }, (_, i) => i).sort((a, b) => scores[b] - scores[a] || a - b);
      sink += order[0];
    };
    // Pages that are not cross-origin isolated get a coarse clock (0.1 ms in Chromium, 1 ms in
    // Firefox and WebKit): time batches of runs of at least 20 clock steps (and 2 ms), and report
    // the mean run of each batch.
    let t = performance.now();
    for (let i = 0; i < 20; i++) run(); // also lets the JIT settle
    const target = Math.max(2, 20 * clockStep());
    const batch = Math.max(1, Math.ceil(target / Math.max(1e-5, (performance.now() - t) / 20)));
    /** @type {number[]} */ const times = [];
    const began = performance.now();
    while (times.length < minRuns || (performance.now() - began < budgetMs && times.length < 500)) {
      t = performance.now();
      for (let i = 0; i < batch; i++) run();
      times.push((performance.now() - t) / batch);
    }
    run();
    out.push({ size, e2e: summary(times), scores: Array.from(scores) });
  }
  return { results: out, sink };
}

/**
 * The floor of any answer from a worker: a bare round trip to a worker that does nothing, with the
 * shape of a `rerank` (the list's ids out as strings, a transferred Int32Array order back), timed
 * in batches like the plain loop (the page's clock is coarse) and reported as the mean of a round
 * trip per batch. `empty` is the same with no ids (a message and its answer alone).
 * @param {{ ids: string[], sizes: number[], minRuns: number, budgetMs: number }} options
 */
export async function roundTrip({ ids, sizes, minRuns, budgetMs }) {
  const source = 'onmessage = (e) => { const order = new Int32Array(e.data.ids.length); postMessage({ order }, [order.buffer]); };';
  const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  const worker = new Worker(url);
  const once = (/** @type {string[]} */ list) =>
    new Promise((resolve) => {
      worker.onmessage = resolve;
      worker.postMessage({ ids: list });
    });
  const out = [];
  for (const size of [0, ...sizes]) {
    const list = ids.slice(0, size);
    for (let i = 0; i < 50; i++) await once(list);
    /** @type {number[]} */ const times = [];
    const began = performance.now();
    while (times.length < minRuns || (performance.now() - began < budgetMs && times.length < 200)) {
      const t = performance.now();
      for (let i = 0; i < 20; i++) await once(list);
      times.push((performance.now() - t) / 20);
    }
    out.push({ size, e2e: summary(times) });
  }
  worker.terminate();
  URL.revokeObjectURL(url);
  return out;
}

/**
 * Time from `track` of a click to a `rerank` that reflects it: each run clicks one item, then
 * reranks; the run counts only if the scores moved (the taste and the user vector were rebuilt).
 * @param {{ candidates: Candidate[], clicks: BenchEvent[] }} options
 */
export async function clickToRerank({ candidates, clicks }) {
  /** @type {number[]} */ const times = [];
  let reflected = 0;
  let before = await lr.rerank(candidates, { serverWeight: 0 });
  /** @type {number[][]} */ const split = [];
  for (const click of clicks) {
    const t = performance.now();
    await lr.track({ ...click, time: Date.now() });
    const tracked = performance.now();
    const after = await lr.rerank(candidates, { serverWeight: 0 });
    times.push(performance.now() - t);
    split.push([tracked - t, performance.now() - tracked]);
    const score = (/** @type {any} */ r) => new Map(r.items.map((/** @type {any} */ i) => [i.id, i.score]));
    const a = score(before);
    const b = score(after);
    if ([...b].some(([id, s]) => Math.abs(s - a.get(id)) > 1e-6)) reflected++;
    before = after;
  }
  // Per run: [track ms, rerank ms], to see which of the two a slow run spent its time in.
  return { ...summary(times), reflected, split };
}

/** One `train()` run on the events already tracked. */
export async function train() {
  const t = performance.now();
  const report = await lr.train();
  return { ...report, pageMs: performance.now() - t };
}

/**
 * A session with training, watching the main thread for long tasks (> 50 ms). The observer is
 * registered before the library is imported, so everything localrank does is in view.
 * @param {{ model: string, namespace: string, candidates: Candidate[], events: BenchEvent[], sizes: number[] }} options
 */
export async function longTaskSession({ model, namespace, candidates, events, sizes }) {
  /** @type {{ start: number, duration: number }[]} */
  const longTasks = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) longTasks.push({ start: entry.startTime, duration: entry.duration });
  });
  observer.observe({ type: 'longtask', buffered: false });
  const t0 = performance.now();
  const lists = sizes.map((n) => candidates.slice(0, n));
  const started = await start({ model, backend: 'auto', namespace, autoTrain: { minNewEvents: 5, idleMs: 200 } });
  const trained = new Promise((resolve) => lr.subscribe((/** @type {any} */ e) => e.type === 'train' && resolve(e.report)));
  for (const list of lists) await lr.rerank(list);
  for (let i = 0; i < events.length; i += 10) {
    await lr.track(events.slice(i, i + 10));
    for (const list of lists) await lr.rerank(list, { explain: list.length <= 100 });
  }
  const autoReport = await Promise.race([trained, new Promise((r) => setTimeout(() => r(null), 20_000))]);
  const explicit = await lr.train();
  for (const list of lists) await lr.rerank(list, { diversity: 0.3, explain: true });
  await new Promise((r) => setTimeout(r, 200)); // let the observer deliver the last entries
  observer.disconnect();
  // The model part loads behind the first personalised rerank: its backend, once it has.
  const after = await lr.info();
  await stop();
  return {
    sessionMs: performance.now() - t0,
    backend: after.model === 'ready' ? after.backend : `${started.info.backend}, model part ${after.model}`,
    autoTrained: autoReport !== null,
    trainingRuns: (autoReport ? 1 : 0) + 1,
    trainSteps: explicit.steps,
    longTasks,
  };
}
