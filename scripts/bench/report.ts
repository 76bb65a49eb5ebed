/** Turns the benchmark's results into the Markdown tables printed and pasted into the docs. */
import type { ReorderRow } from './reorder';
import { bytesMarkdown, type Visit } from './bytes';
import type { SizeRow } from './sizes';

export interface Stats {
  runs: number;
  median: number;
  p95: number;
  min: number;
  max: number;
}

export interface RerankRow {
  size: number;
  firstMs: number;
  /** Calls answered with the server's order (slower than the client's 3 s timeout). */
  fallbacks: number;
  e2e: Stats;
  /** localrank's main-thread time before the answer: validating, packing, posting. */
  submit: Stats;
  /** localrank's main-thread time after it: the result's objects. */
  unpack?: Stats;
  worker: Stats;
  /** Largest |engine model score - reference score| over the list (the floor model's rows only). */
  maxAbsError?: number;
  /** Candidates the engine gave a model score (the others it knows nothing of). */
  scored: number;
}

export interface BackendResult {
  backend: string;
  /** Set on the row of the bundled default model (the others run the floor model). */
  model?: string;
  /** What the engine actually ran on (a forced backend that fails falls back). */
  ran?: string;
  reason?: string;
  start?: { importMs: number; workerMs: number; modelMs: number; totalMs: number };
  rerank?: RerankRow[];
  clickToRerank?: Stats & { reflected: number };
  training?: { steps: number; durationMs: number; kept: boolean; reason: string; examples: number; backend: string } | { error: string };
  error?: string;
}

export interface StartupRun {
  importMs: number;
  /** Until the engine asks for the model's manifest: the worker's start, storage. */
  workerMs: number;
  /** The manifest, restoring the visitor's events: until ready. */
  modelMs: number;
  totalMs: number;
  /** Behind the first personalised rerank: until the model part is ready (its chunk, backend, weights, warm-up). */
  modelPart?: { firstMs: number; readyMs: number; laterModelScores: number };
}

export interface BenchResults {
  meta: Record<string, unknown> & { gpu: string; autoBackend: string; autoReason: string };
  sizes: SizeRow[];
  reference: Array<{ size: number; e2e: Stats }>;
  /** A bare round trip to a worker that does nothing (size 0: an empty message). */
  roundTrip?: Array<{ size: number; e2e: Stats }>;
  backends: BackendResult[];
  startup: { cold: StartupRun[]; warm: StartupRun[] };
  longTasks: { sessionMs: number; backend: string; autoTrained: boolean; trainingRuns: number; longTasks: Array<{ start: number; duration: number }> };
  reorder: ReorderRow[];
  /** What a first visit downloads (scripts/bench/bytes.ts). */
  firstVisit?: Visit[];
}

const ms = (x: number | undefined) => (x === undefined ? '–' : x < 0.1 ? x.toFixed(3) : x < 1 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : x.toFixed(0));
/** A ratio to the plain loop: one decimal below 10x, where the issue's targets (3x) sit. */
export const ratio = (x: number) => `${x < 10 ? x.toFixed(1) : x.toFixed(0)}x`;
const kb = (bytes: number | null) => (bytes === null ? '–' : `${(bytes / 1024).toFixed(1)} kB`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

export function markdown(r: BenchResults): string {
  const out: string[] = [];
  const sizes = r.reference.map((x) => x.size);
  const ref = new Map(r.reference.map((x) => [x.size, x.e2e]));
  out.push(`Machine: ${r.meta.machine}. Browser: ${r.meta.browser}. GPU adapter: ${r.meta.gpu}.`);
  out.push(`Model: ${r.meta.model}. \`auto\` chose **${r.meta.autoBackend}** (${r.meta.autoReason}).`, '');

  out.push('**`rerank` seen from the main thread** (ms, median / p95; ratio = median / plain-loop median)', '');
  out.push(`| backend | ${sizes.map((n) => `${n.toLocaleString('en')} candidates`).join(' | ')} |`);
  out.push(`|---|${sizes.map(() => '---').join('|')}|`);
  for (const b of r.backends) {
    const engine = b.backend === 'auto' ? `auto (${b.ran})` : b.ran && b.ran !== b.backend ? `${b.backend} (ran ${b.ran})` : b.backend;
    const label = b.model ? `${engine}, ${b.model}` : engine;
    if (!b.rerank) {
      out.push(`| ${label} | ${sizes.map(() => '–').join(' | ')} |`);
      continue;
    }
    const cells = sizes.map((n) => {
      const row = b.rerank!.find((x) => x.size === n);
      if (!row) return '–';
      const fell = row.fallbacks ? `, ${row.fallbacks} timed out` : '';
      // Under the page's 0.1 ms clock a 10-item loop can time as 0: no ratio then.
      const loop = ref.get(n)!.median;
      const times = loop > 0 ? ratio(row.e2e.median / loop) : '-';
      return `${ms(row.e2e.median)} / ${ms(row.e2e.p95)} (${times}${fell})`;
    });
    out.push(`| ${label} | ${cells.join(' | ')} |`);
  }
  out.push(`| plain Float32Array loop + sort, main thread | ${sizes.map((n) => `${ms(ref.get(n)!.median)} / ${ms(ref.get(n)!.p95)}`).join(' | ')} |`);
  if (r.roundTrip) {
    // The floor of any worker's answer: what the plain loop, on the page itself, never pays.
    const trip = new Map(r.roundTrip.map((x) => [x.size, x.e2e]));
    const empty = trip.get(0);
    out.push(`| a bare round trip to a worker that does nothing: the ids out, an order back${empty ? ` (no ids: ${ms(empty.median)})` : ''} | ${sizes.map((n) => (trip.has(n) ? `${ms(trip.get(n)!.median)} / ${ms(trip.get(n)!.p95)}` : '–')).join(' | ')} |`);
  }
  out.push('');

  out.push("**Where the time goes** on the `auto` backend (ms, median): localrank's main-thread time before the answer (validating and packing the candidates, posting them: its `localrank:pack` user timings) and after it (the result's objects: `localrank:unpack`), time inside the worker (`worker`); the rest is message passing and waiting for a core. The first call validates every item and fills the worker's caches.", '');
  const auto = r.backends.find((b) => b.backend === 'auto' && !b.model);
  if (auto?.rerank) {
    out.push('| candidates | end to end | main thread: pack and post (p95) | main thread: unpack | worker | first call (cold caches) | max abs. score error vs reference (candidates scored) |');
    out.push('|---|---|---|---|---|---|---|');
    for (const row of auto.rerank) {
      out.push(`| ${row.size.toLocaleString('en')} | ${ms(row.e2e.median)} | ${ms(row.submit.median)} (${ms(row.submit.p95)}) | ${ms(row.unpack?.median)} | ${ms(row.worker.median)} | ${ms(row.firstMs)} | ${row.maxAbsError?.toExponential(1) ?? '–'} (${row.scored.toLocaleString('en')}) |`);
    }
    out.push('');
  }

  out.push("**Click to a `rerank` that reflects it, and one `train()` run** (fitting the visitor's reactions to the lists they were shown)", '');
  out.push('| backend | `track(click)` → `rerank(1,000)` ms, median / p95 | `train()`: steps, total ms, steps/s |');
  out.push('|---|---|---|');
  for (const b of r.backends) {
    const c = b.clickToRerank ? `${ms(b.clickToRerank.median)} / ${ms(b.clickToRerank.p95)} (${b.clickToRerank.reflected}/${b.clickToRerank.runs} reflected)` : '–';
    const t = b.training;
    const train = !t ? '–' : 'error' in t ? `cannot train: ${t.error}` : `${t.steps} steps, ${ms(t.durationMs)} ms, ${(t.steps / (t.durationMs / 1000)).toFixed(0)} steps/s`;
    out.push(`| ${b.backend === 'auto' ? `auto (${b.ran})` : b.backend}${b.model ? `, ${b.model}` : ''} | ${c} | ${train} |`);
  }
  out.push('');

  const part = (runs: StartupRun[]) => {
    const done = runs.filter((x) => x.modelPart);
    return done.length ? `${ms(median(done.map((x) => x.modelPart!.readyMs)))} (${done[0].modelPart!.laterModelScores} candidates scored after)` : '–';
  };
  const phases = (runs: StartupRun[]) =>
    `${ms(median(runs.map((x) => x.totalMs)))} | ${ms(median(runs.map((x) => x.importMs)))} | ${ms(median(runs.map((x) => x.workerMs)))} | ${ms(median(runs.map((x) => x.modelMs)))} | ${part(runs)}`;
  out.push(`**Start-up** (ms, median of ${r.startup.cold.length}): \`createPersonalizer\` until ready, with the default \`loadModel: 'lazy'\` (no model part yet); then, behind the first personalised rerank, until the model part is ready`, '');
  out.push('| | total until ready | import of the npm entry | worker start, storage | manifest, restoring the events | model part ready after the first personalised rerank (chunk, backend choice, weights, warm-up) |');
  out.push('|---|---|---|---|---|---|');
  out.push(`| cold (empty HTTP cache, first visit) | ${phases(r.startup.cold)} |`);
  out.push(`| warm (HTTP cache, backend choice remembered) | ${phases(r.startup.warm)} |`, '');

  const lt = r.longTasks;
  const worst = lt.longTasks.reduce((m, t) => Math.max(m, t.duration), 0);
  out.push(
    `**Main-thread long tasks** (> 50 ms) during a ${(lt.sessionMs / 1000).toFixed(1)} s session on \`auto\` (${lt.backend}) ` +
      `with ${lt.trainingRuns} \`train()\` run(s) (${lt.autoTrained ? 'one started by autoTrain' : 'autoTrain did not fire'}), reranks of up to 10,000 candidates: ` +
      `**${lt.longTasks.length}**${lt.longTasks.length ? ` (longest ${ms(worst)} ms)` : ''}.`,
    '',
  );

  out.push(reorderMarkdown(r.reorder), '');

  if (r.firstVisit) out.push(bytesMarkdown(r.firstVisit), '');

  out.push('**Bundle sizes**', '');
  out.push('| file | raw | gzip |');
  out.push('|---|---|---|');
  for (const s of r.sizes) out.push(`| ${s.what}${s.note ? ` (${s.note})` : ''} | ${kb(s.raw)} | ${kb(s.gzip)} |`);
  return out.join('\n');
}

const tasks = (xs: number[], runs: number) => (xs.length ? `${xs.length} in ${runs} runs (longest ${ms(Math.max(...xs))})` : `0 in ${runs} runs`);

/** The script tag reordering long lists (scripts/bench/reorder.ts). */
export function reorderMarkdown(rows: ReorderRow[], machine?: string, browser?: string): string {
  const out: string[] = [];
  if (machine) out.push(`Machine: ${machine}. Browser: ${browser}.`, '');
  out.push(
    "**The script tag reordering a long grid** (bench/reorder.html; every movable tile moves, the worst case; medians of the runs). localrank's time is the sum of its `localrank:reorder` slices, layout included; tasks are the page's main-thread tasks while it works (rendering included), from a Chromium trace, in wall-clock time and in CPU time (wall-clock time includes waiting for a core on a busy machine).",
    '',
  );
  out.push('| tiles | mode | localrank main-thread ms | longest slice ms | slices | moved / held | done after ms | main thread CPU ms, all tasks | longest task, CPU ms | tasks > 50 ms CPU | tasks > 50 ms wall-clock | without localrank: tasks > 50 ms CPU / wall-clock | CLS |');
  out.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    out.push(
      `| ${r.tiles.toLocaleString('en')} | ${r.mode} | ${ms(r.mainThreadMs)} | ${ms(r.longestSliceMs)} | ${r.slices} | ${r.moved} / ${r.pinned} | ${ms(r.doneMs)} | ${ms(r.cpuMs)} | ${ms(r.longestTaskCpuMs)} | ${tasks(r.longTasksCpu, r.runs)} | ${tasks(r.longTasks, r.runs)} | ${r.controlLongTasksCpu.length} / ${r.controlLongTasks.length} | ${r.cls.toFixed(3)} |`,
    );
  }
  return out.join('\n');
}
