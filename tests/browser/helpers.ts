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

/** A user with a clear taste (60 films shown, 12 comedies clicked): training runs and keeps its update. */
export function tasteEvents(now = Date.now()) {
  const shown = FILMS.slice(0, 60);
  const liked = FILMS.filter((f) => f.genres.includes('Comedy')).slice(0, 12);
  return [
    ...shown.map((f, i) => ({ type: 'impression', itemId: f.id, time: now - 3_600_000 + i, features: { category: f.genres, text: f.title } })),
    ...liked.map((f, i) => ({ type: 'click', itemId: f.id, time: now - 1_800_000 + i * 60_000, features: { category: f.genres, text: f.title } })),
  ];
}

/** Records every request the page and its workers make, with method and body. */
export function recordRequests(page: Page): Array<{ url: string; method: string; body: string | null; type: string }> {
  const log: Array<{ url: string; method: string; body: string | null; type: string }> = [];
  page.on('request', (request: Request) => {
    log.push({ url: request.url(), method: request.method(), body: request.postData(), type: request.resourceType() });
  });
  return log;
}
