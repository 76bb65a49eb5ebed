/**
 * A shop's rows as its server sends them: "Search results", "Recommended for you", "Browse by …" with
 * its picker, and "Popular now"; and which product of them the panel explains.
 */
import type { Product, ShopServer } from './catalog';
import { contributionsOf } from './contributions';
import type { Marks } from './marks';
import type { ShopConfig } from './shops';
import { Shelf } from './ui/shelf';
import type { ShopAction } from './ui/tile';
import type { FocusView } from './ui/why-card';

/** What the shop keeps in the URL while it is on screen, so a reload or a link shows the same view. */
export interface ShopView {
  category: string;
  query: string;
}

export interface RowsHooks {
  onAction(product: Product, action: ShopAction, listId: string, position: number): void;
  /** A row has new candidates from the server (a category, a search): they need ranking. */
  onNewList(): void;
  /** The visitor picked another category. */
  onCategory(category: string): void;
}

export class ShopRows {
  readonly shelves: readonly Shelf[];
  private readonly search: Shelf;
  private readonly recommended: Shelf;
  private readonly category: Shelf;
  private marks: Marks = { viewed: new Set(), inCart: new Set(), bought: new Set() };
  /** The product pointed at or focused last, if any. */
  private focused: { shelf: Shelf; id: string } | null = null;

  constructor(
    private readonly config: ShopConfig,
    private readonly server: ShopServer,
    private readonly view: ShopView,
    private readonly hooks: RowsHooks,
  ) {
    const shelf = (key: string, title: string, controls?: HTMLElement) =>
      new Shelf({ key, scope: config.key, title, noun: config.noun.many, controls, onAction: hooks.onAction });
    const categories = server.catalog.categories;
    if (!categories.includes(view.category)) view.category = config.defaultCategory;
    this.search = shelf('search', 'Search results');
    this.recommended = shelf('recommended', 'Recommended for you');
    this.category = shelf(config.categoryParam, `Browse by ${config.categoryNoun.toLowerCase()}`, this.picker(categories));
    const popular = shelf('popular', 'Popular now');
    this.shelves = [this.search, this.recommended, this.category, popular];

    this.search.element.hidden = true;
    this.recommended.setServerList(server.recommended());
    this.category.setServerList(server.category(view.category, config.categoryParam));
    popular.setServerList(server.popularNow());
    if (view.query) this.runSearch(view.query);
  }

  /** The rows with candidates on screen: the ones to rank. */
  visible(): Shelf[] {
    return this.shelves.filter((shelf) => !shelf.element.hidden && shelf.products.length > 0);
  }

  setMarks(marks: Marks): void {
    this.marks = marks;
    for (const shelf of this.shelves) shelf.setMarks(marks);
  }

  setCompare(on: boolean): void {
    for (const shelf of this.shelves) shelf.setCompare(on);
  }

  /** The search row: the server's results for `query`; an empty query hides it. */
  runSearch(query: string): void {
    this.view.query = query;
    this.search.element.hidden = query === '';
    if (!query) return;
    const list = this.server.search(query);
    this.search.setServerList(list);
    this.search.setMarks(this.marks);
    this.search.setTitle(list.products.length ? `Results for “${query}”` : `No ${this.config.noun.one} matches “${query}”`);
    this.hooks.onNewList();
  }

  /** The panel follows the tile under `target` (pointed at or focused); true when that changed. */
  follow(target: EventTarget | null): boolean {
    const tile = target instanceof Element ? target.closest<HTMLElement>('.tile') : null;
    const row = tile?.closest<HTMLElement>('.shelf');
    const shelf = this.shelves.find((candidate) => candidate.element === row);
    if (!tile?.dataset.id || !shelf) return false;
    if (this.focused?.shelf === shelf && this.focused.id === tile.dataset.id) return false;
    this.focused = { shelf, id: tile.dataset.id };
    return true;
  }

  /** What the panel shows of the product in focus, else of the first one "Recommended for you" moved up. */
  focusView(): FocusView | null {
    let target = this.focused && !this.focused.shelf.element.hidden ? this.focused : null;
    if (!target?.shelf.placement(target.id)) target = this.firstMovedUp();
    const placement = target?.shelf.placement(target.id);
    if (!target || !placement) return null;
    return {
      id: placement.product.id,
      name: placement.product.title,
      row: target.shelf.title,
      delta: placement.serverRank - placement.rank,
      reason: placement.item?.reason?.text ?? null,
      contributions: contributionsOf(placement.item?.reason),
    };
  }

  private firstMovedUp(): { shelf: Shelf; id: string } | null {
    const shelf = this.recommended;
    if (!shelf.personalized) return null;
    const id = shelf.shownOrder.find((candidate) => {
      const placement = shelf.placement(candidate);
      return placement !== null && placement.serverRank > placement.rank && placement.item?.reason !== undefined;
    });
    return id ? { shelf, id } : null;
  }

  private picker(categories: readonly string[]): HTMLElement {
    const { config } = this;
    const wrapper = document.createElement('div');
    wrapper.className = 'picker';
    const label = document.createElement('label');
    label.htmlFor = `${config.key}-category-select`;
    label.textContent = config.categoryNoun;
    const select = document.createElement('select');
    select.id = label.htmlFor;
    for (const name of categories) select.add(new Option(name, name, false, name === this.view.category));
    select.addEventListener('change', () => {
      this.view.category = select.value;
      this.hooks.onCategory(select.value);
      this.category.setServerList(this.server.category(select.value, config.categoryParam));
      this.category.setMarks(this.marks);
      this.hooks.onNewList();
    });
    wrapper.append(label, select);
    return wrapper;
  }
}
