/**
 * What a first visit downloads, measured in Chromium over a real connection: a static server that
 * gzips what it sends (level 9, as a shop's CDN would precompress) and counts the bytes of every
 * response body it writes, per file. A shop page (bench/first-visit.html) with the script tag and
 * a visitor's click queued before the tag arrives; time runs from the navigation to the first
 * `localrank:reranked` with `personalized: true`. Three visits:
 * - a new shop with the default model: a catalogue it has never seen, one click (fewer than the
 *   model's card asks for: the model part does not load);
 * - the same with three clicks: the model part loads after the first personalised rerank;
 * - a shop with its own model (the fixture model, trained on the films listed): the model part
 *   loads after the first personalised rerank, and the table shows what it added;
 * - the new shop again in the same browser: a return visit, with the HTTP cache.
 */
import { createReadStream, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser, BrowserContext } from '@playwright/test';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.bin': 'application/octet-stream',
};

export interface Sent {
  path: string;
  /** Bytes of the response body on the wire (gzipped). */
  bytes: number;
  raw: number;
  /** When it was sent, ms since the epoch. */
  at: number;
}

/** The repository over HTTP with gzip and a one-hour cache, logging every body it sends. */
async function countingServer(root: string): Promise<{ origin: string; log: Sent[]; close(): Promise<void> }> {
  const log: Sent[] = [];
  const zipped = new Map<string, Buffer>();
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    const file = join(root, normalize(path).replace(/^(\.\.[/\\])+/, ''));
    let raw: number;
    try {
      const stat = statSync(file);
      if (!file.startsWith(root) || !stat.isFile()) throw new Error('not a file');
      raw = stat.size;
    } catch {
      res.writeHead(404).end();
      return;
    }
    const headers = { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'max-age=3600' };
    if (!/gzip/.test(String(req.headers['accept-encoding'] ?? ''))) {
      log.push({ path, bytes: raw, raw, at: Date.now() });
      res.writeHead(200, { ...headers, 'content-length': raw });
      createReadStream(file).pipe(res);
      return;
    }
    let body = zipped.get(file);
    if (!body) zipped.set(file, (body = gzipSync(readFileSync(file), { level: 9 })));
    log.push({ path, bytes: body.length, raw, at: Date.now() });
    res.writeHead(200, { ...headers, 'content-encoding': 'gzip', 'content-length': body.length });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { origin: `http://127.0.0.1:${port}`, log, close: () => new Promise((done) => server.close(() => done())) };
}

export interface Visit {
  name: string;
  /** Files of localrank the visit downloaded, in request order: before and after the first personalised rerank. */
  files: Array<{ file: string; bytes: number; raw: number; afterFirstRerank: boolean }>;
  /** ms from the navigation to the first personalised `localrank:reranked`. */
  firstPersonalisedMs: number | null;
  /** The engine's model part state when the visit ended, and whether a rerank included its term. */
  model: string;
  modelScored: boolean;
}

/** A localrank file by what it is, hashes dropped. */
function label(path: string): string {
  return path
    .replace(/^\/dist\//, '')
    .replace(/^\/tests\/fixtures\/model\//, 'own model: ')
    .replace(/-[\w-]{8}\.js$/, '-<hash>.js');
}

const isLocalrank = (path: string) => path.startsWith('/dist/') || path.startsWith('/tests/fixtures/model/');

async function visit(context: BrowserContext, origin: string, log: Sent[], name: string, query: string, modelExpected = false): Promise<Visit> {
  const page = await context.newPage();
  const from = log.length;
  await page.goto(`${origin}/bench/first-visit.html?${query}`);
  await page.waitForFunction(() => (window as unknown as { firstVisit: { reranked: Array<{ personalized: boolean }> } }).firstVisit.reranked.some((r) => r.personalized), null, { timeout: 60_000 });
  // Whatever follows the first personalised rerank (the model part, where it can contribute).
  // (No named functions in here: the bench runs through tsx, whose helpers the page does not have.)
  const state = await page.evaluate(async (expected) => {
    const lr = (window as unknown as { localrank(...args: unknown[]): Promise<unknown> }).localrank;
    let model = 'loading';
    for (let i = 0; i < 300 && (model === 'loading' || (expected && model === 'none')); i++) {
      model = ((await lr('info')) as { model?: string } | null)?.model ?? 'none';
      if (model === 'loading' || (expected && model === 'none')) await new Promise((r) => setTimeout(r, 100));
    }
    const ids = Array.from(document.querySelectorAll('[data-lr-item]'), (el) => ({ id: el.getAttribute('data-lr-item')! }));
    const ranked = (await lr('rerank', ids)) as { items: Array<{ modelScore: number | null }> };
    const first = (window as unknown as { firstVisit: { reranked: Array<{ at: number; personalized: boolean }> } }).firstVisit.reranked.find((r) => r.personalized)!;
    return { model, modelScored: ranked.items.some((i) => i.modelScore !== null), firstAt: first.at, origin: performance.timeOrigin };
  }, modelExpected);
  const firstAt = state.origin + state.firstAt;
  await page.close();
  const files = log
    .slice(from)
    .filter((s) => isLocalrank(s.path))
    .map((s) => ({ file: label(s.path), bytes: s.bytes, raw: s.raw, afterFirstRerank: s.at > firstAt }));
  return { name, files, firstPersonalisedMs: state.firstAt, model: state.model, modelScored: state.modelScored };
}

/** The shop pages' catalogues, written where the server finds them (under the repository, ignored by git). */
const CATALOGS = 'bench-out/first-visit';

export async function firstVisitBytes(browser: Browser, root: string): Promise<Visit[]> {
  const outDir = join(root, CATALOGS);
  mkdirSync(outDir, { recursive: true });
  const server = await countingServer(root);
  const garden = JSON.parse(readFileSync(join(root, 'tests/browser/fixtures/garden/catalog.json'), 'utf8')) as { items: unknown[] };
  const films = JSON.parse(readFileSync(join(root, 'tests/fixtures/films.json'), 'utf8')) as Array<{ id: string; title: string; genres: string[] }>;
  writeFileSync(join(outDir, 'garden.json'), JSON.stringify({ items: garden.items }));
  writeFileSync(join(outDir, 'films.json'), JSON.stringify({ items: films.slice(0, 48).map((f) => ({ id: f.id, features: { category: f.genres, text: f.title } })) }));
  const catalog = (name: string) => `catalog=${encodeURIComponent(`/${CATALOGS}/${name}`)}`;
  try {
    const fresh = await browser.newContext();
    const shop = await visit(fresh, server.origin, server.log, 'new shop, default model (first visit)', catalog('garden.json'));
    const again = await visit(fresh, server.origin, server.log, 'new shop, return visit (HTTP cache)', catalog('garden.json'));
    await fresh.close();
    // The default model's card asks for three interactions: from then on its part loads.
    const engaged = await browser.newContext();
    const three = await visit(engaged, server.origin, server.log, 'new shop, default model, three clicks (first visit)', `${catalog('garden.json')}&clicks=3`, true);
    await engaged.close();
    const own = await browser.newContext();
    const trained = await visit(own, server.origin, server.log, "a shop with its own model (first visit)", `${catalog('films.json')}&model=${encodeURIComponent('/tests/fixtures/model/manifest.json')}`);
    await own.close();
    return [shop, three, trained, again];
  } finally {
    await server.close();
  }
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} kB`;

export function bytesMarkdown(visits: Visit[]): string {
  const out: string[] = [];
  out.push(
    '**What a first visit downloads** (the script tag on a shop page, the visitor’s clicks (one, or three) queued before it arrives; bytes of the response bodies the server sent, gzip level 9; time from the navigation to the first `localrank:reranked` with `personalized: true`)',
    '',
  );
  out.push('| visit | file | gzip | raw | when |');
  out.push('|---|---|---|---|---|');
  for (const v of visits) {
    const before = v.files.filter((f) => !f.afterFirstRerank).reduce((s, f) => s + f.bytes, 0);
    const total = v.files.reduce((s, f) => s + f.bytes, 0);
    if (v.files.length === 0) out.push(`| ${v.name} | nothing (every file from the HTTP cache) | 0 kB | | |`);
    for (const f of v.files) out.push(`| ${v.name} | \`${f.file}\` | ${kb(f.bytes)} | ${kb(f.raw)} | ${f.afterFirstRerank ? 'after the first personalised rerank' : 'before'} |`);
    const first = v.firstPersonalisedMs === null ? '–' : `${v.firstPersonalisedMs.toFixed(0)} ms`;
    out.push(`| **${v.name}** | **before the first personalised rerank / in all** | **${kb(before)} / ${kb(total)}** | | first personalised rerank at **${first}**; model part: ${v.model}${v.modelScored ? ', its scores in later reranks' : ''} |`);
  }
  return out.join('\n');
}
