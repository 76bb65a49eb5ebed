/**
 * Reelhouse, the localrank demo shop. The "server" (catalog.ts) sends popularity-ordered candidate lists;
 * localrank reorders them in a Web Worker from interactions stored on this device.
 */
import { installNetworkWatch } from './network-watch';
import { createPersonalizer } from '../src/index';
import type { Personalizer, StoredEvent, TrackEvent } from '../src/shared/types';
import { FilmServer, filmLabel, loadCatalog, type Film } from './catalog';
import { Panel } from './ui/panel';
import { Shelf, type Marks } from './ui/shelf';
import type { ShopAction } from './ui/tile';
import { announce } from './ui/toast';

// First, before any request of ours: every request from now on is observed.
const watch = installNetworkWatch();

const NAMESPACE = 'reelhouse-demo';
const RERANK_DELAY_MS = 250;
const ACTION_WORDS: Record<ShopAction, string> = { click: 'viewed', add_to_cart: 'added to cart', purchase: 'bought' };

function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (!node) throw new Error(`#${id} is missing from index.html`);
  return node as T;
}

/** What the tiles mark as viewed / in cart / bought, derived from the events stored on the device. */
function marksFrom(events: readonly Pick<StoredEvent, 'type' | 'itemId'>[]): Marks {
  const viewed = new Set<string>();
  const inCart = new Set<string>();
  const bought = new Set<string>();
  for (const event of events) {
    if (event.type === 'click' || event.type === 'view') viewed.add(event.itemId);
    if (event.type === 'add_to_cart') inCart.add(event.itemId);
    if (event.type === 'remove_from_cart') inCart.delete(event.itemId);
    if (event.type === 'purchase') {
      bought.add(event.itemId);
      inCart.delete(event.itemId);
    }
  }
  return { viewed, inCart, bought };
}

class Shop {
  private personalizer: Personalizer | null = null;
  private readonly shelves: Shelf[];
  private readonly search: Shelf;
  private readonly genre: Shelf;
  private events: Pick<StoredEvent, 'type' | 'itemId'>[] = [];
  private rerankTimer = 0;
  private generation = 0;
  private pendingAnnouncement = '';

  constructor(
    private readonly server: FilmServer,
    private readonly panel: Panel,
  ) {
    const onAction = (film: Film, action: ShopAction, listId: string, position: number) =>
      void this.track(film, action, listId, position);

    const picker = this.genrePicker(server.catalog.genres, 'Comedy');
    this.search = new Shelf({ key: 'search', title: 'Search results', onAction });
    const recommended = new Shelf({ key: 'recommended', title: 'Recommended for you', onAction });
    this.genre = new Shelf({ key: 'genre', title: 'Browse by genre', controls: picker, onAction });
    const popular = new Shelf({ key: 'popular', title: 'Popular now', onAction });
    this.shelves = [this.search, recommended, this.genre, popular];

    this.search.element.hidden = true;
    recommended.setServerList(server.recommended());
    this.genre.setServerList(server.genre('Comedy'));
    popular.setServerList(server.popularNow());
    byId('shelf-list').append(...this.shelves.map((shelf) => shelf.element));
    this.bindControls();
  }

  async start(): Promise<void> {
    const status = byId('load-status');
    try {
      this.personalizer = await createPersonalizer({
        model: new URL('models/default/manifest.json', document.baseURI).href,
        namespace: NAMESPACE,
        onProgress: (progress) => {
          if (progress.status === 'progress' && progress.total > 0) {
            status.textContent = `Loading the on-device model… ${Math.round((100 * progress.loaded) / progress.total)}%`;
          }
        },
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      status.textContent = `The on-device model could not start (${message}). You see the server's order.`;
      this.panel.setUnavailable(message);
      document.body.dataset.state = 'fallback';
      return;
    }
    this.personalizer.subscribe((event) => {
      if (event.type === 'train') {
        this.panel.addTraining(event.report);
        void this.refreshInfo();
        if (event.report.kept) this.scheduleRerank('The model finished training on your activity');
      } else if (event.type === 'degraded') {
        announce(`On-device engine degraded: ${event.message}. Showing the server's order where needed.`);
        void this.refreshInfo();
      } else {
        void this.refreshInfo();
      }
    });
    const [exported] = await Promise.all([this.personalizer.exportData(), this.refreshInfo()]);
    this.events = exported.events.map(({ type, itemId }) => ({ type, itemId }));
    this.updateMarks();
    status.textContent = 'Ready. Click a few films of one genre and watch the rows reorder.';
    await this.rerankAll();
    document.body.dataset.state = 'ready';
  }

  private genrePicker(genres: readonly string[], selected: string): HTMLElement {
    const wrapper = document.createElement('div');
    wrapper.className = 'picker';
    const label = document.createElement('label');
    label.htmlFor = 'genre-select';
    label.textContent = 'Genre';
    const select = document.createElement('select');
    select.id = 'genre-select';
    for (const genre of genres) select.add(new Option(genre, genre, false, genre === selected));
    select.addEventListener('change', () => {
      this.genre.setServerList(this.server.genre(select.value));
      this.genre.setMarks(marksFrom(this.events));
      this.scheduleRerank();
    });
    wrapper.append(label, select);
    return wrapper;
  }

  private bindControls(): void {
    const input = byId<HTMLInputElement>('search-input');
    let searchTimer = 0;
    const runSearch = () => {
      const query = input.value.trim();
      this.search.element.hidden = query === '';
      if (!query) return;
      const list = this.server.search(query);
      this.search.setServerList(list);
      this.search.setMarks(marksFrom(this.events));
      this.search.element.querySelector('h2')!.textContent = list.films.length
        ? `Results for “${query}”`
        : `No film matches “${query}”`;
      this.scheduleRerank();
    };
    input.addEventListener('input', () => {
      clearTimeout(searchTimer);
      searchTimer = window.setTimeout(runSearch, 200);
    });
    byId('search-form').addEventListener('submit', (event) => {
      event.preventDefault();
      clearTimeout(searchTimer);
      runSearch();
    });

    const compare = byId('compare-toggle');
    compare.addEventListener('click', () => {
      const on = compare.getAttribute('aria-checked') !== 'true';
      compare.setAttribute('aria-checked', String(on));
      document.body.classList.toggle('comparing', on);
      for (const shelf of this.shelves) shelf.setCompare(on);
    });

    byId('train-now').addEventListener('click', () => void this.trainNow());
    byId('export-data').addEventListener('click', () => void this.exportData());
    byId('forget-me').addEventListener('click', () => void this.forget());
  }

  private async track(film: Film, action: ShopAction, listId: string, position: number): Promise<void> {
    const event: TrackEvent = {
      type: action,
      itemId: film.id,
      listId,
      position,
      features: { category: film.genres, text: filmLabel(film) },
    };
    this.events.push({ type: action, itemId: film.id });
    this.updateMarks();
    announce(`${ACTION_WORDS[action][0].toUpperCase()}${ACTION_WORDS[action].slice(1)}: ${film.title}. Stored on this device only.`);
    if (!this.personalizer) return;
    try {
      await this.personalizer.track(event);
    } catch (error) {
      announce(`Could not record that: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    void this.refreshInfo();
    this.scheduleRerank('Rows updated from your activity');
  }

  private updateMarks(): void {
    const marks = marksFrom(this.events);
    for (const shelf of this.shelves) shelf.setMarks(marks);
    byId('cart-count').textContent = String(marks.inCart.size);
  }

  private scheduleRerank(announcement = ''): void {
    if (announcement) this.pendingAnnouncement = announcement;
    clearTimeout(this.rerankTimer);
    this.rerankTimer = window.setTimeout(() => void this.rerankAll(), RERANK_DELAY_MS);
  }

  private async rerankAll(): Promise<void> {
    const personalizer = this.personalizer;
    if (!personalizer) return;
    const generation = ++this.generation;
    const visible = this.shelves.filter((shelf) => !shelf.element.hidden && shelf.films.length > 0);
    const results = await Promise.all(
      visible.map(async (shelf) => {
        const started = performance.now();
        const result = await personalizer.rerank(shelf.candidates(), { explain: true });
        return { shelf, listId: shelf.listId, result, pageMs: performance.now() - started };
      }),
    );
    // A newer rerank (or a new server list) supersedes this one.
    if (generation !== this.generation) return;
    let moved = 0;
    for (const { shelf, listId, result, pageMs } of results) {
      if (shelf.listId !== listId) continue;
      moved += shelf.applyRanking(result);
      if (result.personalized) this.panel.addLatency(pageMs, result.computeMs);
    }
    document.body.dataset.reranks = String(generation);
    if (this.pendingAnnouncement && moved > 0) {
      announce(`${this.pendingAnnouncement}: ${moved} film${moved === 1 ? '' : 's'} moved up.`);
    }
    this.pendingAnnouncement = '';
  }

  private async refreshInfo(): Promise<void> {
    if (!this.personalizer) return;
    this.panel.setInfo(await this.personalizer.info());
  }

  private async trainNow(): Promise<void> {
    if (!this.personalizer) return;
    const button = byId<HTMLButtonElement>('train-now');
    button.disabled = true;
    try {
      const report = await this.personalizer.train();
      this.panel.addTraining(report);
      announce(`Training ${report.kept ? 'kept' : 'discarded'}: ${report.reason}.`);
      if (report.kept) this.scheduleRerank('Rows updated after training');
      await this.refreshInfo();
    } catch (error) {
      announce(`Training failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      button.disabled = false;
    }
  }

  private async exportData(): Promise<void> {
    if (!this.personalizer) return;
    const data = await this.personalizer.exportData();
    const blob = new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' });
    const link = document.createElement('a');
    link.href = URL.createObjectURL(blob);
    link.download = `localrank-${NAMESPACE}-${new Date(data.exportedAt).toISOString().slice(0, 10)}.json`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
    announce(`Exported ${data.events.length} events and ${data.weights ? 'your fine-tuned weights' : 'no fine-tuned weights'}.`);
  }

  private async forget(): Promise<void> {
    if (!this.personalizer) return;
    await this.personalizer.forget();
    this.events = [];
    this.updateMarks();
    this.panel.clearTraining();
    await this.refreshInfo();
    announce('Everything localrank stored about you on this device was deleted.');
    this.scheduleRerank();
  }
}

async function main(): Promise<void> {
  const panel = new Panel();
  panel.bindNetwork(watch);
  const catalog = await loadCatalog(new URL('demo/catalog.json', document.baseURI));
  const shop = new Shop(new FilmServer(catalog), panel);
  await shop.start();
}

main().catch((error: unknown) => {
  document.body.dataset.state = 'error';
  byId('load-status').textContent = `The demo could not start: ${error instanceof Error ? error.message : String(error)}`;
});
