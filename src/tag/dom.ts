/**
 * Declarative tracking of product tiles. The page marks its HTML (attributes in markup.ts); nothing
 * here changes it:
 *
 * - `data-lr-item="SKU"` on a tile, optionally `data-lr-position` (the server's 0-based position;
 *   default: its place in its list when first seen) and the item facts of markup.ts.
 * - `data-lr-list="search"` on the element holding a list of tiles (the list id).
 * - `data-lr-action="add_to_cart"` (or `remove_from_cart`, `purchase`, `view`, `click`) on a button
 *   inside a tile, inside a product view, or carrying its own `data-lr-item`.
 * - `data-lr-view="SKU"` on a product page's element: a `view` when it appears and whenever its value changes.
 *
 * A tile counts as an impression once per page after it stayed at least half visible for
 * `impressionMs`; a click anywhere on it (a link, the image, a middle click) is a `click`.
 */
import type { EventType, TrackEvent } from '../shared/types';
import { readFeatures, readId, readNumber, readText, type Problems } from './markup';
import type { Diagnostics } from './warnings';

/** A tile: an element with an item id that is not itself an action button. */
export const TILE = '[data-lr-item]:not([data-lr-action])';
export const LIST = '[data-lr-list],[data-lr-rerank]';
/** A list localrank may reorder: the element whose children are the tiles. */
export const RERANKABLE = '[data-lr-rerank]';
const VIEW = '[data-lr-view]';
const ACTIONS: ReadonlySet<string> = new Set<EventType>(['click', 'view', 'add_to_cart', 'remove_from_cart', 'purchase']);

/** What the markup says about one tile. */
export interface Tile {
  id: string;
  listId?: string;
  position?: number;
  features?: TrackEvent['features'];
  score?: number;
  /** `data-lr-pin`: the position a rule fixes the tile at. */
  pin?: number;
}

interface Known {
  /** The id the tile had when first seen; a new id (a framework patching the element) starts over. */
  id: string | null;
  /** The server's position, fixed when first seen so that reordering never changes it. */
  position: number;
  counted: boolean;
}

function safely(what: string, fn: () => void): void {
  try {
    fn();
  } catch (error) {
    console.debug(`[localrank] ${what} failed`, error);
  }
}

function listOf(el: Element): Element | null {
  return el.parentElement?.closest(LIST) ?? null;
}

/** Watches marked tiles for impressions and clicks, and product views. */
export class TileTracker {
  private readonly known = new WeakMap<Element, Known>();
  /** Tiles that have been in the viewport at least once. */
  private readonly seenTiles = new WeakSet<Element>();
  private readonly views = new WeakMap<Element, string>();
  private readonly timers = new Map<Element, ReturnType<typeof setTimeout>>();
  private observer: IntersectionObserver | null = null;
  private tracking = false;

  constructor(
    private readonly doc: Document,
    private readonly emit: (events: TrackEvent[]) => void,
    private readonly impressionMs: number,
    private readonly diagnostics: Diagnostics,
  ) {}

  /** Starts recording impressions, clicks, actions and views. */
  start(): void {
    if (this.tracking) return;
    this.tracking = true;
    this.doc.addEventListener('click', this.onClick, { capture: true, passive: true });
    this.doc.addEventListener('auxclick', this.onClick, { capture: true, passive: true });
    const view = this.doc.defaultView;
    if (view && typeof view.IntersectionObserver === 'function') {
      this.observer = new view.IntersectionObserver(this.onIntersect, { threshold: [0, 0.5] });
    }
    this.scan(true);
  }

  stop(): void {
    this.tracking = false;
    this.doc.removeEventListener('click', this.onClick, { capture: true });
    this.doc.removeEventListener('auxclick', this.onClick, { capture: true });
    this.observer?.disconnect();
    this.observer = null;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  /**
   * Takes note of tiles and product views that appeared or changed id since the last scan (or of
   * all of them, `all`): their server positions, their impressions, their problems.
   */
  scan(all = false): void {
    const indexes = new Map<Node, Map<Element, number>>();
    for (const el of this.doc.querySelectorAll(TILE)) {
      const id = el.getAttribute('data-lr-item');
      const known = this.known.get(el);
      if (known && known.id === id && !all) continue;
      let position = known?.position;
      if (position === undefined) {
        const list = listOf(el) ?? this.doc;
        let index = indexes.get(list);
        if (!index) indexes.set(list, (index = new Map(Array.from(list.querySelectorAll(TILE), (tile, i) => [tile, i]))));
        position = index.get(el) ?? 0;
      }
      if (!known || known.id !== id) this.known.set(el, { id, position, counted: false });
      this.tile(el);
      if (this.observer) {
        // A fresh observation reports the tile's visibility even when it did not change.
        this.observer.unobserve(el);
        this.observer.observe(el);
      }
    }
    if (!this.tracking) return;
    for (const el of this.doc.querySelectorAll(VIEW)) {
      const value = el.getAttribute('data-lr-view') ?? '';
      if (this.views.get(el) === value) continue;
      this.views.set(el, value);
      const event = this.itemEvent('view', el, 'data-lr-view');
      if (event) this.emit([event]);
    }
  }

  /** A new page of a single-page app: every tile on it may count an impression again. */
  newPage(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    for (const el of this.doc.querySelectorAll(TILE)) {
      const known = this.known.get(el);
      if (known) known.counted = false;
    }
    this.scan(true);
  }

  /** Reads a tile, telling the shop about its problems; null when it has no usable id. */
  tile(el: Element): Tile | null {
    const problems: Problems = [];
    const id = readId(el, 'data-lr-item', problems);
    const list = listOf(el);
    const listId = list ? readText(list, 'data-lr-list', problems) : undefined;
    const features = readFeatures(el, problems);
    const score = readNumber(el, 'data-lr-score', problems);
    const explicit = readNumber(el, 'data-lr-position', problems);
    if (explicit !== undefined && !(Number.isInteger(explicit) && explicit >= 0)) {
      problems.push({ code: 'BAD_NUMBER', attribute: 'data-lr-position' });
    }
    const pin = readNumber(el, 'data-lr-pin', problems);
    const pinOk = pin !== undefined && Number.isInteger(pin) && pin >= 0;
    if (pin !== undefined && !pinOk) problems.push({ code: 'BAD_NUMBER', attribute: 'data-lr-pin' });
    this.diagnostics.report(el, problems, { itemId: id, listId });
    if (!id) return null;
    const tile: Tile = { id };
    if (listId) tile.listId = listId;
    const known = this.known.get(el);
    const position = problems.some((p) => p.attribute === 'data-lr-position') ? undefined : (explicit ?? known?.position);
    if (position !== undefined) tile.position = position;
    if (features) tile.features = features;
    if (score !== undefined) tile.score = score;
    if (pinOk) tile.pin = pin;
    return tile;
  }

  /** Whether the tile has been in the viewport since the page loaded. */
  seen(el: Element): boolean {
    return this.seenTiles.has(el);
  }

  private event(type: EventType, el: Element): TrackEvent | null {
    const tile = this.tile(el);
    if (!tile) return null;
    const { id, score: _score, pin: _pin, ...rest } = tile;
    return { type, itemId: id, time: Date.now(), ...rest };
  }

  /** An event about the item a product view (`data-lr-view`) or an action button names itself. */
  private itemEvent(type: EventType, el: Element, attribute: string): TrackEvent | null {
    const problems: Problems = [];
    const itemId = readId(el, attribute, problems);
    const features = readFeatures(el, problems);
    this.diagnostics.report(el, problems, { itemId });
    return itemId ? { type, itemId, time: Date.now(), ...(features ? { features } : {}) } : null;
  }

  private readonly onClick = (ev: MouseEvent): void =>
    safely('click tracking', () => {
      if (ev.type === 'auxclick' && ev.button !== 1) return;
      const target = ev.target;
      if (!target || typeof (target as Element).closest !== 'function') return;
      const action = (target as Element).closest('[data-lr-action]');
      const type = action ? (action.getAttribute('data-lr-action') ?? '').trim() : 'click';
      if (!ACTIONS.has(type)) return;
      let event: TrackEvent | null = null;
      const tileEl = action?.hasAttribute('data-lr-item') ? null : (action ?? (target as Element)).closest(TILE);
      if (tileEl) event = this.event(type as EventType, tileEl);
      else if (action?.hasAttribute('data-lr-item')) event = this.itemEvent(type as EventType, action, 'data-lr-item');
      else if (action) {
        const view = action.closest(VIEW);
        if (view) event = this.itemEvent(type as EventType, view, 'data-lr-view');
      }
      if (event) this.emit([event]);
    });

  private readonly onIntersect = (entries: IntersectionObserverEntry[]): void =>
    safely('impression tracking', () => {
      for (const entry of entries) {
        const el = entry.target;
        if (entry.isIntersecting) this.seenTiles.add(el);
        if (this.known.get(el)?.counted !== false) continue;
        const visible = entry.isIntersecting && entry.intersectionRatio >= 0.5;
        const timer = this.timers.get(el);
        if (visible && timer === undefined) {
          this.timers.set(el, setTimeout(() => this.countImpression(el), this.impressionMs));
        } else if (!visible && timer !== undefined) {
          clearTimeout(timer);
          this.timers.delete(el);
        }
      }
    });

  private countImpression(el: Element): void {
    safely('impression tracking', () => {
      this.timers.delete(el);
      const known = this.known.get(el);
      if (!this.tracking || !known || known.counted || !el.isConnected || this.doc.visibilityState === 'hidden') return;
      known.counted = true;
      const event = this.event('impression', el);
      if (event) this.emit([event]);
    });
  }
}
