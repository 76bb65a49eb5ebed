import { describe, expect, it } from 'vitest';
import { FilmServer, toCandidate, type Catalog, type Film } from '../../demo/catalog';
import catalogJson from '../../public/demo/catalog.json' with { type: 'json' };

const catalog = catalogJson as Catalog;
const server = new FilmServer(catalog);
const ids = (films: readonly Film[]) => films.map((film) => film.id);

describe('the demo server', () => {
  it('sends "Recommended for you" as popular films of every genre, most popular first, each once', () => {
    const { films } = server.recommended();
    expect(films).toHaveLength(30);
    expect(new Set(ids(films)).size).toBe(films.length);
    expect(films.map((film) => film.popularity)).toEqual([...films.map((film) => film.popularity)].sort((a, b) => b - a));
    expect(new Set(films.flatMap((film) => film.genres)).size).toBeGreaterThan(12);
  });

  it('sends a genre row of that genre only', () => {
    const { films, listId } = server.genre('Horror');
    expect(listId).toBe('genre-Horror');
    expect(films.length).toBe(24);
    for (const film of films) expect(film.genres).toContain('Horror');
  });

  it('finds titles by every word of the query, accents and case ignored', () => {
    expect(server.search('STAR wars').films[0].title).toBe('Star Wars');
    expect(server.search('miserables').films.some((film) => film.title.includes('Misérables'))).toBe(true);
    expect(server.search('   ').films).toEqual([]);
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
