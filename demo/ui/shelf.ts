/**
 * A shop row ("shelf"): the server's candidate list, shown in the order the device chose, with each
 * product's movement and reason. In compare mode it shows the server's order and the device's side by side.
 */
import type { RankedItem, RerankResult } from '../../src/shared/types';
import { productLabel, toCandidate, type Product, type ServerList } from '../catalog';
import { contributionsOf, contributionsSummary } from '../contributions';
import type { Marks } from '../marks';
import { formatMs } from './format';
import { placeInSlots } from './slots';
import { createTile, type ShopAction, type Tile } from './tile';

export interface ShelfOptions {
  /** Stable key for tests, e.g. `recommended`. */
  key: string;
  /** Makes element ids unique in a page that holds several shops, e.g. `trailhead`. */
  scope: string;
  title: string;
  /** How the status line counts products: "films". */
  noun: string;
  /** Controls shown in the row header (a category picker...). */
  controls?: HTMLElement;
  onAction(product: Product, action: ShopAction, listId: string, serverRank: number): void;
}

/** A product in a row as the panel explains it: where the server put it, where it is, and why. */
export interface Placement {
  product: Product;
  serverRank: number;
  rank: number;
  item: RankedItem | undefined;
}

const COMPARE_ROWS = 10;

export class Shelf {
  readonly element: HTMLElement;
  private readonly track: HTMLOListElement;
  private readonly heading: HTMLHeadingElement;
  private readonly status: HTMLElement;
  private readonly compare: HTMLElement;
  private readonly tiles = new Map<string, Tile>();
  private list: ServerList = { listId: '', products: [] };
  private order: string[] = [];
  private ranked: RerankResult | null = null;
  private marks: Marks = { viewed: new Set(), inCart: new Set(), bought: new Set() };

  constructor(private readonly options: ShelfOptions) {
    const headingId = `${options.scope}-shelf-${options.key}-title`;
    this.element = document.createElement('section');
    this.element.className = 'shelf';
    this.element.dataset.shelf = options.key;
    this.element.setAttribute('aria-labelledby', headingId);

    const header = document.createElement('div');
    header.className = 'shelf-header';
    const heading = document.createElement('h2');
    heading.id = headingId;
    heading.textContent = options.title;
    this.heading = heading;
    this.status = document.createElement('p');
    this.status.className = 'shelf-status';
    const titles = document.createElement('div');
    titles.className = 'shelf-titles';
    titles.append(heading, this.status);
    header.append(titles);
    if (options.controls) header.append(options.controls);

    this.track = document.createElement('ol');
    this.track.className = 'shelf-track';
    this.track.setAttribute('aria-labelledby', headingId);

    this.compare = document.createElement('div');
    this.compare.className = 'compare';
    this.compare.hidden = true;

    this.element.append(header, this.track, this.compare);
  }

  get listId(): string {
    return this.list.listId;
  }

  get key(): string {
    return this.options.key;
  }

  get products(): readonly Product[] {
    return this.list.products;
  }

  /** Whether the device's order is shown (it reranked this list). */
  get personalized(): boolean {
    return this.ranked?.personalized ?? false;
  }

  /** Where a product of this row is and why, or null when it is not in the row. */
  placement(id: string): Placement | null {
    const serverRank = this.list.products.findIndex((product) => product.id === id);
    if (serverRank < 0) return null;
    const rank = this.order.indexOf(id);
    return {
      product: this.list.products[serverRank],
      serverRank,
      rank: rank < 0 ? serverRank : rank,
      item: this.ranked?.items.find((item) => item.id === id),
    };
  }

  /** The ids shown, in the order shown. */
  get shownOrder(): readonly string[] {
    return this.order;
  }

  get title(): string {
    return this.heading.textContent ?? '';
  }

  setTitle(title: string): void {
    this.heading.textContent = title;
  }

  /** New candidates from the server: shown at once in the server's order until the device reranks. */
  setServerList(list: ServerList): void {
    this.list = list;
    this.ranked = null;
    this.render(list.products.map((product) => product.id));
  }

  candidates() {
    return this.list.products.map((product, rank) => toCandidate(product, rank, this.list.products.length));
  }

  /** Applies the device's order. Returns how many products moved up compared with what was shown. */
  applyRanking(result: RerankResult): number {
    const previous = new Map(this.order.map((id, index) => [id, index]));
    this.ranked = result;
    const ids = result.items.map((item) => item.id).filter((id) => this.tiles.has(id));
    this.render(ids);
    return ids.filter((id, index) => (previous.get(id) ?? index) > index).length;
  }

  setMarks(marks: Marks): void {
    this.marks = marks;
    for (const tile of this.tiles.values()) this.markTile(tile);
  }

  setCompare(on: boolean): void {
    this.compare.hidden = !on;
    this.track.hidden = on;
    if (on) this.renderCompare();
  }

  private render(ids: string[]): void {
    const byId = new Map(this.list.products.map((product, rank) => [product.id, { product, rank }]));
    const reasons = new Map(this.ranked?.items.map((item) => [item.id, item.reason]) ?? []);
    const elements: HTMLLIElement[] = [];
    const next = new Map<string, Tile>();
    for (const [index, id] of ids.entries()) {
      const entry = byId.get(id);
      if (!entry) continue;
      const tile = this.tiles.get(id) ?? this.createTile(entry.product);
      const reason = reasons.get(id);
      const contributions = contributionsOf(reason);
      tile.setPlacement(entry.rank - index, reason && { text: reason.text, detail: contributions ? contributionsSummary(contributions) : undefined });
      this.markTile(tile);
      next.set(id, tile);
      elements.push(tile.element);
    }
    this.tiles.clear();
    for (const [id, tile] of next) this.tiles.set(id, tile);
    this.order = ids;
    placeInSlots(this.track, elements);

    const personalized = this.personalized;
    const noun = this.options.noun;
    this.element.dataset.personalized = String(personalized);
    this.status.textContent = personalized
      ? `${ids.length} ${noun} from the server, reordered on this device in ${formatMs(this.ranked?.computeMs ?? 0)}`
      : this.ranked?.fallback
        ? `Server's order (${this.ranked.fallback.message})`
        : `${ids.length} ${noun} in the server's order`;
    if (!this.compare.hidden) this.renderCompare();
  }

  private createTile(product: Product): Tile {
    const tile = createTile(product, `${this.options.scope}-${this.options.key}`, (action) => {
      const rank = this.list.products.indexOf(product);
      this.options.onAction(product, action, this.list.listId, rank);
    });
    this.tiles.set(product.id, tile);
    return tile;
  }

  private markTile(tile: Tile): void {
    const id = tile.product.id;
    tile.setMarks({ viewed: this.marks.viewed.has(id), inCart: this.marks.inCart.has(id), bought: this.marks.bought.has(id) });
  }

  private renderCompare(): void {
    const server = this.list.products.slice(0, COMPARE_ROWS);
    const serverRank = new Map(this.list.products.map((product, rank) => [product.id, rank]));
    const byId = new Map(this.list.products.map((product) => [product.id, product]));
    const device = this.order.slice(0, COMPARE_ROWS).flatMap((id) => byId.get(id) ?? []);

    const column = (title: string, products: Product[], showMove: boolean) => {
      const wrapper = document.createElement('div');
      wrapper.className = 'compare-column';
      const heading = document.createElement('h3');
      heading.textContent = title;
      const list = document.createElement('ol');
      for (const [index, product] of products.entries()) {
        const item = document.createElement('li');
        const label = document.createElement('span');
        label.className = 'compare-title';
        label.textContent = productLabel(product);
        label.title = [productLabel(product), ...product.categories].join(' · ');
        item.append(label);
        const delta = (serverRank.get(product.id) ?? index) - index;
        if (showMove && delta !== 0) {
          const move = document.createElement('span');
          move.className = 'move';
          move.dataset.direction = delta > 0 ? 'up' : 'down';
          move.title = `${delta > 0 ? 'Up' : 'Down'} ${Math.abs(delta)} from the server's order`;
          const arrow = document.createElement('span');
          arrow.setAttribute('aria-hidden', 'true');
          arrow.textContent = delta > 0 ? `▲ ${delta}` : `▼ ${-delta}`;
          const said = document.createElement('span');
          said.className = 'visually-hidden';
          said.textContent = ` (${move.title})`;
          move.append(arrow, said);
          item.append(move);
        }
        list.append(item);
      }
      wrapper.append(heading, list);
      return wrapper;
    };
    this.compare.replaceChildren(
      column('Server order', server, false),
      column(this.ranked?.personalized ? 'On your device' : 'On your device (not personalized yet)', device, true),
    );
  }
}
