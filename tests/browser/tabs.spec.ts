/**
 * Two and three tabs of one shop at once, each with its own worker over one IndexedDB database:
 * every event is stored exactly once, one tab trains at a time (Web Locks), and the others pick up
 * the new weights, new events and a `forget()` (BroadcastChannel).
 */
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { FILMS, TASTE_EVENTS, candidateOf, tasteEvents } from './helpers';
import { call, captureWorkers, hitWorker, info, open, views } from './harness';

type Report = { at: number; durationMs: number; kept: boolean; steps: number; reason: string };
type Ranked = { items: Array<{ id: string; score: number; modelScore: number; reason?: unknown }>; personalized: boolean };

const candidates = FILMS.slice(0, 40).map(candidateOf);

/**
 * Waits until `page`'s engine ranks with the events another tab stored: its explanations name them.
 * (`info().events` says what is stored at once; the tab's memory follows on the BroadcastChannel.)
 */
async function holdsEventsOfOtherTab(page: Page): Promise<void> {
  await expect.poll(async () => (await call<Ranked>(page, 'rerank', candidates, { explain: true })).items.some((x) => x.reason)).toBe(true);
}

async function tabs(context: BrowserContext, n: number, namespace: string): Promise<Page[]> {
  await captureWorkers(context);
  const pages: Page[] = [];
  for (let i = 0; i < n; i++) {
    const page = await context.newPage();
    await open(page, { namespace, backend: 'cpu', timeoutMs: 1_000 });
    pages.push(page);
  }
  return pages;
}

test('three tabs tracking at once, one of them restarting its worker: every event is stored exactly once', async ({ context }) => {
  const pages = await tabs(context, 3, 'three-tabs');
  const sent = pages.map((page, t) => {
    const events = views(`tab${t}`, 60);
    return page.evaluate(async (list) => {
      const { lr } = window;
      for (let i = 0; i < list.length; i += 6) await lr.track(list.slice(i, i + 6));
    }, events);
  });
  // Kill tab 1's worker in the middle: its unacknowledged events are re-sent after the restart.
  await pages[1].waitForTimeout(50);
  await hitWorker(pages[1], 'terminate');
  await Promise.all(sent);

  const expected = [0, 1, 2].flatMap((t) => views(`tab${t}`, 60).map((e) => e.listId)).sort();
  for (const page of pages) {
    await expect.poll(() => info(page).then((i) => i.events).catch(() => -1), { timeout: 30_000 }).toBe(180);
    expect((await info(page)).queuedEvents).toBe(0);
  }
  const data = await call<{ events: Array<{ id: string; listId: string }> }>(pages[0], 'exportData');
  expect(data.events.map((e) => e.listId).sort()).toEqual(expected);
  expect(new Set(data.events.map((e) => e.id)).size).toBe(180);
});

test('three tabs asked to train at once take turns (Web Locks), and every tab then ranks with the newest weights', async ({ context }) => {
  const pages = await tabs(context, 3, 'train-turns');
  await call(pages[0], 'track', tasteEvents());
  await expect.poll(() => info(pages[2]).then((i) => i.events)).toBe(TASTE_EVENTS);

  const reports = await Promise.all(pages.map((page) => call<Report>(page, 'train')));
  const runs = reports.map((r) => ({ start: r.at - r.durationMs, end: r.at, kept: r.kept })).sort((a, b) => a.start - b.start);
  for (let i = 1; i < runs.length; i++) {
    // Each run starts after the previous one ended (a few ms of clock slack between workers).
    expect(runs[i].start, JSON.stringify(runs)).toBeGreaterThanOrEqual(runs[i - 1].end - 5);
  }
  expect(reports.some((r) => r.kept), `no run kept its update: ${JSON.stringify(reports)}`).toBe(true);

  // Every tab uses the same, newest reactions: the same scores for the same list.
  const latest = Math.max(...reports.filter((r) => r.kept).map((r) => r.at));
  for (const page of pages) {
    await expect.poll(async () => (await info(page)).fineTuned).toBe(true);
  }
  const ranked = await Promise.all(pages.map((page) => call<Ranked>(page, 'rerank', candidates)));
  const scores = ranked.map((r) => new Map(r.items.map((x) => [x.id, x.score])));
  for (const other of scores.slice(1)) {
    for (const [id, score] of scores[0]) expect(Math.abs(score - other.get(id)!)).toBeLessThan(1e-4);
  }
  const stored = await call<{ weights: { savedAt: number } | null }>(pages[1], 'exportData');
  expect(stored.weights?.savedAt).toBe(latest);
});

test('reactions learned in one tab reach the other tab without a reload (BroadcastChannel)', async ({ context }) => {
  const [a, b] = await tabs(context, 2, 'broadcast');
  await call(a, 'track', tasteEvents());
  await expect.poll(() => info(b).then((i) => i.events)).toBe(TASTE_EVENTS);
  await holdsEventsOfOtherTab(b);
  const before = await call<Ranked>(b, 'rerank', candidates);
  const report = await call<Report>(a, 'train');
  // The taste events are built so that the guard keeps the update; if it did not, there would be
  // nothing to pass on and this test would prove nothing, so that is a failure too.
  expect(report.kept, report.reason).toBe(true);
  await expect.poll(async () => (await info(b)).fineTuned).toBe(true);
  const after = await call<Ranked>(b, 'rerank', candidates);
  const was = new Map(before.items.map((x) => [x.id, x.score]));
  expect(after.items.some((x) => Math.abs(x.score - was.get(x.id)!) > 1e-4)).toBe(true);
  expect((await info(b)).lastTraining?.at).toBe(report.at);
});

test('forget() in one tab also clears what the other tabs hold in memory', async ({ context }) => {
  const [a, b] = await tabs(context, 2, 'forget-tabs');
  await call(a, 'track', tasteEvents());
  await call(b, 'train');
  await expect.poll(() => info(b).then((i) => i.events)).toBe(TASTE_EVENTS);
  await holdsEventsOfOtherTab(b);

  await call(a, 'forget');
  await expect.poll(() => info(b).then((i) => ({ events: i.events, fineTuned: i.fineTuned, lastTraining: i.lastTraining }))).toEqual({
    events: 0,
    fineTuned: false,
    lastTraining: null,
  });
  const after = await call<Ranked>(b, 'rerank', candidates, { explain: true });
  expect(after.items.some((x) => x.reason)).toBe(false);
});
