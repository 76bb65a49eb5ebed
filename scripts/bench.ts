/**
 * `npm run bench`: localrank's performance, measured in headless Chromium on the built bundle
 * (dist/localrank.js) the way a shop's page uses it. Prints Markdown tables and writes
 * bench-out/bench.json (raw figures) and bench-out/bench.md.
 *
 *   npm run bench                                  # every backend, and the default model's row
 *   npx tsx scripts/bench.ts --floor-model .cache/models/probe --backends auto,wasm
 *   npm run bench -- --only reorder                # the script tag reordering 500- and 2,000-tile lists
 *   npm run bench -- --only engines                # start-up and rerank per engine: Chromium, Firefox, WebKit
 *                                                  #   (LOCALRANK_ENGINES=firefox,webkit for some of them)
 *
 * Two models: `--model`, the bundled default (a cross scorer: start-up, long tasks and its own
 * `rerank` row), and `--floor-model`, a two-tower model (a shop's own; the test fixture by default)
 * whose scores a plain Float32Array loop computes on the main thread: the floor each backend's
 * `rerank` is compared with.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { register } from 'node:module';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type Browser, type Page } from '@playwright/test';
import { markdown, reorderMarkdown, type BackendResult, type BenchResults, type RerankRow, type StartupRun, type Stats } from './bench/report';
import { startServer } from './serve';
import { reorderBench } from './bench/reorder';
import { bytesMarkdown, firstVisitBytes } from './bench/bytes';
import { benchEngine, enginesMarkdown, type EngineResult } from './bench/engines';
import { launchEngine } from './engines';
import { ensureEngines, requestedEngines } from './engines/install';
import { bundleSizes } from './bench/sizes';
import { buildWorkload, type BenchCandidate } from './bench/workload';

register('./esm-hook.mjs', import.meta.url);
const { referenceVectors } = await import('./bench/reference');

const ROOT = resolve(import.meta.dirname, '..');
const SIZES = [10, 100, 1_000, 10_000];
const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: 'dist/models/default' },
    'floor-model': { type: 'string', default: 'tests/fixtures/model' },
    backends: { type: 'string', default: 'auto,wasm,cpu,webgl,webgpu' },
    startups: { type: 'string', default: '3' },
    out: { type: 'string', default: 'bench-out' },
    /** `reorder`: only the script tag's reordering of long lists; `bytes`: only what a first visit downloads; `engines`: start-up and rerank per browser engine. */
    only: { type: 'string' },
    'reorder-runs': { type: 'string', default: '3' },
  },
});
const REORDER_SIZES = [500, 2_000];

function modelAt(option: 'model' | 'floor-model'): { dir: string; url: string } {
  const dir = resolve(ROOT, args[option]!);
  if (!existsSync(join(dir, 'manifest.json'))) {
    console.error(`no model at ${dir} (pass --${option} <dir>)`);
    process.exit(1);
  }
  return { dir, url: `/${relative(ROOT, join(dir, 'manifest.json'))}` };
}
const { dir: modelDir, url: modelUrl } = modelAt('model');
const floor = modelAt('floor-model');
const log = (line: string) => console.error(`[bench] ${line}`);

/** The whole build (`npm run bench` runs `npm run build` first): the page-side bundles and the worker. */
function requireBuild(): void {
  const missing = ['dist/localrank.js', 'dist/localrank.iife.js'].filter((file) => !existsSync(join(ROOT, file)));
  if (missing.length === 0) return;
  console.error(`${missing.join(' and ')} missing: run \`npm run build\` first (\`npm run bench\` does)`);
  process.exit(1);
}

async function openPage(browser: Browser, origin: string): Promise<{ page: Page; close: () => Promise<void> }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on('pageerror', (e) => log(`page error: ${e.message}`));
  await page.goto(`${origin}/bench/index.html`);
  return { page, close: () => context.close() };
}

/** Calls an export of bench/page.js inside the page. */
function call<T>(page: Page, fn: string, arg?: unknown): Promise<T> {
  return page.evaluate(([url, name, a]) => import(url).then((m) => m[name](a)), ['/bench/page.js', fn, arg] as const) as Promise<T>;
}

/**
 * The largest difference between the engine's model scores and the reference, over the candidates
 * the engine scores, and how many it scores: by the evidence rule an item the model knows neither
 * by id nor by declared tokens gets no model score (the bundled model declares no vocabulary, so
 * the 10,000-candidate list's re-ided copies of films are unscored).
 */
function maxAbsError(engine: Record<string, number | null>, candidates: BenchCandidate[], reference: number[]): { error: number; scored: number } {
  let worst = 0;
  let scored = 0;
  candidates.forEach((c, i) => {
    const score = engine[c.id];
    if (score === null || score === undefined) return;
    scored++;
    const e = Math.abs(score - reference[i]);
    worst = Number.isNaN(e) ? Infinity : Math.max(worst, e);
  });
  return { error: worst, scored };
}

/** Only the reordering of long lists by the script tag: `--only reorder`. */
async function reorderOnly(): Promise<void> {
  requireBuild();
  const server = await startServer(ROOT, 0, { cacheControl: 'max-age=3600' });
  const browser = await launch();
  try {
    log('script tag: reordering long lists');
    const reorder = await reorderBench(browser, server.origin, REORDER_SIZES, Number(args['reorder-runs']));
    const table = reorderMarkdown(reorder, `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'})`, `Chromium ${browser.version()} headless`);
    const outDir = resolve(ROOT, args.out!);
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, 'reorder.json'), `${JSON.stringify(reorder, null, 1)}\n`);
    writeFileSync(join(outDir, 'reorder.md'), `${table}\n`);
    console.log(table);
  } finally {
    await browser.close();
    await server.close();
  }
}

/** Start-up and `rerank` of 1,000 candidates in each engine, beside a plain loop: `--only engines`. */
async function enginesOnly(): Promise<void> {
  const engines = requestedEngines();
  ensureEngines(engines);
  const size = 1_000;
  const now = Date.now();
  const workload = buildWorkload(join(ROOT, 'public/demo/catalog.json'), size, now);
  log('computing the reference vectors in Node (cpu backend)');
  const vectors = await referenceVectors(floor.dir, workload.candidates, workload.history, now);
  const server = await startServer(ROOT, 0, { cacheControl: 'max-age=3600' });
  const results: EngineResult[] = [];
  try {
    for (const engine of engines) {
      log(`launching ${engine}`);
      const browser = await launchEngine(engine, server.origin);
      try {
        results.push(await benchEngine(browser, { model: floor.url, candidates: workload.candidates, history: workload.history, vectors, size, startups: Number(args.startups), log }));
      } finally {
        await browser.close();
      }
    }
  } finally {
    await server.close();
  }
  const table = enginesMarkdown(results, `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), ${process.platform}`, size, Number(args.startups));
  const outDir = resolve(ROOT, args.out!);
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'engines.json'), `${JSON.stringify({ date: new Date().toISOString(), results }, null, 1)}\n`);
  writeFileSync(join(outDir, 'engines.md'), `${table}\n`);
  console.log(table);
}

function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined),
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--enable-unsafe-webgpu', '--enable-unsafe-swiftshader'],
  });
}

async function main(): Promise<void> {
  requireBuild();
  const now = Date.now();
  const workload = buildWorkload(join(ROOT, 'public/demo/catalog.json'), Math.max(...SIZES), now);
  log('computing the reference vectors in Node (cpu backend)');
  const vectors = await referenceVectors(floor.dir, workload.candidates, workload.history, now);
  const server = await startServer(ROOT, 0, { cacheControl: 'max-age=3600' });
  const browser = await launch();
  try {
    log('plain-loop reference on the main thread');
    const refPage = await openPage(browser, server.origin);
    const ref = await call<{ results: Array<{ size: number; e2e: Stats; scores: number[] }> }>(refPage.page, 'referenceLoop', {
      user: vectors.user,
      items: vectors.items,
      dim: vectors.dim,
      sizes: SIZES,
      minRuns: 30,
      budgetMs: 1000,
    });
    log('a bare round trip to a worker');
    const roundTrip = await call<Array<{ size: number; e2e: Stats }>>(refPage.page, 'roundTrip', {
      ids: workload.candidates.map((c) => c.id),
      sizes: SIZES,
      minRuns: 20,
      budgetMs: 500,
    });
    await refPage.close();
    const referenceScores = ref.results[ref.results.length - 1].scores;

    log('start-up, cold and warm');
    const cold: StartupRun[] = [];
    const warm: StartupRun[] = [];
    for (let i = 0; i < Number(args.startups); i++) {
      const { page, close } = await openPage(browser, server.origin);
      const options = { model: modelUrl, backend: 'auto', namespace: `startup-${i}` };
      const behind = { candidates: workload.candidates.slice(0, 100), history: workload.history };
      try {
        cold.push(await call<StartupRun>(page, 'start', options));
        cold[cold.length - 1].modelPart = await call(page, 'modelAfterFirstRerank', behind);
        await call(page, 'stop');
        await page.reload();
        warm.push(await call<StartupRun>(page, 'start', { ...options, namespace: `startup-warm-${i}` }));
        warm[warm.length - 1].modelPart = await call(page, 'modelAfterFirstRerank', behind);
        await call(page, 'stop');
      } catch (error) {
        log(`start-up run ${i} failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
      }
      await close();
    }

    log('long tasks during a session with training');
    const lt = await openPage(browser, server.origin);
    const longTasks = await call<BenchResults['longTasks']>(lt.page, 'longTaskSession', {
      model: modelUrl,
      namespace: 'longtasks',
      candidates: workload.candidates,
      events: [...workload.history, ...workload.training, ...workload.clicks],
      sizes: [10, 100, 1_000, 10_000],
    });
    await lt.close();

    const backends: BackendResult[] = [];
    const runs = [
      ...args.backends!.split(',').map((backend) => ({ backend, model: floor.url, label: undefined })),
      // What a shop without its own model runs: the bundled cross scorer, for a visitor with history.
      { backend: 'auto', model: modelUrl, label: 'default model' },
    ];
    for (const { backend, model, label } of runs) {
      log(`backend ${backend}${label ? `, ${label}` : ''}`);
      const { page, close } = await openPage(browser, server.origin);
      const result: BackendResult = { backend, ...(label && { model: label }) };
      try {
        // The model part loaded at start-up: these rows measure the model on each backend.
        const start = await call<StartupRun & { info: { backend: string; backendReason: string; gpu: { adapter: string; description?: string } } }>(page, 'start', {
          model,
          backend,
          namespace: `bench-${backend}${label ? '-default' : ''}`,
          loadModel: 'eager',
        });
        result.ran = start.info.backend;
        result.reason = start.info.backendReason;
        result.start = { importMs: start.importMs, workerMs: start.workerMs, modelMs: start.modelMs, totalMs: start.totalMs };
        (result as BackendResult & { gpu?: unknown }).gpu = start.info.gpu;
        await call(page, 'track', workload.history);
        const slow = backend === 'webgpu' || backend === 'webgl';
        const rows = await call<Array<Omit<RerankRow, 'maxAbsError' | 'scored'> & { modelScores: Record<string, number | null> }>>(page, 'rerankLatency', {
          candidates: workload.candidates,
          sizes: SIZES,
          minRuns: slow ? 5 : 20,
          maxRuns: 300,
          budgetMs: slow ? 1000 : 1500,
        });
        // The reference computes the floor model's scores; the default model's row only counts the candidates it scored.
        result.rerank = rows.map(({ modelScores, ...row }) =>
          label
            ? { ...row, scored: Object.values(modelScores).filter((score) => score !== null).length }
            : { ...row, ...(({ error, scored }) => ({ maxAbsError: error, scored }))(maxAbsError(modelScores, workload.candidates.slice(0, row.size), referenceScores)) },
        );
        result.clickToRerank = await call(page, 'clickToRerank', { candidates: workload.candidates.slice(0, 1000), clicks: workload.clicks });
        if (!label) {
          await call(page, 'track', workload.training);
          result.training = await call<BackendResult['training']>(page, 'train').catch((e: Error) => ({ error: e.message.split('\n')[0] }));
        }
        await call(page, 'stop');
      } catch (error) {
        result.error = error instanceof Error ? error.message.split('\n')[0] : String(error);
        log(`${backend} failed: ${result.error}`);
      }
      backends.push(result);
      await close();
    }

    log('script tag: reordering long lists');
    const reorder = await reorderBench(browser, server.origin, REORDER_SIZES, Number(args['reorder-runs']));

    log('first visit: what is downloaded, and when the first personalised rerank comes');
    const firstVisit = await firstVisitBytes(browser, ROOT).catch((error: unknown) => {
      log(`the first-visit measurement failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
      return undefined;
    });
    const outDir = resolve(ROOT, args.out!);
    mkdirSync(outDir, { recursive: true });

    const auto = backends.find((b) => b.backend === 'auto' && !b.model);
    const gpu = (auto as { gpu?: { adapter: string; description?: string } } | undefined)?.gpu;
    const results: BenchResults = {
      meta: {
        date: new Date().toISOString(),
        machine: `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), ${process.platform}`,
        browser: `Chromium ${browser.version()} headless`,
        gpu: gpu ? `${gpu.adapter}${gpu.description ? ` (${gpu.description})` : ''}` : 'unknown',
        model: `${modelUrl} (its own row); the floor: ${floor.url} (two-tower, dim ${vectors.dim})`,
        autoBackend: auto?.ran ?? 'not measured',
        autoReason: auto?.reason ?? '',
      },
      sizes: bundleSizes(join(ROOT, 'dist'), modelDir),
      reference: ref.results.map(({ size, e2e }) => ({ size, e2e })),
      roundTrip,
      backends,
      startup: { cold, warm },
      longTasks,
      reorder,
      firstVisit,
    };
    const table = markdown(results);
    writeFileSync(join(outDir, 'bench.json'), `${JSON.stringify(results, null, 1)}\n`);
    writeFileSync(join(outDir, 'bench.md'), `${table}\n`);
    console.log(table);
    log(`wrote ${relative(ROOT, join(outDir, 'bench.json'))} and bench.md`);
  } finally {
    await browser.close();
    await server.close();
  }
}

/** Only what a first visit downloads: `--only bytes`. */
async function bytesOnly(): Promise<void> {
  requireBuild();
  const outDir = resolve(ROOT, args.out!);
  mkdirSync(outDir, { recursive: true });
  const browser = await launch();
  try {
    log('first visit: what is downloaded, and when the first personalised rerank comes');
    const visits = await firstVisitBytes(browser, ROOT);
    const table = bytesMarkdown(visits);
    writeFileSync(join(outDir, 'bytes.json'), `${JSON.stringify(visits, null, 1)}\n`);
    writeFileSync(join(outDir, 'bytes.md'), `${table}\n`);
    console.log(table);
  } finally {
    await browser.close();
  }
}

await (args.only === 'reorder' ? reorderOnly() : args.only === 'bytes' ? bytesOnly() : args.only === 'engines' ? enginesOnly() : main());
