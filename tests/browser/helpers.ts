/** Fixtures and small helpers the browser tests share; opening and driving a page is in harness.ts. */
import type { Page, Request } from '@playwright/test';
import films from '../fixtures/films.json' with { type: 'json' };

export const FIXTURE_MODEL = '/tests/fixtures/model/manifest.json';
export const BLANK = '/tests/browser/fixtures/blank.html';

export interface Film {
  id: string;
  title: string;
  genres: string[];
  ratings: number;
}
export const FILMS = films as Film[];

export function candidateOf(film: Film) {
  return { id: film.id, features: { category: film.genres, text: film.title } };
}

/**
 * A visitor with a clear taste: twelve times a list of ten films is shown (impressions with their
 * positions) and they choose the comedy the server put last. `train()` fits their reactions to
 * those lists and keeps the fit.
 */
export function tasteEvents(now = Date.now()) {
  const comedies = FILMS.filter((f) => f.genres.includes('Comedy')).slice(0, 12);
  const others = FILMS.filter((f) => !f.genres.includes('Comedy'));
  const features = (f: Film) => ({ category: f.genres, text: f.title });
  return comedies.flatMap((comedy, view) => {
    const time = now - 3_600_000 + view * 120_000;
    const shown = [...others.slice(view * 9, view * 9 + 9), comedy];
    return [
      ...shown.map((f, position) => ({ type: 'impression', itemId: f.id, listId: 'home', position, time: time + position, features: features(f) })),
      { type: 'click', itemId: comedy.id, listId: 'home', position: shown.length - 1, time: time + 30_000, features: features(comedy) },
    ];
  });
}

/** How many events `tasteEvents` records. */
export const TASTE_EVENTS = 12 * 11;

/** Records every request the page and its workers make, with method and body. */
export function recordRequests(page: Page): Array<{ url: string; method: string; body: string | null; type: string }> {
  const log: Array<{ url: string; method: string; body: string | null; type: string }> = [];
  page.on('request', (request: Request) => {
    log.push({ url: request.url(), method: request.method(), body: request.postData(), type: request.resourceType() });
  });
  return log;
}
