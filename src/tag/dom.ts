/**
 * Declarative tracking of product tiles. The page marks its HTML; nothing here changes it:
 *
 * - `data-lr-item="SKU"` on a tile (the item id), optionally `data-lr-position` (the server's 0-based
 *   position; default: order of appearance in its list), `data-lr-category="Shoes > Running"`,
 *   `data-lr-price`, `data-lr-brand`, `data-lr-title`, `data-lr-score` (the server's score).
 * - `data-lr-list="search"` on the element holding a list of tiles (the list id).
 * - `data-lr-action="add_to_cart"` (or `remove_from_cart`, `purchase`, `view`, `click`) on a button
 *   inside a tile, or on any element that carries its own `data-lr-item`.
 * - `data-lr-view="SKU"` on a product page's main element: one `view` when the page is read.
 *
 * A tile counts as an impression once per page after it stayed at least half visible for
 * `impressionMs`; a click anywhere on it (a link, the image, a middle click) is a `click`.
 */
import type { EventType, ItemFeatures, TrackEvent } from '../shared/types';

export const TILE = '[data-lr-item]';
const LIST = '[data-lr-list],[data-lr-rerank]';
const ACTIONS: ReadonlySet<string> = new Set<EventType>(['click', 'view', 'add_to_cart', 'remove_from_cart', 'purchase']);

/** What the markup says about one tile. */
export interface Tile {
  id: string;
  listId?: string;
  position?: number;
  features?: ItemFeatures;
  score?: number;
}

function value(el: Element, name: string): string | undefined {
  const raw = el.getAttribute(name);
  const trimmed = raw == null ? '' : raw.trim();
  return trimmed && trimmed.length <= 256 ? trimmed : undefined;
}

function number(el: Element, name: string): number | undefined {
  const raw = value(el, name);
  const n = raw === undefined ? NaN : Number(raw);
  return Number.isFinite(n) ? n : undefined;
}

export function readFeatures(el: Element): ItemFeatures | undefined {
  const features: ItemFeatures = {};
  const category = value(el, 'data-lr-category');
  if (category) features.category = category.split('>').map((part) => part.trim()).filter(Boolean);
  const price = number(el, 'data-lr-price');
  if (price !== undefined && price >= 0) features.price = price;
  const brand = value(el, 'data-lr-brand');
  if (brand) features.brand = brand;
  const title = value(el, 'data-lr-title');
  if (title) features.text = title;
  return Object.keys(features).length ? features : undefined;
}

function safely(what: string, fn: () => void): void {
  try {
    fn();
  } catch (error) {
    console.debug(`[localrank] ${what} failed`, error);
  }
}

/** Watches marked tiles for impressions and clicks, and finds tiles added later. */
export class TileTracker {
  /** Server positions, fixed when a tile is first seen so that reordering never changes them. */
  private readonly positions = new WeakMap<Element, number>();
  private readonly listSizes = new WeakMap<Node, number>();
  /** Tiles that have been in the viewport at least once. */
  private readonly seenTiles = new WeakSet<Element>();
  private readonly counted = new WeakSet<Element>();
  private readonly views = new WeakSet<Element>();
  private readonly timers = new Map<Element, ReturnType<typeof setTimeout>>();
  private observer: IntersectionObserver | null = null;
  private mutations: MutationObserver | null = null;
  private rescan: ReturnType<typeof setTimeout> | null = null;
  private running = false;

  constructor(
    private readonly doc: Document,
    private readonly emit: (events: TrackEvent[]) => void,
    private readonly impressionMs: number,
    /** Called after tiles or lists were added to the page. */
    private readonly onChange: () => void,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.doc.addEventListener('click', this.onClick, { capture: true, passive: true });
    this.doc.addEventListener('auxclick', this.onClick, { capture: true, passive: true });
    const view = this.doc.defaultView;
    if (view && typeof view.IntersectionObserver === 'function') {
      this.observer = new view.IntersectionObserver(this.onIntersect, { threshold: [0, 0.5] });
    }
    if (view && typeof view.MutationObserver === 'function') {
      this.mutations = new view.MutationObserver(this.onMutation);
      this.mutations.observe(this.doc.documentElement, { childList: true, subtree: true });
    }
    this.scan();
  }

  stop(): void {
    this.running = false;
    this.doc.removeEventListener('click', this.onClick, { capture: true });
    this.doc.removeEventListener('auxclick', this.onClick, { capture: true });
    this.observer?.disconnect();
    this.mutations?.disconnect();
    this.observer = this.mutations = null;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    if (this.rescan) clearTimeout(this.rescan);
  }

  /** Starts watching tiles and product views that appeared since the last scan. */
  scan(): void {
    for (const el of this.doc.querySelectorAll(TILE)) {
      if (this.positions.has(el)) continue;
      const list = el.parentElement?.closest(LIST) ?? this.doc;
      const index = this.listSizes.get(list) ?? 0;
      this.listSizes.set(list, index + 1);
      const explicit = number(el, 'data-lr-position');
      this.positions.set(el, explicit !== undefined && Number.isInteger(explicit) && explicit >= 0 ? explicit : index);
      this.observer?.observe(el);
    }
    for (const el of this.doc.querySelectorAll('[data-lr-view]')) {
      if (this.views.has(el)) continue;
      this.views.add(el);
      const itemId = value(el, 'data-lr-view');
      if (itemId) this.emit([{ type: 'view', itemId, time: Date.now(), features: readFeatures(el) }]);
    }
  }

  /** Reads a tile; null when it has no usable id. */
  tile(el: Element): Tile | null {
    const id = value(el, 'data-lr-item');
    if (!id) return null;
    const tile: Tile = { id };
    const listId = el.parentElement?.closest(LIST)?.getAttribute('data-lr-list')?.trim();
    if (listId) tile.listId = listId;
    const position = this.positions.get(el);
    if (position !== undefined) tile.position = position;
    const features = readFeatures(el);
    if (features) tile.features = features;
    const score = number(el, 'data-lr-score');
    if (score !== undefined) tile.score = score;
    return tile;
  }

  /** Whether the tile has been in the viewport since the page loaded. */
  seen(el: Element): boolean {
    return this.seenTiles.has(el);
  }

  private event(type: EventType, el: Element): TrackEvent | null {
    const tile = this.tile(el);
    if (!tile) return null;
    const event: TrackEvent = { type, itemId: tile.id, time: Date.now() };
    if (tile.listId) event.listId = tile.listId;
    if (tile.position !== undefined) event.position = tile.position;
    if (tile.features) event.features = tile.features;
    return event;
  }

  private readonly onClick = (ev: MouseEvent): void =>
    safely('click tracking', () => {
      if (ev.type === 'auxclick' && ev.button !== 1) return;
      const target = ev.target;
      if (!target || typeof (target as Element).closest !== 'function') return;
      const action = (target as Element).closest('[data-lr-action]');
      const tileEl = (action ?? (target as Element)).closest(TILE);
      if (!tileEl) return;
      const type = action ? action.getAttribute('data-lr-action') ?? '' : 'click';
      if (!ACTIONS.has(type)) return;
      const event = this.event(type as EventType, tileEl);
      if (event) this.emit([event]);
    });

  private readonly onIntersect = (entries: IntersectionObserverEntry[]): void =>
    safely('impression tracking', () => {
      for (const entry of entries) {
        const el = entry.target;
        if (entry.isIntersecting) this.seenTiles.add(el);
        if (this.counted.has(el)) continue;
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
      if (!this.running || !el.isConnected || this.doc.visibilityState === 'hidden') return;
      this.counted.add(el);
      this.observer?.unobserve(el);
      const event = this.event('impression', el);
      if (event) this.emit([event]);
    });
  }

  private readonly onMutation = (records: MutationRecord[]): void => {
    if (this.rescan || !records.some((record) => record.addedNodes.length)) return;
    this.rescan = setTimeout(() => {
      this.rescan = null;
      safely('tile scan', () => {
        this.scan();
        this.onChange();
      });
    }, 100);
  };
}
