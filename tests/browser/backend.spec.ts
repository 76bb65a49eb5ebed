/**
 * Backend choice by measurement, checked against measurement: every backend is forced in turn
 * and timed on what a shopper's page does (a click, then a rerank that must reflect it, then
 * plain reranks), and `auto` must have chosen a correct backend that is about as fast as the
 * fastest, never the software WebGPU adapter when a CPU path beats it.
 */
import { expect, test, type Page } from '@playwright/test';
import type { ReadyInfo, TrackEvent } from '../../src/index';
import { open } from './harness';
import { FILMS, candidateOf } from './helpers';

test.describe.configure({ timeout: 240_000 });

const BACKENDS = ['cpu', 'wasm', 'webgl', 'webgpu'] as const;
const candidates = FILMS.slice(0, 380).map(candidateOf);
const clicks: TrackEvent[] = FILMS.slice(380, 390).map((f) => ({ type: 'click', itemId: f.id, features: { category: f.genres, text: f.title } }));

interface Measured {
  backend: string;
  gpu: { adapter: string };
  /** Median ms of track(click) + rerank, the rerank reflecting the click. */
  click: number;
  /** Median ms of a rerank with cached vectors. */
  rerank: number;
  scores: Record<string, number>;
}

/** Runs the workload on the open personalizer, timed from the page. */
function measure(page: Page): Promise<Measured> {
  return page.evaluate(
    async ([list, events]) => {
      const { lr } = window;
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
      await lr.rerank(list, { serverWeight: 0 });
      const click: number[] = [];
      for (const event of events) {
        const t = performance.now();
        await lr.track({ ...event, time: Date.now() });
        const result = await lr.rerank(list, { serverWeight: 0 });
        click.push(performance.now() - t);
        if (!result.personalized) throw new Error('rerank fell back to the server order');
      }
      const rerank: number[] = [];
      let last = await lr.rerank(list, { serverWeight: 0 });
      for (let i = 0; i < 15; i++) {
        const t = performance.now();
        last = await lr.rerank(list, { serverWeight: 0 });
        rerank.push(performance.now() - t);
      }
      const info = (await lr.info()) as ReadyInfo;
      return {
        backend: info.backend,
        gpu: info.gpu,
        click: median(click),
        rerank: median(rerank),
        scores: Object.fromEntries(last.items.map((i) => [i.id, i.modelScore ?? Number.NaN])),
      };
    },
    [candidates, clicks] as const,
  );
}

test('auto chooses the fastest correct backend, never a software WebGPU adapter over a faster CPU path', async ({ page }) => {
  const forced: Record<string, Measured> = {};
  for (const backend of BACKENDS) {
    await open(page, { backend, namespace: `choice-${backend}` });
    forced[backend] = await measure(page);
    expect(forced[backend].backend, `forced ${backend}`).toBe(backend);
  }
  await open(page, { namespace: 'choice-auto' });
  const auto = await measure(page);

  // Correct: a backend counts only if it reproduces the cpu backend's scores.
  const agrees = (m: Measured) => Object.entries(forced.cpu.scores).every(([id, s]) => Math.abs(m.scores[id] - s) < 2e-3);
  const correct = BACKENDS.filter((b) => agrees(forced[b]));
  expect(correct).toContain(auto.backend);
  expect(agrees(auto)).toBe(true);

  // Fast: a click-then-rerank is where backends differ (the user tower runs); reranks of cached
  // vectors are plain loops on every backend. Allow for the noise of a shared 2-core machine.
  const cost = (m: Measured) => m.click + m.rerank;
  const table = BACKENDS.map((b) => `${b} ${cost(forced[b]).toFixed(1)} ms`).join(', ');
  test.info().annotations.push({ type: 'measured', description: `auto: ${auto.backend}; ${table}` });
  const fastest = Math.min(...correct.map((b) => cost(forced[b])));
  expect(cost(forced[auto.backend as (typeof BACKENDS)[number]]), `auto chose ${auto.backend}; measured ${table}`).toBeLessThanOrEqual(fastest * 2 + 5);

  const cpuPaths = Math.min(cost(forced.cpu), cost(forced.wasm));
  if (auto.gpu.adapter === 'software' && cost(forced.webgpu) > cpuPaths) {
    expect(auto.backend, `software WebGPU adapter; measured ${table}`).not.toBe('webgpu');
  }
});
