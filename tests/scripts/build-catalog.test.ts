import { describe, expect, it } from 'vitest';
import { buildCatalog, parseTitle } from '../../scripts/build-catalog';

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
