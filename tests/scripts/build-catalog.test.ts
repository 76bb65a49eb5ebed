import { describe, expect, it } from 'vitest';
import { buildCatalog, parseTitle } from '../../scripts/build-catalog';
import { buildSportsCatalog, categoryLabel, nameCategories, productName, rootAttribute } from '../../scripts/sports-catalog';

const flags = (...on: number[]) => Array.from({ length: 19 }, (_, i) => (on.includes(i) ? '1' : '0')).join('|');

describe('build-catalog', () => {
  it('moves trailing articles to the front and splits off the year', () => {
    expect(parseTitle('Usual Suspects, The (1995)')).toEqual({ title: 'The Usual Suspects', year: 1995 });
    expect(parseTitle("Appartement, L' (1996)")).toEqual({ title: "L'Appartement", year: 1996 });
    expect(parseTitle('Horseman on the Roof, The (Hussard sur le toit, Le) (1995)').title).toBe(
      'The Horseman on the Roof (Hussard sur le toit, Le)',
    );
    expect(parseTitle('Land Before Time III: The Time of the Great Giving (1995) (V)')).toEqual({
      title: 'Land Before Time III: The Time of the Great Giving',
      year: 1995,
    });
  });

  it('orders films by popularity, keeps each film once and drops the unknown item', () => {
    const items = [
      `1|Toy Story (1995)|01-Jan-1995||http://x|${flags(3, 4, 5)}`,
      `2|Scream (1996)|20-Dec-1996||http://x|${flags(11, 16)}`,
      `3|Scream (1996)|20-Dec-1996||http://x|${flags(11)}`,
      `267|unknown||||${flags(0)}`,
    ].join('\n');
    const data = ['1\t1\t5\t50', '2\t2\t3\t50', '3\t2\t4\t5184100', '4\t3\t1\t50'].join('\n');
    const catalog = buildCatalog(items, data);
    expect(catalog.films.map((film) => film.id)).toEqual(['2', '1']);
    expect(catalog.films[0]).toEqual({
      id: '2',
      title: 'Scream',
      year: 1996,
      genres: ['Horror', 'Thriller'],
      popularity: 2,
      recent: 1,
      rating: 3.5,
    });
    expect(catalog.genres).not.toContain('unknown');
  });
});

describe('build-catalog: the outdoor shop (Trailhead) from Amazon Sports', () => {
  // Attribute lists as S3-Rec writes them: brand, the root (2, on every item), then the category path.
  const attributes: Record<string, number[]> = {
    '1': [10, 2, 3, 4, 40],
    '2': [11, 2, 3, 5, 50],
    '3': [12, 2, 8, 13, 60],
    '4': [12, 2, 8, 9, 61, 2, 8, 9],
    '5': [14, 2, 8, 15],
    '6': [15, 2, 3, 4],
    '7': [16, 99],
  };
  const texts: Record<string, string> = {
    '1': 'ghost armorers tool sports outdoors hunting fishing hunting gun',
    '2': 'sports outdoors hunting fishing fishing rods spinning',
    '3': 'planet bike blinky amp quot light categories sports',
    '4': 'sports outdoors cycling lights reflectors',
    '5': 'title serfas tcpg bicycle sports outdoors cycling parts',
    '6': 'utg leapers inc brand na',
    '7': 'something else entirely',
  };
  const log = ['1 1 2 3', '2 1 3 4', '3 3 1 5', '4 6 1 7', '5 1 3 2'].join('\n');

  it('names a category by the words its sub-categories share after "sports outdoors", never by a sub-category', () => {
    const names = nameCategories(texts, attributes, rootAttribute(attributes));
    expect(rootAttribute(attributes)).toBe(2);
    expect(names.get(3)).toBe('hunting fishing');
    expect(names.get(8)).toBe('cycling');
    expect(categoryLabel('hunting fishing')).toBe('Hunting & Fishing');
    expect(categoryLabel('outdoor gear')).toBe('Outdoor Gear');
  });

  it("a run cut short at the text's end does not name a category", () => {
    const cut = { a: 'x sports outdoors paintball air', b: 'y sports outdoors paintball airsoft guns', c: 'z sports outdoors paintball airsoft masks' };
    const paths = { a: [1, 2, 7, 70], b: [1, 2, 7, 71], c: [1, 2, 7, 72] };
    expect(nameCategories(cut, paths, 2).get(7)).toBe('paintball airsoft');
  });

  it('names products by their words, title-cased, without the category words and the metadata left-overs', () => {
    expect(productName('butler creek uplula universal pistol magazine', null)).toBe('Butler Creek Uplula Universal Pistol Magazine');
    expect(productName('magnesium fire starter sports outdoors outdoor gear', 'outdoor gear')).toBe('Magnesium Fire Starter');
    expect(productName('lifestraw personal water filter categories sports', null)).toBe('Lifestraw Personal Water Filter');
    expect(productName('schwinn 20function bike computer sports', null)).toBe('Schwinn 20function Bike Computer');
    expect(productName('sealline baja dry bags category sports', null)).toBe('Sealline Baja Dry Bags');
    expect(productName('sports outdoors team sports lacrosse', 'team sports')).toBe('Lacrosse');
    expect(productName('title glock safe action aluminum sign', null)).toBe('Glock Safe Action Aluminum Sign');
    expect(productName('utg leapers inc brand na', null)).toBe('UTG Leapers Inc');
    expect(productName('smith amp wesson ckt', null)).toBe('Smith & Wesson Ckt');
    expect(productName('emergency blankets pack of 10 for ar15', null)).toBe('Emergency Blankets Pack of 10 for AR15');
    expect(productName('na sports outdoors cycling lights', 'cycling')).toBe('Lights');
    expect(productName('na categories sports outdoors brand', 'cycling')).toBe('Cycling');
    expect(productName('categories sports', null)).toBe('Unnamed product');
  });

  it('ships the most reviewed items in best-seller order, with their facets, category and recent reviews', () => {
    const catalog = buildSportsCatalog(log, texts, attributes, 5);
    expect(catalog.products.map((product) => [product.id, product.popularity])).toEqual([
      ['1', 5],
      ['3', 4],
      ['2', 2],
      ['4', 1],
      ['5', 1],
    ]);
    const [first] = catalog.products;
    expect(first).toEqual({
      id: '1',
      name: 'Ghost Armorers Tool',
      category: 'Hunting & Fishing',
      tags: [10, 2, 3, 4, 40],
      popularity: 5,
      // Among the last 3 reviews of users 1, 2, 3 and 5 (user 4's last three are 6, 1, 7: also).
      recent: 5,
    });
    expect(catalog.products.find((product) => product.id === '3')?.name).toBe('Planet Bike Blinky & Light');
    // Repeated attributes (a second category path) are kept once, in their order.
    expect(catalog.products.find((product) => product.id === '4')?.tags).toEqual([12, 2, 8, 9, 61]);
    // Categories with too few products for a row stay out of the picker.
    expect(catalog.categories).toEqual([]);
    expect(buildSportsCatalog(log, texts, attributes, 5).products).toEqual(catalog.products);
  });
});
