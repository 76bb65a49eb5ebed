/**
 * The benchmark's workload, built from the demo's MovieLens catalogue: candidate lists as a shop's
 * server would send them (id, server score, category path and title), a history of clicks, and
 * the impressions + clicks a fine-tuning run learns from. Lists longer than the catalogue reuse
 * its titles and genres under new ids (items the model has never seen, scored from content).
 */
import { readFileSync } from 'node:fs';

export interface BenchCandidate {
  id: string;
  score: number;
  features: { category: string[]; text: string };
}

export interface BenchEvent {
  type: 'impression' | 'click';
  itemId: string;
  time: number;
  listId?: string;
  position?: number;
  features: { category: string[]; text: string };
}

interface Film {
  id: string;
  title: string;
  year?: number;
  genres: string[];
}

export interface Workload {
  candidates: BenchCandidate[];
  /** Clicks tracked before any rerank is timed (the user tower's input). */
  history: BenchEvent[];
  /** One click per click-to-rerank run, on items outside the history. */
  clicks: BenchEvent[];
  /** Lists shown (impressions with positions) and the item chosen from each, for `train()`. */
  training: BenchEvent[];
}

export function buildWorkload(catalogPath: string, maxCandidates: number, now: number): Workload {
  const films = (JSON.parse(readFileSync(catalogPath, 'utf8')) as { films: Film[] }).films;
  const features = (f: Film, variant = 0) => ({
    category: ['Films', ...f.genres],
    text: `${f.title}${f.year ? ` (${f.year})` : ''}${variant ? ` edition ${variant}` : ''}`,
  });
  const candidates: BenchCandidate[] = [];
  for (let i = 0; i < maxCandidates; i++) {
    const film = films[i % films.length];
    const variant = Math.floor(i / films.length);
    candidates.push({
      id: variant === 0 ? film.id : `${film.id}-v${variant}`,
      score: 1 - i / maxCandidates,
      features: features(film, variant),
    });
  }
  const event = (type: BenchEvent['type'], f: Film, time: number): BenchEvent => ({ type, itemId: f.id, time, features: features(f) });
  const genre = (g: string) => films.filter((f) => f.genres.includes(g));
  const history = genre('Horror').slice(0, 12).map((f, i) => event('click', f, now - (30 - i) * 60_000));
  const clicks = genre('Comedy').slice(0, 10).map((f) => event('click', f, now));
  const others = films.slice(200).filter((f) => !f.genres.includes('Sci-Fi'));
  const training = genre('Sci-Fi').slice(0, 12).flatMap((liked, view) => {
    const time = now - 3_600_000 + view * 120_000;
    const shown = [...others.slice(view * 9, view * 9 + 9), liked];
    return [
      ...shown.map((f, position) => ({ ...event('impression', f, time + position), listId: 'home', position })),
      { ...event('click', liked, time + 30_000), listId: 'home', position: shown.length - 1 },
    ];
  });
  return { candidates, history, clicks, training };
}
