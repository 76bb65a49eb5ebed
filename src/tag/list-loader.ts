/**
 * The marked lists, handled by the tag's list part (list-part.ts) once it has loaded. The part is
 * requested the first time the page has a marked list; until it is there, the lists that changed
 * are remembered and handled when it arrives. A page without a marked list never downloads it.
 */
import { RERANKABLE } from './dom';
import type { Lists } from './lists';

/** True while the page has not painted anything yet. */
export function unpaintedPage(): boolean {
  return !performance.getEntriesByType?.('paint').length;
}

/** Where the list part is: not asked for (no marked list yet), on its way, here, or unavailable (a file not hosted). */
export type ListPartState = 'none' | 'loading' | 'ready' | 'failed';

export class ListLoader {
  private lists: Lists | null = null;
  private loading: Promise<Lists | null> | null = null;
  state: ListPartState = 'none';
  private readonly waiting = new Set<HTMLElement>();

  constructor(
    private readonly doc: Document,
    private readonly load: () => Promise<Lists>,
  ) {}

  /** See Lists.changed. A list seen before the part arrived counts as unpainted only if the page still is. */
  changed(list: HTMLElement, unpainted: boolean): void {
    if (this.lists) return this.lists.changed(list, unpainted);
    this.waiting.add(list);
    void this.ready();
  }

  /** Starts loading the part now if the page already has a marked list: the rules then hold sooner. */
  preload(): void {
    void this.ready(true);
  }

  /** See Lists.runAll; nothing to do (and nothing to load) on a page without a marked list. */
  async runAll(force = false, scope?: Element): Promise<void> {
    (await this.ready(true))?.runAll(force, scope);
  }

  /** See Lists.inspect. */
  async inspect(): Promise<void> {
    (await this.ready(true))?.inspect();
  }

  /** The lists once the part has loaded; null where it cannot, or (`ifListed`) where the page has no marked list. */
  private ready(ifListed = false): Promise<Lists | null> {
    if (this.lists) return Promise.resolve(this.lists);
    if (!this.loading && ifListed && !this.doc.querySelector(RERANKABLE)) return Promise.resolve(null);
    if (!this.loading) this.state = 'loading';
    return (this.loading ??= this.load().then(
      (lists) => {
        this.lists = lists;
        this.state = 'ready';
        const painted = !unpaintedPage();
        for (const list of this.waiting) if (list.isConnected) lists.changed(list, !painted);
        this.waiting.clear();
        return lists;
      },
      (error: unknown) => {
        console.debug('[localrank] the list part is unavailable; lists keep the server order', error);
        this.state = 'failed';
        this.waiting.clear();
        return null;
      },
    ));
  }
}
