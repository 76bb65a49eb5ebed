import { RERANKABLE } from './dom';

/** Attributes whose change matters: a tile's or a view's id, a list's marks. */
const WATCHED = ['data-lr-item', 'data-lr-view', 'data-lr-rerank', 'data-lr-list'];

/**
 * One MutationObserver over the page. At the end of each batch of the page's own DOM changes (a
 * microtask, so before the browser paints them) it reports that tiles may have appeared or changed,
 * with the rerankable lists that were touched. localrank's own moves go through {@link quiet}, so
 * they are never reported back.
 */
export class PageWatcher {
  private observer: MutationObserver | null = null;

  constructor(
    private readonly doc: Document,
    private readonly onChange: (lists: Set<HTMLElement>) => void,
  ) {}

  start(): void {
    const view = this.doc.defaultView;
    if (this.observer || !view || typeof view.MutationObserver !== 'function') return;
    this.observer = new view.MutationObserver(this.handle);
    this.observer.observe(this.doc.documentElement, { childList: true, subtree: true, attributes: true, attributeFilter: WATCHED });
  }

  /** Handles what the page changed so far, then runs `moves` without reporting them. */
  quiet(moves: () => void): void {
    const pending = this.observer?.takeRecords();
    if (pending?.length) this.handle(pending);
    try {
      moves();
    } finally {
      this.observer?.takeRecords();
    }
  }

  /** Reports what the page changed since the last batch now, rather than at the end of this task. */
  flush(): void {
    this.handle(this.observer?.takeRecords() ?? []);
  }

  private readonly handle = (records: MutationRecord[]): void => {
    const lists = new Set<HTMLElement>();
    let relevant = false;
    const add = (list: Element | null): void => {
      if (list) lists.add(list as HTMLElement);
    };
    for (const record of records) {
      const target = record.target as Element;
      if (record.type === 'childList') {
        const added = Array.from(record.addedNodes).filter((node): node is Element => node.nodeType === 1);
        if (!added.length && !Array.from(record.removedNodes).some((node) => node.nodeType === 1)) continue;
        for (const el of added) {
          if (el.matches(RERANKABLE)) add(el);
          el.querySelectorAll(RERANKABLE).forEach(add);
        }
      }
      relevant = true;
      if (typeof target.closest === 'function') add(target.closest(RERANKABLE));
    }
    if (!relevant) return;
    try {
      this.onChange(lists);
    } catch (error) {
      console.debug('[localrank] watching the page failed', error);
    }
  };
}
