/**
 * The second demo shop's catalogue, Trailhead, from the Amazon "Sports and Outdoors" log (S3-Rec's
 * preprocessing): a shop the bundled model never saw. Pure functions; scripts/build-catalog.ts
 * reads the files and writes `public/demo/sports.json`.
 *
 * - Products: the most reviewed items of `sports.txt`, in that order (the shop's best sellers).
 * - Names: the item's few words (`sports_item2text.json`), title-cased, without the category words
 *   that end some of them ("… sports outdoors outdoor gear"), which are the category, not the name.
 * - Facets: the item's attribute ids (`sports_item2attributes.json`), opaque numbers, kept as they are.
 * - Category: the top-level Sports & Outdoors category, named by words of the texts (see `nameCategories`).
 */

export interface SportsProduct {
  /** The item id of `sports.txt`, as a string. */
  id: string;
  /** Display name, title-cased from the item's words; also the product's `features.text`. */
  name: string;
  /** Top-level category ("Cycling"), or null when the texts do not name it. */
  category: string | null;
  /** The item's attribute ids (brand and categories, S3-Rec's), de-duplicated, in their order. */
  tags: number[];
  /** Reviews in the whole log: the shop's best-seller order. */
  popularity: number;
  /** How many shoppers have it among their last `RECENT_LAST` reviews (the log has no dates). */
  recent: number;
}

export interface SportsCatalog {
  source: string;
  /** Categories with at least `MIN_CATEGORY_SIZE` products, the largest first. */
  categories: string[];
  products: SportsProduct[];
}

/** Items shipped: the demo needs the head of the catalogue, not its 18,357 items. */
export const DEFAULT_SIZE = 1800;
export const RECENT_LAST = 3;
/** A category gets its own entry in the category picker from this many products. */
export const MIN_CATEGORY_SIZE = 10;

/**
 * The texts are lowercase words without punctuation, so Amazon's "&" in category names is gone;
 * these put it back for display. Keys are the names `nameCategories` derives.
 */
const CATEGORY_SPELLING: Record<string, string> = {
  'hunting fishing': 'Hunting & Fishing',
  'exercise fitness': 'Exercise & Fitness',
  'paintball airsoft': 'Paintball & Airsoft',
  'boating water sports': 'Boating & Water Sports',
  'leisure sports game room': 'Leisure Sports & Game Room',
};

const SMALL_WORDS = new Set(['a', 'an', 'and', 'as', 'at', 'by', 'for', 'in', 'of', 'on', 'or', 'the', 'to', 'with']);
const ACRONYMS = new Set(['clp', 'co2', 'cqc', 'gps', 'ii', 'iii', 'iv', 'lcd', 'led', 'mtb', 'pvc', 'usa', 'usb', 'utg', 'uv', 'vi', 'xl', 'xxl']);
/**
 * Where a text's category words start: "categories …", "category …", "sports outdoors …", or a last
 * word "sports", the start of "sports outdoors" cut off by the text's length.
 */
const TAIL = /(?:^|\s)(?:categories|category|sports? outdoors)(?:\s|$)|\s+sports?$/;
const MARKER = /(?:^|\s)sports? outdoors\s+(.+)$/;

/** `user item item …` lines: every user's items, in time order. */
export function parseLog(text: string): string[][] {
  return text
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/).slice(1))
    .filter((items) => items.length > 0);
}

function titleWord(word: string, first: boolean): string {
  if (ACRONYMS.has(word) || /^(ar|ak)\d+$/.test(word)) return word.toUpperCase();
  if (!first && SMALL_WORDS.has(word)) return word;
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** "butler creek uplula" -> "Butler Creek Uplula"; `&amp;` and `&quot;` left as "amp" / "quot" are undone. */
export function titleCase(words: readonly string[]): string {
  return words
    .map((word) => (word === 'amp' ? '&' : word.replace(/quot$/, '')))
    .filter(Boolean)
    .map((word, index) => titleWord(word, index === 0))
    .join(' ');
}

/**
 * A product's display name from its words: the words before its category words; when the text is
 * only category words, the ones after the top-level category's name ("… team sports lacrosse" ->
 * "Lacrosse"), else that name.
 */
export function productName(text: string, categoryWords: string | null): string {
  // "title …" and a closing "brand" or "brand na" are left-overs of the metadata's field names.
  const joined = text
    .toLowerCase()
    .trim()
    .split(/\s+/)
    .join(' ')
    .replace(/^title (?=\S)/, '')
    .replace(/(?<=\S) brand(?: na?)?$/, '');
  const tail = TAIL.exec(joined);
  // "na" is the metadata's "not available", not a name.
  const head = (tail ? joined.slice(0, tail.index).trim() : joined).replace(/^na$/, '');
  if (head) return titleCase(head.split(' '));
  let rest = MARKER.exec(joined)?.[1] ?? '';
  if (categoryWords && rest.startsWith(`${categoryWords} `)) rest = rest.slice(categoryWords.length + 1);
  // Nothing but markers: the text names no product, only (at most) its category.
  rest ||= categoryWords ?? '';
  return rest ? titleCase(rest.split(' ')) : 'Unnamed product';
}

/** The attribute every item carries: the "Sports & Outdoors" root of the category paths. */
export function rootAttribute(attributes: Readonly<Record<string, readonly number[]>>): number {
  const counts = new Map<number, number>();
  for (const list of Object.values(attributes)) for (const a of new Set(list)) counts.set(a, (counts.get(a) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0][0];
}

/** The attributes right after the root: the top-level category and the one below it (first path only). */
function levels(list: readonly number[], root: number): [number | undefined, number | undefined] {
  const at = list.indexOf(root);
  return at < 0 ? [undefined, undefined] : [list[at + 1], list[at + 2]];
}

/**
 * Names each top-level category attribute by words of its items' texts. Many texts end with the
 * item's category path as words ("… sports outdoors hunting fishing hunting optics"). A category's
 * name is the longest run of words that follows "sports outdoors" in the texts of more than half of
 * its sub-categories (and of at least two): what its sub-categories share is the category's own
 * name, while longer runs are a sub-category's ("hunting fishing" is shared by Hunting, Fishing,
 * Archery...; "hunting fishing hunting" only by Hunting). Categories without such a run stay unnamed.
 * Returns attribute id -> words (lowercase, as in the texts).
 */
export function nameCategories(
  texts: Readonly<Record<string, string>>,
  attributes: Readonly<Record<string, readonly number[]>>,
  root: number,
  maxWords = 4,
): Map<number, string> {
  // top-level attribute -> word run -> the sub-categories whose items' texts start with it
  const runs = new Map<number, Map<string, Set<number | undefined>>>();
  const subs = new Map<number, Set<number | undefined>>();
  for (const [id, list] of Object.entries(attributes)) {
    const [top, sub] = levels(list, root);
    const words = MARKER.exec(texts[id]?.toLowerCase() ?? '')?.[1].split(/\s+/);
    if (top === undefined || !words) continue;
    if (!subs.has(top)) subs.set(top, new Set());
    subs.get(top)!.add(sub);
    const byRun = runs.get(top) ?? new Map<string, Set<number | undefined>>();
    runs.set(top, byRun);
    // A text's last word may be cut short ("paintball air"), so a run must be followed by another word.
    for (let n = 1; n <= Math.min(maxWords, words.length - 1); n++) {
      const run = words.slice(0, n).join(' ');
      if (!byRun.has(run)) byRun.set(run, new Set());
      byRun.get(run)!.add(sub);
    }
  }
  const names = new Map<number, string>();
  for (const [top, byRun] of runs) {
    const needed = Math.max(2, Math.floor(subs.get(top)!.size / 2) + 1);
    const shared = [...byRun].filter(([, groups]) => groups.size >= needed);
    shared.sort((a, b) => b[0].split(' ').length - a[0].split(' ').length || b[1].size - a[1].size || a[0].localeCompare(b[0]));
    if (shared.length) names.set(top, shared[0][0]);
  }
  return names;
}

/** How a derived category name is shown: Amazon's "&" put back, else title case. */
export function categoryLabel(words: string): string {
  return CATEGORY_SPELLING[words] ?? titleCase(words.split(' '));
}

export function buildSportsCatalog(
  logText: string,
  texts: Readonly<Record<string, string>>,
  attributes: Readonly<Record<string, readonly number[]>>,
  size = DEFAULT_SIZE,
): SportsCatalog {
  const popularity = new Map<string, number>();
  const recent = new Map<string, number>();
  for (const items of parseLog(logText)) {
    for (const item of items) popularity.set(item, (popularity.get(item) ?? 0) + 1);
    for (const item of new Set(items.slice(-RECENT_LAST))) recent.set(item, (recent.get(item) ?? 0) + 1);
  }
  const root = rootAttribute(attributes);
  const names = nameCategories(texts, attributes, root);
  const ids = [...popularity.keys()].filter((id) => id in texts);
  ids.sort((a, b) => popularity.get(b)! - popularity.get(a)! || Number(a) - Number(b));

  const products = ids.slice(0, size).map((id): SportsProduct => {
    const list = attributes[id] ?? [];
    const [top] = levels(list, root);
    const words = top === undefined ? undefined : names.get(top);
    return {
      id,
      name: productName(texts[id], words ?? null),
      category: words ? categoryLabel(words) : null,
      tags: [...new Set(list)],
      popularity: popularity.get(id)!,
      recent: recent.get(id) ?? 0,
    };
  });
  const sizes = new Map<string, number>();
  for (const { category } of products) if (category) sizes.set(category, (sizes.get(category) ?? 0) + 1);
  const categories = [...sizes]
    .filter(([, n]) => n >= MIN_CATEGORY_SIZE)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([name]) => name);
  return {
    source:
      'Amazon review data (2014), Sports and Outdoors, 5-core, as preprocessed for S3-Rec (McAuley et al.; Zhou et al., CIKM 2020); item texts from IDGenRec (SIGIR 2024)',
    categories,
    products,
  };
}
