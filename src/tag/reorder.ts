/**
 * Reordering of rerankable lists (`data-lr-rerank` on the element whose children are the tiles).
 *
 * The user must never see content jump: by default a tile keeps its place when it is in the
 * viewport, above it, has been in it since the page loaded, or holds the focus; only the other
 * places (below the fold, not yet seen) are filled in the personalised order. With
 * `data-lr-rerank="animate"` visible tiles may move too and glide to their new place (FLIP), unless
 * the user prefers reduced motion. Children that are not tiles (banners, ads) never move.
 *
 * After each attempt the container dispatches `localrank:reranked` (bubbling) with a
 * {@link RerankedDetail}.
 */
import type { Candidate, RerankOptions, RerankResult } from '../shared/types';
import { TILE, type Tile } from './dom';

export const RERANKED_EVENT = 'localrank:reranked';

export interface RerankedDetail {
  /** The container's `data-lr-list`, if any. */
  listId?: string;
  /** Item ids in the order the server rendered them. */
  serverOrder: string[];
  /** Item ids in the order now in the DOM. */
  order: string[];
  /** Tiles that changed place. */
  moved: number;
  /** Tiles held in place because the user had seen them or was using them. */
  pinned: number;
  /** False when the engine returned the server's order (then nothing moved). */
  personalized: boolean;
  fallback?: RerankResult['fallback'];
}

/**
 * The new order: pinned places keep their item, the free places take the remaining items in the
 * ranked order. `ranked` must be a permutation of `current`.
 */
export function planOrder<T>(current: readonly T[], ranked: readonly T[], pinned: readonly boolean[]): T[] {
  const fixed = new Set(current.filter((_, i) => pinned[i]));
  const free = ranked.filter((item) => !fixed.has(item));
  let next = 0;
  return current.map((item, i) => (pinned[i] ? item : free[next++]!));
}

/** The container's children that are, or wrap, a tile. */
export function unitsOf(container: Element): Element[] {
  return Array.from(container.children).filter((child) => child.matches(TILE) || child.querySelector(TILE));
}

function tileOf(unit: Element): Element {
  return unit.matches(TILE) ? unit : unit.querySelector(TILE)!;
}

interface Box {
  top: number;
  left: number;
  bottom: number;
  right: number;
}

export interface ReorderDeps {
  tile(el: Element): Tile | null;
  /** Whether the tile element has been in the viewport. */
  seen(el: Element): boolean;
  rerank(candidates: Candidate[], options?: RerankOptions): Promise<RerankResult>;
  options?: RerankOptions;
}

/**
 * Asks for a personalised order of the container's tiles and applies it. Resolves with what was
 * done, or null when the list was not eligible (fewer than two tiles, missing or duplicate ids) or
 * the page changed the list while the engine was thinking, in which case the DOM is left alone.
 */
export async function rerankContainer(container: HTMLElement, deps: ReorderDeps): Promise<RerankedDetail | null> {
  const units = unitsOf(container);
  if (units.length < 2) return null;
  const ids: string[] = [];
  const candidates: Candidate[] = [];
  for (const unit of units) {
    const tile = deps.tile(tileOf(unit));
    if (!tile) return null;
    ids.push(tile.id);
    candidates.push({ id: tile.id, features: tile.features, score: tile.score });
  }
  if (new Set(ids).size !== ids.length) return null;

  const result = await deps.rerank(candidates, deps.options);
  const ranked = result.items.map((item) => item.id);
  const current = unitsOf(container);
  if (current.length !== units.length || current.some((unit, i) => unit !== units[i])) return null;

  const listId = container.getAttribute('data-lr-list')?.trim() || undefined;
  const detail: RerankedDetail = {
    listId,
    serverOrder: ids,
    order: ids,
    moved: 0,
    pinned: 0,
    personalized: result.personalized,
    fallback: result.fallback,
  };
  const known = new Set(ids);
  const permutation = ranked.length === ids.length && new Set(ranked).size === ids.length && ranked.every((id) => known.has(id));
  if (result.personalized && permutation) {
    Object.assign(detail, apply(container, units, ids, ranked, deps));
  }
  container.dispatchEvent(new CustomEvent(RERANKED_EVENT, { bubbles: true, detail }));
  return detail;
}

function apply(
  container: HTMLElement,
  units: Element[],
  ids: string[],
  ranked: string[],
  deps: ReorderDeps,
): Pick<RerankedDetail, 'order' | 'moved' | 'pinned'> {
  const doc = container.ownerDocument;
  const view = doc.defaultView;
  const width = view?.innerWidth ?? 0;
  const height = view?.innerHeight ?? 0;
  const animate = container.getAttribute('data-lr-rerank') === 'animate';
  const inView = (r: Box): boolean => r.bottom > 0 && r.top < height && r.right > 0 && r.left < width;
  const passed = (r: Box): boolean => r.bottom <= 0 || r.right <= 0;
  const active = doc.activeElement;

  const before = units.map((unit) => unit.getBoundingClientRect());
  const pinned = units.map((unit, i) => {
    if (active && active !== doc.body && unit.contains(active)) return true;
    if (animate) return false;
    return inView(before[i]!) || passed(before[i]!) || deps.seen(tileOf(unit));
  });
  const order = planOrder(ids, ranked, pinned);
  const byId = new Map(ids.map((id, i) => [id, units[i]!]));
  const next = order.map((id) => byId.get(id)!);
  const changed = next.map((unit, i) => unit !== units[i]);
  const moved = changed.filter(Boolean).length;
  if (moved) {
    // A marker in each place that changes keeps the slots of non-tile children and of tiles that stay.
    const markers = units.map((unit, i) => {
      if (!changed[i]) return null;
      const marker = doc.createComment('');
      unit.before(marker);
      return marker;
    });
    markers.forEach((marker, i) => {
      if (marker) place(marker, next[i]!);
    });
    container.setAttribute('data-lr-reranked', '');
    if (animate) glide(next, units, before, inView);
  }
  return { order, moved, pinned: pinned.filter(Boolean).length };
}

/** Puts `unit` where `marker` is, keeping its state (focus, iframes, videos) where the browser can. */
function place(marker: Comment, unit: Element): void {
  const parent = marker.parentNode as (ParentNode & Node & { moveBefore?: (node: Node, child: Node) => void }) | null;
  if (!parent) return;
  try {
    if (typeof parent.moveBefore === 'function') parent.moveBefore(unit, marker);
    else parent.insertBefore(unit, marker);
  } catch {
    parent.insertBefore(unit, marker);
  }
  marker.remove();
}

/** FLIP: each visible tile that moved starts where it was and glides to its new place. */
function glide(next: Element[], units: Element[], before: DOMRect[], inView: (r: Box) => boolean): void {
  const view = next[0]?.ownerDocument.defaultView;
  if (view?.matchMedia?.('(prefers-reduced-motion: reduce)').matches) return;
  next.forEach((unit) => {
    if (typeof unit.animate !== 'function') return;
    const first = before[units.indexOf(unit)]!;
    const last = unit.getBoundingClientRect();
    const dx = first.left - last.left;
    const dy = first.top - last.top;
    if ((!dx && !dy) || (!inView(first) && !inView(last))) return;
    unit.animate([{ transform: `translate(${dx}px, ${dy}px)` }, { transform: 'none' }], {
      duration: 300,
      easing: 'ease-out',
    });
  });
}
