/**
 * The demo's two shops: what differs between them (name, words, catalogue, namespace). Everything
 * else, rows, tiles and panel, is the same machinery. Each shop has its own localrank namespace, so
 * their histories never mix.
 */
import type { Catalog, Product } from './catalog';

export type ShopKey = 'reelhouse' | 'trailhead';

export interface ShopConfig {
  key: ShopKey;
  name: string;
  /** Under the name in the header. */
  tagline: string;
  /** The localrank namespace: where this shop's events live on the device. */
  namespace: string;
  /** The catalogue, relative to the page. */
  catalogUrl: string;
  parse(json: unknown): Catalog;
  /** "film" / "films": how rows and messages count products. */
  noun: { one: string; many: string };
  /** The picker's label ("Genre") and the URL parameter that keeps its choice (`genre`). */
  categoryNoun: string;
  categoryParam: string;
  defaultCategory: string;
  searchLabel: string;
  searchPlaceholder: string;
  /** Said once the engine is up. */
  readyText: string;
  /** A line under the page's introduction about this shop. */
  note: string;
  credits: string;
}

/** `public/demo/catalog.json`, as scripts/build-catalog.ts writes it. */
interface FilmsJson {
  source: string;
  genres: string[];
  films: Array<{ id: string; title: string; year: number | null; genres: string[]; popularity: number; recent: number }>;
}

/** `public/demo/sports.json`, as scripts/build-catalog.ts writes it (scripts/sports-catalog.ts). */
interface SportsJson {
  source: string;
  categories: string[];
  products: Array<{ id: string; name: string; category: string | null; tags: number[]; popularity: number; recent: number }>;
}

/** Attribute ids are local to each dataset: the prefix keeps them apart from any other shop's. */
export const SPORTS_TAG_PREFIX = 'sports:';
/**
 * Item ids too: Amazon's "820" is not MovieLens film 820, which a model trained on MovieLens knows
 * by its id. Trailhead's products are new to the bundled model, ids included.
 */
export const SPORTS_ID_PREFIX = 'sports-';

export function filmsCatalog(json: unknown): Catalog {
  const data = json as FilmsJson;
  return {
    source: data.source,
    categories: data.genres,
    products: data.films.map(({ id, title, year, genres, popularity, recent }) => ({
      id,
      title,
      year,
      categories: genres,
      popularity,
      recent,
      tags: [],
    })),
  };
}

export function sportsCatalog(json: unknown): Catalog {
  const data = json as SportsJson;
  return {
    source: data.source,
    categories: data.categories,
    products: data.products.map(
      ({ id, name, category, tags, popularity, recent }): Product => ({
        id: `${SPORTS_ID_PREFIX}${id}`,
        title: name,
        year: null,
        categories: category ? [category] : [],
        popularity,
        recent,
        tags: tags.map((tag) => `${SPORTS_TAG_PREFIX}${tag}`),
      }),
    ),
  };
}

export const SHOPS: Readonly<Record<ShopKey, ShopConfig>> = {
  reelhouse: {
    key: 'reelhouse',
    name: 'Reelhouse',
    tagline: 'a film store',
    namespace: 'reelhouse-demo',
    catalogUrl: 'demo/catalog.json',
    parse: filmsCatalog,
    noun: { one: 'film', many: 'films' },
    categoryNoun: 'Genre',
    categoryParam: 'genre',
    defaultCategory: 'Comedy',
    searchLabel: 'Search films by title',
    searchPlaceholder: 'Search 1,600+ films',
    readyText: 'Ready. Click a few films of one genre and watch the rows reorder.',
    note: 'Reelhouse sells the MovieLens films, a catalogue the bundled model was trained on.',
    credits: 'Catalogue: MovieLens 100K, GroupLens Research. Covers are generated.',
  },
  trailhead: {
    key: 'trailhead',
    name: 'Trailhead',
    tagline: 'sports & outdoors',
    namespace: 'trailhead-demo',
    catalogUrl: 'demo/sports.json',
    parse: sportsCatalog,
    noun: { one: 'product', many: 'products' },
    categoryNoun: 'Category',
    categoryParam: 'category',
    defaultCategory: 'Outdoor Gear',
    searchLabel: 'Search products by name',
    searchPlaceholder: 'Search 1,800 products',
    readyText: 'Ready. Click three products of one kind (tents, bike lights, knives) and watch the rows reorder.',
    note: 'Trailhead sells Amazon’s Sports & Outdoors catalogue, which the bundled model never saw: its order is learned here, from your first click.',
    credits:
      'Catalogue: Amazon review data (2014), Sports and Outdoors (McAuley et al.), as preprocessed for S3-Rec; names ' +
      'from the items’ few words (IDGenRec). Covers are generated.',
  },
};

export function shopFromUrl(search: string): ShopKey {
  const key = new URLSearchParams(search).get('shop');
  return key === 'trailhead' ? 'trailhead' : 'reelhouse';
}
