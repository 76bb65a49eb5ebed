/**
 * What the browser tests keep on `window`, with the library's real types, so that code run
 * through `page.evaluate` reads `window.lr` rather than casting. Values set by the harness
 * (`open`, `captureWorkers`), by the shop fixture (fixtures/shop/shop-before.js) and by single tests.
 */
import type * as Localrank from '../../src/index';
import type { Personalizer, PersonalizerEvent } from '../../src/index';
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
    /** Scratch values single tests keep in the page. */
    tracked: Array<Promise<string>>;
    serverOrder: Record<string, string[]>;
    animations: Record<string, number>;
    serverDom: string;
    inlineRan?: boolean;
    shifts: number[];
  }
}
