/**
 * Moving a list's tiles into a new order without the visitor seeing anything jump.
 *
 * A tile keeps its place when it is in the viewport, above or left of it, has been in view since
 * the page loaded, or holds the focus; only the other places (below the fold, not yet seen) take
 * the new order ({@link pinsOf}). With `data-lr-rerank="animate"` visible tiles may move too and
 * glide to their new place (FLIP), unless the visitor prefers reduced motion: then they stay.
 * Children that are not tiles (banners, ads) never move.
 *
 * Moves are made in slot order, each tile moved at most once (plus one move per fixed child a move
 * crosses), so an order close to the old one costs a few moves ({@link rearrange}). They are applied
 * in chunks of about {@link CHUNK_MS} ms (and at most about {@link MAX_CHUNKS} of them), laid out
 * within the chunk, one chunk per frame, so that a long list never makes a long task; if the
 * visitor scrolls meanwhile the rest is planned again around what they now see, and if the page
 * changes the list the moves stop ({@link applyOrder}).
 */
import type { Arm } from '../shared/types';
import { TILE } from './dom';

export const RERANKED_EVENT = 'localrank:reranked';

/** The `detail` of `localrank:reranked`, dispatched on the list after each attempt. */
export interface RerankedDetail {
  /** The container's `data-lr-list`, if any. */
  listId?: string;
  /** Item ids in the order the server rendered them. */
  serverOrder: string[];
  /** Item ids in the order now in the DOM, without the tiles a rule hides. */
  order: string[];
  /** Item ids a rule excluded (their tiles are hidden); absent when none. */
  excluded?: string[];
  /** Item ids the pretrained scorer scored (it reads their words and facets); absent when none. */
  modelScored?: string[];
  /** Tiles that changed place. */
  moved: number;
  /** Tiles held in place because the visitor had seen them or was using them. */
  pinned: number;
  /** False when the engine returned the server's order (then only the rules moved tiles). */
  personalized: boolean;
  /** This visitor's A/B arm. */
  arm: Arm;
  /** The order the visitor saw before was put back (coming back to the page), without the engine. */
  restored?: boolean;
  fallback?: { code: string; message: string };
}

/** Main-thread time one chunk of moves aims at, layout included. */
export const CHUNK_MS = 10;
/**
 * A long list is done in about this many chunks at most, whatever the clock says: on a busy device
 * a chunk's wall-clock time includes waiting for the CPU, and chunks cut by it alone would get ever
 * smaller and more numerous, each paying for a layout of the whole list.
 */
const MAX_CHUNKS = 12;

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

export function tileOf(unit: Element): Element {
  return unit.matches(TILE) ? unit : unit.querySelector(TILE)!;
}

type Parent = ParentNode & Node & { moveBefore?: (node: Node, child: Node | null) => void };

/** Puts `node` before `before`, keeping its state (focus, iframes, videos) where the browser can. */
function move(parent: Parent, node: Element, before: Node | null): void {
  try {
    if (typeof parent.moveBefore === 'function') return parent.moveBefore(node, before);
  } catch {
    // moveBefore refuses some nodes (another document, no connected parent): insert instead
  }
  parent.insertBefore(node, before);
}

/**
 * Moves the free `units` (children of `container`, in DOM order) so that the i-th free place holds
 * the i-th of `target` (a permutation of them); every other child stays. One step per place, top
 * first: after each step the places so far are final and the rest keep their relative order, so the
 * list is whole between steps. Children that stay split the free places into segments whose sizes
 * never change: a tile moved up across one pushes the last tile before it across, one move each.
 */
export function* rearrange(container: Element, free: ReadonlySet<Element>, target: readonly Element[]): Generator<void> {
  const runs: Array<[Element, Element]> = [];
  const segment = new Map<Element, number>();
  let open = false;
  for (const child of Array.from(container.children)) {
    if (free.has(child)) {
      segment.set(child, runs.length);
      open = false;
    } else if (open) runs[runs.length - 1]![1] = child;
    else {
      runs.push([child, child]);
      open = true;
    }
  }
  const nextFree = (el: Element | null): Element | null => {
    while (el && !free.has(el)) el = el.nextElementSibling;
    return el;
  };
  let cursor = nextFree(container.firstElementChild);
  for (const unit of target) {
    if (!cursor) return;
    if (cursor !== unit) {
      const from = segment.get(unit)!;
      const to = segment.get(cursor)!;
      move(container, unit, cursor);
      segment.set(unit, to);
      for (let s = to; s < from; s++) {
        const [first, last] = runs[s]!;
        const pushed = first.previousElementSibling!;
        move(container, pushed, last.nextSibling);
        segment.set(pushed, s + 1);
      }
    }
    cursor = nextFree(unit.nextElementSibling);
    yield;
  }
}

interface Box {
  top: number;
  left: number;
  bottom: number;
  right: number;
}

function inView(r: Box, view: Window): boolean {
  return r.bottom > 0 && r.top < view.innerHeight && r.right > 0 && r.left < view.innerWidth;
}

export function reducedMotion(view: Window | null): boolean {
  return view?.matchMedia?.('(prefers-reduced-motion: reduce)').matches === true;
}

export interface PinRules {
  /** Tiles in view may move (animate, motion allowed): only the focus holds a tile. */
  free: boolean;
  /** Whether the tile element has been in the viewport. */
  seen(tile: Element): boolean;
  /** Units never painted yet: nothing but the focus holds them. */
  unpainted?(unit: Element): boolean;
}

/** Which units must keep their place. */
export function pinsOf(units: readonly Element[], rules: PinRules): boolean[] {
  const doc = units[0]?.ownerDocument;
  const view = doc?.defaultView;
  const active = doc?.activeElement;
  return units.map((unit) => {
    if (active && active !== doc!.body && unit.contains(active)) return true;
    if (rules.free || rules.unpainted?.(unit) || !view) return false;
    const r = unit.getBoundingClientRect();
    return inView(r, view) || r.bottom <= 0 || r.right <= 0 || rules.seen(tileOf(unit));
  });
}

export interface Plan {
  /** The movable units in DOM order, and the unit each of their places should hold. */
  units: Element[];
  next: Element[];
  pinned: boolean[];
}

export interface ApplyOptions {
  /** The plan for the list as it is now (called again after the visitor scrolled). */
  plan(): Plan;
  /** All at once, before the next paint (a list being restored), instead of one chunk per frame. */
  now?: boolean;
  /** FLIP the units in view to their new place. */
  glide?: boolean;
  /** True once the page changed the list: the moves stop. */
  stale(): boolean;
  /** Runs the moves so that the page's own change detection does not see them. */
  quiet(moves: () => void): void;
}

/** Scroll positions and viewport size: when they change, what the visitor sees has changed. */
function viewport(container: Element): string {
  const view = container.ownerDocument.defaultView;
  return [view?.scrollX, view?.scrollY, view?.innerWidth, view?.innerHeight, container.scrollLeft, container.scrollTop].join();
}

function nextFrame(doc: Document): Promise<void> {
  return new Promise((resolve) => {
    const later = (): void => void setTimeout(resolve, 0);
    // After the frame that shows the previous chunk; no frames come while the page is hidden.
    if (doc.hidden || typeof requestAnimationFrame !== 'function') later();
    else requestAnimationFrame(later);
  });
}

/**
 * Applies `plan()` to `container`. Resolves with the last plan's pins when every move was made, or
 * null when the page changed the list first.
 */
export async function applyOrder(container: HTMLElement, options: ApplyOptions): Promise<boolean[] | null> {
  const doc = container.ownerDocument;
  // Apart from the task that read the list and heard from the engine, with the layout up to date.
  if (!options.now) {
    await nextFrame(doc);
    if (options.stale() || !container.isConnected) return null;
  }
  let plan = options.plan();
  let steps = rearrange(container, new Set(plan.units.filter((_, i) => !plan.pinned[i])), plan.next.filter((_, i) => !plan.pinned[i]));
  const floor = Math.min(200, Math.max(16, Math.ceil(plan.units.length / MAX_CHUNKS)));
  let size = options.now ? Infinity : floor;
  let where = viewport(container);
  for (;;) {
    const start = performance.now();
    const before = options.glide ? plan.units.map((unit) => unit.getBoundingClientRect()) : [];
    let done = false;
    options.quiet(() => {
      for (let i = 0; i < size && !done; i++) done = steps.next().done === true;
    });
    // Lay out now, inside this chunk, so that its cost is measured and the frame after stays short.
    container.getBoundingClientRect();
    const spent = performance.now() - start;
    if (options.glide) glide(plan.units, before);
    measure(start);
    if (done) return plan.pinned;
    size = Math.max(floor, Math.min(1000, Math.floor((size * CHUNK_MS) / Math.max(spent, 0.5))));
    await nextFrame(doc);
    if (options.stale() || !container.isConnected) return null;
    if (viewport(container) !== where) {
      where = viewport(container);
      plan = options.plan();
      steps = rearrange(container, new Set(plan.units.filter((_, i) => !plan.pinned[i])), plan.next.filter((_, i) => !plan.pinned[i]));
    }
  }
}

/** A `localrank:reorder` entry in the page's performance timeline (DevTools, PerformanceObserver). */
export function measure(start: number): void {
  try {
    performance.measure('localrank:reorder', { start });
  } catch {
    // User Timing Level 3 missing: nothing to show
  }
}

/** FLIP: each unit in view that moved starts where it was and glides to its new place. */
function glide(units: readonly Element[], before: readonly DOMRect[]): void {
  const view = units[0]?.ownerDocument.defaultView;
  if (!view || reducedMotion(view)) return;
  units.forEach((unit, i) => {
    if (typeof unit.animate !== 'function') return;
    const first = before[i]!;
    const last = unit.getBoundingClientRect();
    const dx = first.left - last.left;
    const dy = first.top - last.top;
    if ((!dx && !dy) || (!inView(first, view) && !inView(last, view))) return;
    unit.animate([{ transform: `translate(${dx}px, ${dy}px)` }, { transform: 'none' }], { duration: 300, easing: 'ease-out' });
  });
}
