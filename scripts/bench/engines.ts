/**
 * `npm run bench -- --only engines`: start-up and `rerank` latency in each engine a shop's visitors
 * use (Chromium, Firefox, WebKit, through scripts/engines), on the wasm and cpu backends, and on
 * WebGPU where the engine exposes an adapter (Chromium, started with --enable-unsafe-webgpu, has
 * SwiftShader's software adapter). Each backend gets fresh pages: the start-up runs, then, in the
 * last page, `rerank` of 1,000 candidates and, beside it in the same page, the plain Float32Array
 * loop over the same model's vectors (bench/page.js), so each ratio compares like with like.
 */
import type { Driver, EngineBrowser, EngineName } from '../engines';
import { ratio, type Stats, type StartupRun } from './report';
import type { BenchCandidate, BenchEvent } from './workload';

export interface EngineBackendRow {
  backend: string;
  /** What the engine ran on (`auto` chooses; a forced backend that fails falls back). */
  ran?: string;
  reason?: string;
  startup?: { runs: number; totalMs: number; importMs: number; workerMs: number; modelMs: number };
  rerank?: Stats & { fallbacks: number };
  /** `rerank` timed in batches of sequential calls, as the loop is: the mean call per batch. */
  batched?: Stats;
  /** The plain loop in the same page, same list size. */
  loop?: Stats;
  error?: string;
}

export interface EngineResult {
  engine: EngineName;
  version: string;
  /** The page's clock: the smallest step of performance.now() seen, ms. */
  timerMs: number;
  webgpu: string;
  backends: EngineBackendRow[];
}

export interface EngineBenchOptions {
  model: string;
  candidates: BenchCandidate[];
  history: BenchEvent[];
  vectors: { user: number[]; items: number[]; dim: number };
  size: number;
  startups: number;
  log: (line: string) => void;
}

/** Calls an export of bench/page.js inside the page. */
function call<T>(driver: Driver, fn: string, arg?: unknown): Promise<T> {
  return driver.evaluate(([url, name, a]) => import(url).then((m: Record<string, (x: unknown) => unknown>) => m[name]!(a)), ['/bench/page.js', fn, arg] as [string, string, unknown]) as Promise<T>;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] ?? NaN;

/** Whether the page gets a WebGPU adapter, and which. */
function probeWebGpu(driver: Driver): Promise<string> {
  return driver.evaluate(async () => {
    const gpu = (navigator as { gpu?: { requestAdapter(): Promise<{ info?: { architecture?: string; vendor?: string }; isFallbackAdapter?: boolean } | null> } }).gpu;
    if (!gpu) return 'none (no navigator.gpu)';
    const adapter = await gpu.requestAdapter();
    if (!adapter) return 'none (navigator.gpu, but no adapter)';
    const info = adapter.info ?? {};
    return `${info.vendor || '?'} ${info.architecture || ''}${adapter.isFallbackAdapter || (info as { isFallbackAdapter?: boolean }).isFallbackAdapter ? ' (software, fallback adapter)' : ''}`.trim();
  });
}

export async function benchEngine(browser: EngineBrowser, options: EngineBenchOptions): Promise<EngineResult> {
  const probe = await browser.newPage();
  await probe.goto('/bench/index.html');
  const webgpu = await probeWebGpu(probe);
  const timerMs = await call<number>(probe, 'clockStep');
  await probe.close();
  const backends = ['auto', 'wasm', 'cpu', ...(webgpu.startsWith('none') ? [] : ['webgpu'])];
  const rows: EngineBackendRow[] = [];
  for (const backend of backends) {
    options.log(`${browser.engine}: ${backend}`);
    const row: EngineBackendRow = { backend };
    const starts: StartupRun[] = [];
    try {
      for (let i = 0; i < options.startups; i++) {
        const driver = await browser.newPage();
        const last = i === options.startups - 1;
        try {
          await driver.goto('/bench/index.html');
          // The model part at start-up: each row measures the model on its backend.
          const start = await call<StartupRun & { info: { backend: string; backendReason: string } }>(driver, 'start', { model: options.model, backend, namespace: `engines-${backend}-${i}`, loadModel: 'eager' });
          starts.push(start);
          row.ran = start.info.backend;
          row.reason = start.info.backendReason;
          if (last) {
            await call(driver, 'track', options.history);
            const slow = backend === 'webgpu';
            const [r] = await call<Array<{ e2e: Stats; fallbacks: number }>>(driver, 'rerankLatency', {
              candidates: options.candidates.slice(0, options.size),
              sizes: [options.size],
              minRuns: slow ? 5 : 20,
              maxRuns: 300,
              budgetMs: slow ? 1000 : 1500,
            });
            row.rerank = { ...r!.e2e, fallbacks: r!.fallbacks };
            row.batched = await call<Stats>(driver, 'rerankBatched', { candidates: options.candidates.slice(0, options.size), batch: BATCH, minRuns: slow ? 3 : 10, budgetMs: slow ? 1000 : 1500 });
            const loop = await call<{ results: Array<{ e2e: Stats }> }>(driver, 'referenceLoop', { ...options.vectors, sizes: [options.size], minRuns: 30, budgetMs: 1000 });
            row.loop = loop.results[0]!.e2e;
          }
          await call(driver, 'stop');
        } finally {
          await driver.close();
        }
      }
      row.startup = {
        runs: starts.length,
        totalMs: median(starts.map((s) => s.totalMs)),
        importMs: median(starts.map((s) => s.importMs)),
        workerMs: median(starts.map((s) => s.workerMs)),
        modelMs: median(starts.map((s) => s.modelMs)),
      };
    } catch (error) {
      row.error = error instanceof Error ? error.message.split('\n')[0] : String(error);
      options.log(`${browser.engine} ${backend} failed: ${row.error}`);
    }
    rows.push(row);
  }
  return { engine: browser.engine, version: browser.version, timerMs, webgpu, backends: rows };
}

/** Sequential `rerank` calls per timed batch (`rerankBatched`). */
const BATCH = 20;

const ms = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '–' : x < 1 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : x.toFixed(0));

/** One table per engine. */
export function enginesMarkdown(results: EngineResult[], machine: string, size: number, startups: number): string {
  const out: string[] = [`Machine: ${machine}. Model: a shop's own two-tower model (\`--floor-model\`, the test fixture by default), loaded at start-up. \`rerank\` of ${size.toLocaleString('en')} candidates after 12 clicks, seen from the main thread (median / p95 ms over the runs); in batches: the mean call of batches of ${BATCH} sequential calls (the median over the batches), timed as the loop is, which a 1 ms clock cannot round away; the plain loop: the same model's dot products and sort in a Float32Array loop on the same page; ratio: the batched mean over the loop's; start-up: \`createPersonalizer\` until ready, median of ${startups} fresh pages (import, worker start with storage and backend choice, model download and check).`, ''];
  for (const r of results) {
    out.push(`**${r.version}** (${r.engine}); WebGPU: ${r.webgpu}; page clock step ${ms(r.timerMs)} ms`, '');
    out.push(`| backend | start-up ms (import / worker / model) | \`rerank\` ${size.toLocaleString('en')} ms, median / p95 | in batches, ms | plain loop ms, median | ratio |`);
    out.push('|---|---|---|---|---|---|');
    for (const b of r.backends) {
      const label = b.backend === 'auto' ? `auto (chose ${b.ran ?? '?'})` : b.ran && b.ran !== b.backend ? `${b.backend} (ran ${b.ran})` : b.backend;
      if (b.error && !b.rerank) {
        out.push(`| ${label} | failed: ${b.error} | – | – | – | – |`);
        continue;
      }
      const s = b.startup;
      const start = s ? `${ms(s.totalMs)} (${ms(s.importMs)} / ${ms(s.workerMs)} / ${ms(s.modelMs)})` : '–';
      const rerank = b.rerank ? `${ms(b.rerank.median)} / ${ms(b.rerank.p95)}${b.rerank.fallbacks ? ` (${b.rerank.fallbacks} fell back)` : ''}` : '–';
      const loop = b.loop ? ms(b.loop.median) : '–';
      const batched = b.batched ? ms(b.batched.median) : '–';
      const times = b.batched && b.loop && b.loop.median > 0 ? ratio(b.batched.median / b.loop.median) : '–';
      out.push(`| ${label} | ${start} | ${rerank} | ${batched} | ${loop} | ${times} |`);
    }
    out.push('');
  }
  return out.join('\n');
}
