/**
 * The one place that says which cross-engine test runs in which engine, and what each engine is
 * expected to do where engines differ. A test's title is its key: a spec declares its tests with
 * `engineTest` (harness.ts), which refuses a title missing here and skips, with the reason given
 * here, an engine the row leaves out. The run ends with this table filled in (reporter.ts).
 */
import type { EngineName } from '../../scripts/engines/driver';

type Row = { runs: readonly EngineName[]; elsewhere?: string };
const ALL = ['chromium', 'firefox', 'webkit'] as const;

export const TESTS = {
  // npm entry: the engine in a module Worker, through the built dist/localrank.js
  'npm entry: a newcomer gets the exact server order; clicks on one genre raise it': { runs: ALL },
  'npm entry: the engine runs in a module Worker on the wasm backend, scoring as the cpu backend does': { runs: ALL },
  'npm entry: train() keeps a fit; events and reactions survive a reload, exportData returns them, forget() removes them': { runs: ALL },
  'npm entry: a track() in flight when close() is called is stored; calls after close() reject or fall back': { runs: ALL },
  'npm entry: the default scorer reads a shop it never saw: it loads from the third interaction and scores on wasm as on cpu': { runs: ALL },
  'npm entry: a forced webgpu backend runs on the software adapter and ranks as cpu does': {
    runs: ['chromium'],
    elsewhere: 'the engine exposes no WebGPU here (Firefox ESR on Linux, WebKitGTK): see the next row',
  },
  'npm entry: without WebGPU, a forced webgpu backend falls back to a correct one': {
    runs: ['firefox', 'webkit'],
    elsewhere: 'Chromium has a WebGPU adapter here (SwiftShader): see the row above',
  },
  // the script tag
  'script tag, server-rendered page: calls queued before it loaded are replayed, none lost': { runs: ALL },
  'script tag, server-rendered page: a newcomer sees the server order; clicks reorder the next page view': { runs: ALL },
  'script tag, client-rendered page: a list rendered after load by script is reordered after clicks': { runs: ALL },
  // privacy
  'nothing sent: a whole session makes only GETs for code and model, none carrying behaviour': { runs: ALL },
  // storage
  'private browsing: the engine keeps events for the session and none survive the browser': { runs: ALL },
  'storage denied: the engine runs on memory storage and says so': { runs: ALL },
  'a kept profile: events survive a browser restart': {
    runs: ['chromium', 'firefox'],
    elsewhere: "WebKitGTK's MiniBrowser keeps no profile under WebDriver: every automation session is ephemeral",
  },
} satisfies Record<string, Row>;

export type TestTitle = keyof typeof TESTS;

/** What each engine does where engines differ, as measured; the tests assert it. */
export interface EngineFacts {
  /** What `info().gpu.adapter` says with `backend: 'auto'`. */
  gpuAdapter: 'software' | 'none';
  /** `info().storage` in the engine's private-browsing mode. */
  privateStorage: 'indexeddb' | 'memory';
  /** What private browsing is in this driver. */
  privateMode: string;
  /** What "storage denied" is in this driver. */
  deniedMode: string;
  /** Whether the driver's protocol reports the browser's requests (else only the server's log does). */
  networkEvents: boolean;
}

export const FACTS: Record<EngineName, EngineFacts> = {
  chromium: {
    gpuAdapter: 'software',
    privateStorage: 'indexeddb',
    privateMode: "a Playwright browser context, which is Chromium's off-the-record (Incognito) profile",
    deniedMode: 'content setting "block cookies and site data" (profile preference cookies = 2)',
    networkEvents: true,
  },
  firefox: {
    gpuAdapter: 'none',
    privateStorage: 'indexeddb',
    privateMode: 'permanent private browsing (browser.privatebrowsing.autostart)',
    deniedMode: 'block all cookies and site data (network.cookie.cookieBehavior = 2)',
    networkEvents: true,
  },
  webkit: {
    gpuAdapter: 'none',
    privateStorage: 'indexeddb',
    privateMode: 'MiniBrowser --private (and every automation session is ephemeral anyway)',
    deniedMode: 'IndexedDB and localStorage off (WebKit settings enable-html5-database, enable-html5-local-storage = false)',
    networkEvents: false,
  },
};

export function row(title: string): Row | undefined {
  return (TESTS as Record<string, Row>)[title];
}
