/**
 * A demo shop's catalogue and its "server": the candidate lists a shop's backend would send for each
 * row of the page, in the server's own order (popularity). localrank then reorders them on the device.
 * Both shops (films, sports and outdoors) share these types; shops.ts reads each one's JSON into them.
 */
import type { Candidate, ItemFeatures } from '../src/shared/types';

export interface Product {
  id: string;
  /** The name shown on the tile. */
  title: string;
  /** A film's year; null where there is none. */
  year: number | null;
  /** A film's genres, a sports product's category; the first names the cover. */
  categories: string[];
  /** The server's all-time popularity (ratings, reviews). */
  popularity: number;
  /** The server's "popular now". */
  recent: number;
  /** Facets the page sends as `features.tags` (opaque attribute ids); never shown. */
  tags: string[];
}

export interface Catalog {
  source: string;
  /** The categories the page offers in its picker, in the picker's order. */
  categories: string[];
  /** Best sellers first. */
  products: Product[];
}

/** A row as the server sends it: a list id (for tracking) and candidates best first. */
export interface ServerList {
  listId: string;
  products: Product[];
}

export async function loadJson(url: string | URL): Promise<unknown> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`Could not load the catalogue (${response.status})`);
  return response.json();
}

/** How the page and the engine name a product: a film with its year, "Toy Story (1995)". */
export function productLabel(product: Product): string {
  return product.year ? `${product.title} (${product.year})` : product.title;
}

/** What the page tells localrank about a product, in `track` and in `rerank` alike. */
export function productFeatures(product: Product): ItemFeatures {
  return {
    ...(product.categories.length ? { category: product.categories } : {}),
    text: productLabel(product),
    ...(product.tags.length ? { tags: product.tags } : {}),
  };
}

export function toCandidate(product: Product, serverRank: number, total: number): Candidate {
  return { id: product.id, score: 1 - serverRank / total, features: productFeatures(product) };
}

/** The server indexes the catalogue once; products arrive sorted by popularity. */
export class ShopServer {
  readonly byId: ReadonlyMap<string, Product>;

  constructor(readonly catalog: Catalog) {
    this.byId = new Map(catalog.products.map((product) => [product.id, product]));
  }

  /** "Recommended for you": the server's generic picks, the most popular products of every category. */
  recommended(perCategory = 3, size = 30): ServerList {
    const picked = new Set<Product>();
    for (const category of this.catalog.categories) {
      this.inCategory(category).slice(0, perCategory).forEach((product) => picked.add(product));
    }
    const products = [...picked].sort((a, b) => b.popularity - a.popularity).slice(0, size);
    return { listId: 'home-recs', products };
  }

  /** "Popular now": most ratings or reviews lately. */
  popularNow(size = 20): ServerList {
    const products = [...this.catalog.products].sort((a, b) => b.recent - a.recent || b.popularity - a.popularity);
    return { listId: 'popular-now', products: products.slice(0, size) };
  }

  /** A category's best sellers; `prefix` names the list (`genre-Horror`, `category-Cycling`). */
  category(category: string, prefix: string, size = 24): ServerList {
    return { listId: `${prefix}-${category}`, products: this.inCategory(category).slice(0, size) };
  }

  /** Name search: every word of the query starts a word of the name ("tent" finds tents, not "patented"); by popularity. */
  search(query: string, size = 24): ServerList {
    const words = normalize(query).split(' ').filter(Boolean);
    const products = words.length
      ? this.catalog.products.filter((product) => {
          const name = normalize(`${product.title} ${product.year ?? ''}`).split(' ');
          return words.every((word) => name.some((part) => part.startsWith(word)));
        })
      : [];
    return { listId: 'search', products: products.slice(0, size) };
  }

  private inCategory(category: string): Product[] {
    return this.catalog.products.filter((product) => product.categories.includes(category));
  }
}

function normalize(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}
