/**
 * Builds the demo shops' catalogues, which are committed so the demo runs without the datasets.
 *
 *   npx tsx scripts/build-catalog.ts [--datasets ../shared/datasets] [--only films|sports] [--size 1800]
 *
 * - Reelhouse (films): `ml-100k/u.item` (latin-1) for titles, years and genres and `ml-100k/u.data` for
 *   popularity, the "server's" order. Writes `public/demo/catalog.json`.
 * - Trailhead (sports and outdoors, scripts/sports-catalog.ts): `sports.txt`, `sports_item2text.json` and
 *   `sports_item2attributes.json`; the `--size` most reviewed items. Writes `public/demo/sports.json`.
 *
 * The datasets folder is relative to the repository root. The output depends on the input files only.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_SIZE, buildSportsCatalog, type SportsCatalog } from './sports-catalog';

export interface CatalogFilm {
  /** The MovieLens item id, as a string (the model's item ids). */
  id: string;
  /** Display title with the article moved to the front: "The Usual Suspects". */
  title: string;
  year: number | null;
  genres: string[];
  /** Number of ratings in the whole log: the server's all-time popularity. */
  popularity: number;
  /** Number of ratings in the last 60 days of the log: the server's "popular now". */
  recent: number;
  /** Mean rating, 1 to 5, one decimal. */
  rating: number;
}

export interface Catalog {
  source: string;
  genres: string[];
  films: CatalogFilm[];
}

const GENRES = [
  'unknown', 'Action', 'Adventure', 'Animation', "Children's", 'Comedy', 'Crime', 'Documentary', 'Drama',
  'Fantasy', 'Film-Noir', 'Horror', 'Musical', 'Mystery', 'Romance', 'Sci-Fi', 'Thriller', 'War', 'Western',
];
const RECENT_DAYS = 60;
const ARTICLE = /^(.*), (The|A|An|Il|La|Le|Les|L'|Das|Der|Die|El|Lo|Los|Las|Un|Une|Det|I)(\s+\(.+\))?$/;

/** "Usual Suspects, The" -> "The Usual Suspects"; "Appartement, L'" -> "L'Appartement". */
export function displayTitle(raw: string): string {
  const match = ARTICLE.exec(raw);
  if (!match) return raw;
  const [, rest, article, alt = ''] = match;
  return `${article}${article.endsWith("'") ? '' : ' '}${rest}${alt}`;
}

/** Splits "Toy Story (1995)" into its title and year; drops the "(V)" video marker. */
export function parseTitle(raw: string): { title: string; year: number | null } {
  const trimmed = raw.trim().replace(/\s*\(V\)$/, '');
  const match = /^(.*?)\s*\((\d{4})\)$/.exec(trimmed);
  if (!match) return { title: displayTitle(trimmed), year: null };
  return { title: displayTitle(match[1]), year: Number(match[2]) };
}

export function buildCatalog(itemText: string, dataText: string): Catalog {
  const counts = new Map<string, { n: number; sum: number; recent: number }>();
  const rows = dataText.trim().split('\n').map((line) => line.split('\t'));
  const lastTime = rows.reduce((max, row) => Math.max(max, Number(row[3])), 0);
  const recentFrom = lastTime - RECENT_DAYS * 86_400;
  for (const [, item, rating, time] of rows) {
    const entry = counts.get(item) ?? { n: 0, sum: 0, recent: 0 };
    entry.n += 1;
    entry.sum += Number(rating);
    if (Number(time) >= recentFrom) entry.recent += 1;
    counts.set(item, entry);
  }

  const byTitle = new Map<string, CatalogFilm>();
  for (const line of itemText.split('\n')) {
    const fields = line.split('|');
    if (fields.length < 24 || fields[1] === 'unknown') continue;
    const [id, rawTitle, date] = fields;
    const { title, year } = parseTitle(rawTitle);
    const genres = GENRES.filter((name, i) => name !== 'unknown' && fields[5 + i] === '1');
    const stats = counts.get(id) ?? { n: 0, sum: 0, recent: 0 };
    const film: CatalogFilm = {
      id,
      title,
      year: year ?? (date ? Number(date.slice(-4)) : null),
      genres,
      popularity: stats.n,
      recent: stats.recent,
      rating: stats.n ? Math.round((stats.sum / stats.n) * 10) / 10 : 0,
    };
    // MovieLens lists a few films twice under two ids; a shop shows each film once.
    const key = `${title} ${film.year}`;
    const seen = byTitle.get(key);
    if (!seen || seen.popularity < film.popularity) byTitle.set(key, film);
  }

  const films = [...byTitle.values()].sort((a, b) => b.popularity - a.popularity || Number(a.id) - Number(b.id));
  return {
    source: 'MovieLens 100K (GroupLens Research, https://grouplens.org/datasets/movielens/)',
    genres: GENRES.filter((g) => g !== 'unknown'),
    films,
  };
}

/** One entry per line: small diffs when a catalogue changes, still valid JSON. */
function writeCatalog(out: string, head: Record<string, unknown>, key: string, rows: readonly unknown[]): void {
  mkdirSync(dirname(out), { recursive: true });
  const fields = Object.entries(head).map(([name, value]) => `${JSON.stringify(name)}:${JSON.stringify(value)}`);
  const body = rows.map((row) => JSON.stringify(row)).join(',\n');
  writeFileSync(out, `{${fields.join(',\n')},\n${JSON.stringify(key)}:[\n${body}\n]}\n`);
}

function main(): void {
  const { values } = parseArgs({
    options: {
      datasets: { type: 'string', default: '../shared/datasets' },
      only: { type: 'string' },
      size: { type: 'string', default: String(DEFAULT_SIZE) },
    },
  });
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const datasets = resolve(root, values.datasets);
  const only = values.only;
  if (only !== undefined && only !== 'films' && only !== 'sports') throw new Error('--only takes films or sports');

  if (only !== 'sports') {
    const input = resolve(datasets, 'ml-100k');
    const itemText = new TextDecoder('latin1').decode(readFileSync(resolve(input, 'u.item')));
    const dataText = readFileSync(resolve(input, 'u.data'), 'utf8');
    const catalog = buildCatalog(itemText, dataText);
    writeCatalog(resolve(root, 'public/demo/catalog.json'), { source: catalog.source, genres: catalog.genres }, 'films', catalog.films);
    console.log(`wrote ${catalog.films.length} films to public/demo/catalog.json`);
  }

  if (only !== 'films') {
    const size = Number(values.size);
    if (!Number.isInteger(size) || size < 1) throw new Error('--size takes a positive whole number');
    const json = (name: string) => JSON.parse(readFileSync(resolve(datasets, name), 'utf8')) as never;
    const catalog: SportsCatalog = buildSportsCatalog(
      readFileSync(resolve(datasets, 'sports.txt'), 'utf8'),
      json('sports_item2text.json'),
      json('sports_item2attributes.json'),
      size,
    );
    const out = resolve(root, 'public/demo/sports.json');
    writeCatalog(out, { source: catalog.source, categories: catalog.categories }, 'products', catalog.products);
    const named = catalog.products.filter((product) => product.category).length;
    console.log(`wrote ${catalog.products.length} products (${named} with a category, ${catalog.categories.length} categories) to public/demo/sports.json`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
