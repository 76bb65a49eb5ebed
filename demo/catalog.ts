/**
 * The film shop's catalogue and the "server": the candidate lists a shop's backend would send for each
 * row of the page, in the server's own order (popularity). localrank then reorders them on the device.
 */
import type { Candidate } from '../src/shared/types';

export interface Film {
  id: string;
  title: string;
  year: number | null;
  genres: string[];
  popularity: number;
  recent: number;
  rating: number;
}

export interface Catalog {
  source: string;
  genres: string[];
  films: Film[];
}

/** A row as the server sends it: a list id (for tracking) and candidates best first. */
export interface ServerList {
  listId: string;
  films: Film[];
}

export async function loadCatalog(url: string | URL): Promise<Catalog> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`Could not load the catalogue (${response.status})`);
  return (await response.json()) as Catalog;
}

export function toCandidate(film: Film, serverRank: number, total: number): Candidate {
  return {
    id: film.id,
    score: 1 - serverRank / total,
    features: { category: film.genres, text: filmLabel(film) },
  };
}

export function filmLabel(film: Film): string {
  return film.year ? `${film.title} (${film.year})` : film.title;
}

/** The server indexes the catalogue once; films arrive sorted by popularity. */
export class FilmServer {
  readonly byId: ReadonlyMap<string, Film>;

  constructor(readonly catalog: Catalog) {
    this.byId = new Map(catalog.films.map((film) => [film.id, film]));
  }

  /** "Recommended for you": the server's generic picks, the most popular films of every genre. */
  recommended(perGenre = 3, size = 30): ServerList {
    const picked = new Set<Film>();
    for (const genre of this.catalog.genres) {
      this.catalog.films.filter((film) => film.genres.includes(genre)).slice(0, perGenre).forEach((f) => picked.add(f));
    }
    const films = [...picked].sort((a, b) => b.popularity - a.popularity).slice(0, size);
    return { listId: 'home-recs', films };
  }

  /** "Popular now": most ratings in the last weeks of the log. */
  popularNow(size = 20): ServerList {
    const films = [...this.catalog.films].sort((a, b) => b.recent - a.recent || b.popularity - a.popularity);
    return { listId: 'popular-now', films: films.slice(0, size) };
  }

  genre(genre: string, size = 24): ServerList {
    return { listId: `genre-${genre}`, films: this.catalog.films.filter((f) => f.genres.includes(genre)).slice(0, size) };
  }

  /** Title search, every word must match; results by popularity. */
  search(query: string, size = 24): ServerList {
    const words = normalize(query).split(' ').filter(Boolean);
    const films = words.length
      ? this.catalog.films.filter((film) => {
          const title = normalize(`${film.title} ${film.year ?? ''}`);
          return words.every((word) => title.includes(word));
        })
      : [];
    return { listId: 'search', films: films.slice(0, size) };
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
