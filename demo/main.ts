/**
 * Reelhouse, the localrank demo shop. The "server" (catalog.ts) sends popularity-ordered candidate lists;
 * localrank reorders them in a Web Worker from interactions stored on this device.
 */
import { installNetworkWatch } from './network-watch';
import { createPersonalizer } from '../src/index';
import type { Personalizer, TrackEvent } from '../src/shared/types';
import { FilmServer, filmLabel, loadCatalog, type Film } from './catalog';
import { marksFrom, type MarkEvent } from './marks';
import { byId } from './ui/dom';
import { Panel } from './ui/panel';
import { Shelf } from './ui/shelf';
import type { ShopAction } from './ui/tile';

import { announce } from './ui/toast';

/** Every row explains its moves: "Because you viewed …". */
const RERANK_OPTIONS = { explain: true } as const;

// First, before any request of ours: every request from now on is observed.
const watch = installNetworkWatch();

const NAMESPACE = 'reelhouse-demo';
const RERANK_DELAY_MS = 250;
const ACTION_WORDS: Record<ShopAction, string> = { click: 'Viewed', add_to_cart: 'Added to cart', purchase: 'Bought' };

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function setUrlParam(name: string, value: string): void {
  const url = new URL(location.href);
  if (value) url.searchParams.set(name, value);
  else url.searchParams.delete(name);
  history.replaceState(history.state, '', url);
}

class Shop {
  private personalizer: Personalizer | null = null;
  /** Settles when the engine is up (or could not start): actions taken while it loads wait for it. */
  private engine: Promise<Personalizer | null> = Promise.resolve(null);
  private readonly shelves: Shelf[];
  private readonly search: Shelf;
  private readonly genre: Shelf;
  private events: MarkEvent[] = [];
  private rerankTimer = 0;
  private generation = 0;
  private pendingAnnouncement = '';

  constructor(
    private readonly server: FilmServer,
    private readonly panel: Panel,
  ) {
    const onAction = (film: Film, action: ShopAction, listId: string, position: number) =>
      void this.track(film, action, listId, position);

    // The view (genre, search) lives in the URL, so a reload or a shared link shows the same page.
    const params = new URLSearchParams(location.search);
    const genre = server.catalog.genres.find((name) => name === params.get('genre')) ?? 'Comedy';
    const picker = this.genrePicker(server.catalog.genres, genre);
    this.search = new Shelf({ key: 'search', title: 'Search results', onAction });
    const recommended = new Shelf({ key: 'recommended', title: 'Recommended for you', onAction });
    this.genre = new Shelf({ key: 'genre', title: 'Browse by genre', controls: picker, onAction });
    const popular = new Shelf({ key: 'popular', title: 'Popular now', onAction });
    this.shelves = [this.search, recommended, this.genre, popular];

    this.search.element.hidden = true;
    recommended.setServerList(server.recommended());
    this.genre.setServerList(server.genre(genre));
    popular.setServerList(server.popularNow());
    byId('shelf-list').append(...this.shelves.map((shelf) => shelf.element));
    this.bindControls();
  }

  async start(): Promise<void> {
    this.engine = this.connect();
    this.personalizer = await this.engine;
    if (!this.personalizer) return;
    this.personalizer.subscribe((event) => {
      if (event.type === 'train') {
        this.panel.addTraining(event.report);
        void this.refreshInfo();
        if (event.report.kept) this.scheduleRerank('The model finished training on your activity');
      } else if (event.type === 'degraded') {
        announce(`On-device engine degraded: ${event.message}. Showing the server's order where needed.`);
        void this.refreshInfo();
      } else {
        void this.refreshInfo().then((ok) => {
          if (!ok) return;
          this.showReady();
          this.scheduleRerank();
        });
      }
    });
    const ok = await this.refreshInfo();
    if (ok) {
      const exported = await this.personalizer.exportData().catch(() => ({ events: [] }));
      this.events = exported.events.map(({ type, itemId }) => ({ type, itemId }));
      this.updateMarks();
    }
    await this.rerankAll();
    if (ok) this.showReady();
  }

  private async connect(): Promise<Personalizer | null> {
    const status = byId('load-status');
    try {
      return await createPersonalizer({
        model: new URL('models/default/manifest.json', document.baseURI).href,
        namespace: NAMESPACE,
        // The demo is about the model: its part loads at start-up, with the progress shown.
        loadModel: 'eager',
        onProgress: (progress) => {
          if (progress.status === 'progress' && progress.total > 0) {
            status.textContent = `Loading the on-device model… ${Math.round((100 * progress.loaded) / progress.total)}%`;
          }
        },
      });
    } catch (error) {
      this.showFallback(messageOf(error));
      return null;
    }
  }

  private showReady(): void {
    byId('load-status').textContent = 'Ready. Click a few films of one genre and watch the rows reorder.';
    document.body.dataset.state = 'ready';
  }

  /** The engine could not start: the shop still works, in the server's order. */
  private showFallback(message: string): void {
    byId('load-status').textContent = `The on-device model could not start (${message}). You see the server's order.`;
    this.panel.setUnavailable(message);
    document.body.dataset.state = 'fallback';
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
      setUrlParam('genre', select.value);
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
      setUrlParam('q', query);
      this.search.element.hidden = query === '';
      if (!query) return;
      const list = this.server.search(query);
      this.search.setServerList(list);
      this.search.setMarks(marksFrom(this.events));
      this.search.setTitle(list.films.length ? `Results for “${query}”` : `No film matches “${query}”`);
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
    input.value = new URLSearchParams(location.search).get('q') ?? '';
    if (input.value) runSearch();

    const compare = byId('compare-toggle');
    compare.addEventListener('click', () => {
      const on = compare.getAttribute('aria-checked') !== 'true';
      compare.setAttribute('aria-checked', String(on));
      for (const shelf of this.shelves) shelf.setCompare(on);
    });

    const safely = (action: () => Promise<void>) => () =>
      void action().catch((error: unknown) => announce(`That did not work: ${messageOf(error)}`));
    byId('train-now').addEventListener('click', safely(() => this.trainNow()));
    byId('export-data').addEventListener('click', safely(() => this.exportData()));
    byId('forget-me').addEventListener('click', safely(() => this.forget()));
  }

  private async track(film: Film, action: ShopAction, listId: string, position: number): Promise<void> {
    const event: TrackEvent = {
      type: action,
      itemId: film.id,
      listId,
      position,
      features: { category: film.genres, text: filmLabel(film) },
    };
    const personalizer = await this.engine;
    if (!personalizer) return;
    try {
      await personalizer.track(event);
    } catch (error) {
      announce(`Could not record that: ${messageOf(error)}`);
      return;
    }
    this.events.push({ type: action, itemId: film.id });
    this.updateMarks();
    announce(`${ACTION_WORDS[action]}: ${film.title}. Stored on this device only.`);
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
        const result = await personalizer.rerank(shelf.candidates(), RERANK_OPTIONS);
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

  /** Shows the engine's state; false when the engine cannot answer (then the page shows why). */
  private async refreshInfo(): Promise<boolean> {
    if (!this.personalizer) return false;
    const info = await this.personalizer.info();
    if (info.state !== 'ready') {
      this.showFallback(info.failure?.message ?? `the engine is ${info.state}`);
      return false;
    }
    this.panel.setInfo(info);
    return true;
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
  byId('load-status').textContent = `The demo could not start: ${messageOf(error)}`;
});
