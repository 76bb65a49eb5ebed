/**
 * The script tag reordering a long product grid (bench/reorder.html: server-rendered tiles with an
 * image, a title, a price and a button, four columns, the first rows in view). The stand-in engine
 * (bench/reorder-engine.js) answers every list reversed, the worst case: every tile that may move
 * moves. Measured on the page: localrank's own main-thread time (its `localrank:reorder` user
 * timings, layout included) and layout shifts; from a Chromium trace, every task of the page's main
 * thread while the tag works, in wall-clock time and in CPU time. On a machine shared with other
 * work a task's wall-clock time includes the time the thread waited for a core; its CPU time does
 * not. The same page without the tag, over the same time, is the control.
 */
import type { Browser, Page } from '@playwright/test';

export interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string };
}

/** The page's main-thread tasks in a trace between `from` and `to` (µs, trace clock), as [wall ms, CPU ms]. */
export function mainTasks(events: TraceEvent[], from: number, to: number): Array<[number, number]> {
  const timing = events.find((e) => e.name === 'localrank:reorder') ?? events.find((e) => e.name === 'ParseHTML');
  if (!timing) return [];
  return events
    .filter((e) => e.name === 'ThreadControllerImpl::RunTask' && e.ph === 'X' && e.pid === timing.pid && e.tid === timing.tid)
    .filter((e) => e.ts + (e.dur ?? 0) > from && e.ts < to)
    .map((e) => [(e.dur ?? 0) / 1000, (e.tdur ?? 0) / 1000]);
}

export async function traced<T>(browser: Browser, page: Page, run: () => Promise<T>): Promise<{ result: T; events: TraceEvent[] }> {
  await browser.startTracing(page, { categories: ['toplevel', 'blink.user_timing', 'devtools.timeline', '__metadata'] });
  const result = await run();
  const trace = JSON.parse((await browser.stopTracing()).toString()) as { traceEvents?: TraceEvent[] } | TraceEvent[];
  return { result, events: Array.isArray(trace) ? trace : (trace.traceEvents ?? []) };
}

export interface ReorderRow {
  tiles: number;
  mode: 'default' | 'animate, reduced motion';
  runs: number;
  /** Median over runs of the sum of localrank's main-thread slices, ms. */
  mainThreadMs: number;
  /** Longest single slice over all runs, ms. */
  longestSliceMs: number;
  /** Median number of slices (the reading of the list, then one chunk of moves per frame). */
  slices: number;
  moved: number;
  pinned: number;
  /** Median time from the first slice to the `localrank:reranked` event, ms. */
  doneMs: number;
  /** Main-thread tasks over 50 ms while the tag worked, all runs: wall-clock ms each. */
  longTasks: number[];
  /** The same tasks' CPU time, and every task over 50 ms of CPU time, all runs. */
  longTasksCpu: number[];
  /** Median over runs of the CPU time of every main-thread task while the tag worked (rendering included), ms. */
  cpuMs: number;
  /** The longest main-thread task while the tag worked, CPU ms, over all runs. */
  longestTaskCpuMs: number;
  /** The page without the tag over the same time, all runs: tasks over 50 ms, wall-clock and CPU. */
  controlLongTasks: number[];
  controlLongTasksCpu: number[];
  /** Largest cumulative layout shift of a run. */
  cls: number;
}

interface PageBench {
  longTasks: Array<{ start: number; duration: number }>;
  shifts: Array<{ start: number; value: number }>;
  reranked: { at: number; detail: { moved: number; pinned: number } } | null;
  measures: Array<{ name: string; start: number; duration: number }>;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] ?? 0;

function read(page: Page): Promise<PageBench & { load: number }> {
  return page.evaluate(() => {
    const w = window as unknown as { bench: PageBench };
    const load = (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).loadEventEnd;
    return { ...w.bench, load };
  });
}

async function once(browser: Browser, origin: string, tiles: number, mode: ReorderRow['mode']) {
  const context = await browser.newContext({ reducedMotion: mode === 'default' ? 'no-preference' : 'reduce' });
  const page = await context.newPage();
  const { result: b, events } = await traced(browser, page, async () => {
    await page.goto(`${origin}/bench/reorder.html?n=${tiles}${mode === 'default' ? '' : '&rerank=animate'}`);
    await page.waitForFunction(() => (window as unknown as { bench: PageBench }).bench.reranked !== null, null, { timeout: 120_000 });
    await page.waitForTimeout(500);
    return read(page);
  });
  await context.close();
  const slices = b.measures.filter((m) => m.name === 'localrank:reorder');
  const from = slices[0]?.start ?? b.load;
  const to = b.reranked!.at + 500;
  // The trace's clock: the first slice's begin event is `from` on the page's clock.
  const begin = events.find((e) => e.name === 'localrank:reorder' && e.ph === 'b');
  const tasks = begin ? mainTasks(events, begin.ts, begin.ts + (to - from) * 1000) : [];
  return {
    mainThreadMs: slices.reduce((sum, m) => sum + m.duration, 0),
    longestSliceMs: Math.max(0, ...slices.map((m) => m.duration)),
    slices: slices.length,
    moved: b.reranked!.detail.moved,
    pinned: b.reranked!.detail.pinned,
    doneMs: b.reranked!.at - from,
    tasks,
    cls: b.shifts.reduce((sum, s) => sum + s.value, 0),
    windowMs: to - from,
  };
}

/** The same page without localrank, traced for `ms` after its load event. */
async function control(browser: Browser, origin: string, tiles: number, ms: number): Promise<Array<[number, number]>> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.route('**/dist/localrank.iife.js', (route) => route.fulfill({ contentType: 'text/javascript', body: '' }));
  await page.goto(`${origin}/bench/reorder.html?n=${tiles}`);
  const { events } = await traced(browser, page, () => page.waitForTimeout(ms));
  await context.close();
  const start = Math.min(...events.filter((e) => e.ph === 'X' && e.ts > 0).map((e) => e.ts));
  const main = events.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  return events
    .filter((e) => e.name === 'ThreadControllerImpl::RunTask' && e.ph === 'X' && main && e.pid === main.pid && e.tid === main.tid && e.ts >= start)
    .map((e) => [(e.dur ?? 0) / 1000, (e.tdur ?? 0) / 1000]);
}

export async function reorderBench(browser: Browser, origin: string, sizes: number[], runs: number): Promise<ReorderRow[]> {
  const rows: ReorderRow[] = [];
  for (const tiles of sizes) {
    for (const mode of ['default', 'animate, reduced motion'] as const) {
      const results = [];
      const controlTasks: Array<[number, number]> = [];
      for (let i = 0; i < runs; i++) {
        const result = await once(browser, origin, tiles, mode);
        results.push(result);
        controlTasks.push(...(await control(browser, origin, tiles, result.windowMs)));
      }
      const tasks = results.flatMap((r) => r.tasks);
      rows.push({
        tiles,
        mode,
        runs,
        mainThreadMs: median(results.map((r) => r.mainThreadMs)),
        longestSliceMs: Math.max(...results.map((r) => r.longestSliceMs)),
        slices: median(results.map((r) => r.slices)),
        moved: median(results.map((r) => r.moved)),
        pinned: median(results.map((r) => r.pinned)),
        doneMs: median(results.map((r) => r.doneMs)),
        longTasks: tasks.filter(([wall]) => wall > 50).map(([wall]) => wall),
        longTasksCpu: tasks.filter(([, cpu]) => cpu > 50).map(([, cpu]) => cpu),
        cpuMs: median(results.map((r) => r.tasks.reduce((sum, [, cpu]) => sum + cpu, 0))),
        longestTaskCpuMs: Math.max(0, ...tasks.map(([, cpu]) => cpu)),
        controlLongTasks: controlTasks.filter(([wall]) => wall > 50).map(([wall]) => wall),
        controlLongTasksCpu: controlTasks.filter(([, cpu]) => cpu > 50).map(([, cpu]) => cpu),
        cls: Math.max(...results.map((r) => r.cls)),
      });
    }
  }
  return rows;
}
