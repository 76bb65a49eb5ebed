/**
 * What the browser tests keep on `window`, with the library's real types, so that code run
 * through `page.evaluate` reads `window.lr` rather than casting. Values set by the harness
 * (`open`, `captureWorkers`), by the shop fixture (fixtures/shop/shop-before.js) and by single tests.
 */
import type * as Localrank from '../../src/index';
import type { Personalizer, PersonalizerEvent } from '../../src/index';
import type { Candidate, TrackEvent } from '../../src/index';
import type { RerankedDetail } from '../../src/tag/reorder';
import type { LocalrankGlobal } from '../../src/tag/snippet';

declare global {
  interface Window {
    /** The personalizer `open` created. */
    lr: Personalizer;
    /** The built library module `open` imported. */
    localrankLib: typeof Localrank;
    /** Every Worker the page created, oldest first (`captureWorkers`). */
    __workers: Worker[];
    /** Everything `lr` emitted (`open`). */
    __events: PersonalizerEvent[];
    /** The script tag's global (the stub before the library loads). */
    localrank: LocalrankGlobal;
    /** The page's GA4 data layer. */
    dataLayer: unknown[];
    /** What the shop fixture records: `localrank('ready')`'s answer, reranked lists, CSP violations. */
    shop: { ready?: boolean; reranked: RerankedDetail[]; violations: string[] };
    /** What the garden fixture (a catalogue no model saw) records. */
    garden: { ready?: boolean; reranked: RerankedDetail[] };
    /** What the fixture shop with a model of its own (trained by `localrank train`) records. */
    trained: { reranked: RerankedDetail[] };
    /** What the storefront fixtures record (fixtures/record.js). */
    seen: {
      reranked: RerankedDetail[];
      warnings: Array<{ code: string; attribute?: string; itemId?: string; listId?: string; skipped: boolean; tag: string; id: string }>;
      shifts: number[];
      shown: Array<{ persisted: boolean; type: string }>;
    };
    /** What the storefront fixtures' stand-in engine was told (fixtures/fake-engine.js). */
    fakeEngine: { tracked: TrackEvent[]; reranks: Candidate[][]; options: Record<string, unknown> };
    fakeEngineDelayMs?: number;
    /** What each frame of the long list showed: place → item, for the places in view (fixtures/long-list/frames.js). */
    painted: Array<Record<string, string>>;
    /** The single-page shop (fixtures/spa/app.js). */
    app: { renders: number; firstFrameOrder: string[] | null; loadMore(): void; navigate(url: string): void; rerender(): void };
    /** Scratch values single tests keep in the page. */
    tracked: Array<Promise<string>>;
    serverOrder: Record<string, string[]>;
    animations: Record<string, number>;
    serverDom: string;
    inlineRan?: boolean;
    shifts: number[];
  }
}
