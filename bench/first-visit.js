// @ts-check
/**
 * The shop page of the first-visit benchmark (scripts/bench/bytes.ts): its query names a
 * catalogue (`catalog`, JSON of `{ items: [{ id, features }] }`) and optionally a model
 * (`model`) and how many clicks the visitor makes (`clicks`, default 1). Before the tag arrives it
 * writes the tiles and queues, through the stub, the clicks the visitor makes, so the first personalised `rerank` follows as soon as the engine can give
 * one; `window.firstVisit` records when each `localrank:reranked` came.
 */
(() => {
  const query = new URLSearchParams(location.search);
  const request = new XMLHttpRequest();
  request.open('GET', /** @type {string} */ (query.get('catalog')), false);
  request.send();
  /** @type {{ items: Array<{ id: string, features: { category?: string[], brand?: string, price?: number, text?: string } }> }} */
  const catalog = JSON.parse(request.responseText);
  /** @type {{ reranked: Array<{ at: number, personalized: boolean }> }} */
  const record = { reranked: [] };
  Object.assign(window, { firstVisit: record });
  document.addEventListener('localrank:reranked', (event) => {
    const detail = /** @type {CustomEvent<{ personalized: boolean }>} */ (event).detail;
    record.reranked.push({ at: performance.now(), personalized: detail.personalized });
  });
  const clicks = Number(query.get('clicks') ?? 1);
  for (const clicked of catalog.items.slice(3, 3 + clicks)) {
    /** @type {any} */ (window).localrank('track', { type: 'click', itemId: clicked.id, features: clicked.features });
  }
  document.addEventListener('DOMContentLoaded', () => {
    const list = /** @type {HTMLElement} */ (document.getElementById('list'));
    for (const { id, features } of catalog.items) {
      const tile = document.createElement('li');
      tile.dataset.lrItem = id;
      if (features.category) tile.dataset.lrCategory = features.category.join(' > ');
      if (features.brand) tile.dataset.lrBrand = features.brand;
      if (features.price !== undefined) tile.dataset.lrPrice = String(features.price);
      if (features.text) tile.dataset.lrTitle = features.text;
      tile.textContent = features.text ?? id;
      list.append(tile);
    }
  });
  const tag = document.createElement('script');
  tag.async = true;
  tag.src = '/dist/localrank.iife.js';
  tag.dataset.namespace = 'first-visit';
  const model = query.get('model');
  if (model) tag.dataset.model = model;
  document.head.append(tag);
})();
