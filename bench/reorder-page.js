// @ts-check
// The reorder benchmark's observers, registered before anything else runs (scripts/bench.ts reads
// `window.bench`): main-thread long tasks, layout shifts and localrank's own user timings.
(function () {
  /** @type {any} */
  const w = window;
  const bench = (w.bench = { longTasks: [], shifts: [], reranked: null, measures: [], warnings: [] });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) bench.longTasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
  new PerformanceObserver((list) => {
    for (const e of /** @type {any[]} */ (list.getEntries())) {
      if (!e.hadRecentInput) bench.shifts.push({ start: e.startTime, value: e.value });
    }
  }).observe({ type: 'layout-shift', buffered: true });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (e.name.startsWith('localrank:')) bench.measures.push({ name: e.name, start: e.startTime, duration: e.duration });
    }
  }).observe({ type: 'measure', buffered: true });
  document.addEventListener('localrank:reranked', (e) => {
    bench.reranked = { at: performance.now(), detail: /** @type {CustomEvent} */ (e).detail };
  });
  document.addEventListener('localrank:warning', (e) => bench.warnings.push(/** @type {CustomEvent} */ (e).detail.code));
  const params = new URLSearchParams(location.search);
  w.localrank('init', { impressionMs: 600000, rerank: { serverWeight: 0 } });
  if (params.get('scroll')) addEventListener('load', () => scrollTo(0, Number(params.get('scroll'))));
})();
