// @ts-check
// Renders the benchmark's product grid, as a shop's server would: `?n=` tiles, each with an image,
// a title, a price and an add-to-cart button; `?rerank=animate` for the animated mode.
(function () {
  const params = new URLSearchParams(location.search);
  const n = Number(params.get('n') || 500);
  const list = /** @type {HTMLElement} */ (document.getElementById('list'));
  const genres = ['Drama', 'Comedy', 'Action', 'Thriller', 'Romance', 'Sci-Fi', 'Horror', 'Animation'];
  let html = '';
  for (let i = 0; i < n; i++) {
    const genre = genres[i % genres.length];
    const price = (5 + ((i * 37) % 95)).toFixed(2);
    html +=
      `<li class="tile" data-lr-item="p-${i}" data-lr-category="Films &gt; ${genre}" data-lr-price="${price}" data-lr-title="Product ${i}">` +
      `<a href="#p-${i}"><img src="tile.svg" width="200" height="150" alt=""></a>` +
      `<h3><a href="#p-${i}">Product ${i}, a ${genre.toLowerCase()} film</a></h3>` +
      `<span class="price">$${price}</span>` +
      `<button type="button" data-lr-action="add_to_cart">Add to cart</button></li>`;
  }
  list.innerHTML = html;
  list.setAttribute('data-lr-rerank', params.get('rerank') === 'animate' ? 'animate' : '');
})();
