import { describe, expect, it } from 'vitest';
import { ShopServer, toCandidate, type Product } from '../../demo/catalog';
import { SHOPS, filmsCatalog, shopFromUrl, sportsCatalog } from '../../demo/shops';
import filmsJson from '../../public/demo/catalog.json' with { type: 'json' };
import sportsJson from '../../public/demo/sports.json' with { type: 'json' };

const ids = (products: readonly Product[]) => products.map((product) => product.id);
const byPopularity = (products: readonly Product[]) => [...products].sort((a, b) => b.popularity - a.popularity);

describe("the film shop's server (Reelhouse)", () => {
  const server = new ShopServer(filmsCatalog(filmsJson));

  it('sends "Recommended for you" as popular films of every genre, most popular first, each once', () => {
    const { products } = server.recommended();
    expect(products).toHaveLength(30);
    expect(new Set(ids(products)).size).toBe(products.length);
    expect(ids(products)).toEqual(ids(byPopularity(products)));
    expect(new Set(products.flatMap((film) => film.categories)).size).toBeGreaterThan(12);
  });

  it('sends a genre row of that genre only', () => {
    const { products, listId } = server.category('Horror', 'genre');
    expect(listId).toBe('genre-Horror');
    expect(products.length).toBe(24);
    for (const film of products) expect(film.categories).toContain('Horror');
  });

  it('finds titles by every word of the query, accents and case ignored', () => {
    expect(server.search('STAR wars').products[0].title).toBe('Star Wars');
    expect(server.search('miserables').products.some((film) => film.title.includes('Misérables'))).toBe(true);
    expect(server.search('   ').products).toEqual([]);
  });

  it('turns a film into a candidate with the features the model was trained on', () => {
    const film = server.byId.get('1')!;
    expect(toCandidate(film, 0, 10)).toEqual({
      id: '1',
      score: 1,
      features: { category: ['Animation', "Children's", 'Comedy'], text: 'Toy Story (1995)' },
    });
  });
});

describe("the outdoor shop's server (Trailhead)", () => {
  const catalog = sportsCatalog(sportsJson);
  const server = new ShopServer(catalog);

  it('offers the catalogue in best-seller order, with a picker of categories that fill a row', () => {
    expect(ids(catalog.products)).toEqual(ids(byPopularity(catalog.products)));
    expect(catalog.categories.length).toBeGreaterThanOrEqual(8);
    for (const category of catalog.categories) expect(server.category(category, 'category').products.length).toBeGreaterThanOrEqual(10);
  });

  it("sends a category row as that category's best sellers, exactly", () => {
    const { products, listId } = server.category('Cycling', 'category');
    expect(listId).toBe('category-Cycling');
    const expected = catalog.products.filter((product) => product.categories.includes('Cycling')).slice(0, 24);
    expect(ids(products)).toEqual(ids(expected));
  });

  it('sends "Recommended for you" across categories, most popular first', () => {
    const { products } = server.recommended();
    expect(new Set(products.flatMap((product) => product.categories)).size).toBeGreaterThanOrEqual(8);
    expect(ids(products)).toEqual(ids(byPopularity(products)));
  });

  it('finds products by the words of their names', () => {
    const tents = server.search('tent').products;
    expect(tents.length).toBeGreaterThanOrEqual(3);
    for (const product of tents) expect(product.title.toLowerCase()).toMatch(/\btent/);
  });

  it('tells localrank the name, the category and the attribute ids, prefixed so no other shop shares them', () => {
    const product = catalog.products[0];
    const candidate = toCandidate(product, 0, 10);
    // Ids of their own: Amazon's item 820 is not the MovieLens film 820 a model may know.
    expect(candidate.id).toBe(`sports-${sportsJson.products[0].id}`);
    expect(candidate.features?.text).toBe(product.title);
    expect(candidate.features?.category).toEqual(product.categories);
    expect(candidate.features?.tags?.length).toBeGreaterThan(0);
    for (const tag of candidate.features?.tags ?? []) expect(tag).toMatch(/^sports:\d+$/);
    // Opaque numbers are facets, never words on the page.
    expect(product.title).not.toMatch(/sports:/);
  });
});

describe('the shops', () => {
  it('keep their histories apart: one namespace each', () => {
    expect(SHOPS.reelhouse.namespace).not.toBe(SHOPS.trailhead.namespace);
  });

  it('are named in the URL, Reelhouse by default', () => {
    expect(shopFromUrl('?shop=trailhead&category=Cycling')).toBe('trailhead');
    expect(shopFromUrl('?shop=reelhouse')).toBe('reelhouse');
    expect(shopFromUrl('')).toBe('reelhouse');
    expect(shopFromUrl('?shop=nope')).toBe('reelhouse');
  });
});
