/**
 * Privacy and data controls in real Chromium: no request carries behaviour data, retention limits
 * hold (also for a user who comes back later), `forget()` leaves nothing in any store, and memory
 * stays flat over thousands of track / rerank / train cycles.
 */
import { expect, test, type Browser, type Page } from '@playwright/test';
import { BLANK, FILMS, candidateOf } from './helpers';
import { call, captureWorkers, info, open } from './harness';

const candidates = FILMS.slice(0, 50).map(candidateOf);
const DAY = 86_400_000;

test.describe('requests', () => {
  test.use({ serviceWorkers: 'block' });

  test('a long session in two tabs sends nothing but GETs for code and model, and nothing about the user', async ({ context }) => {
    const requests: Array<{ url: string; method: string; body: string | null; type: string }> = [];
    const sockets: string[] = [];
    context.on('request', (r) => requests.push({ url: r.url(), method: r.method(), body: r.postData(), type: r.resourceType() }));
    context.on('page', (p) => p.on('websocket', (ws) => sockets.push(ws.url())));
    // A marker that only behaviour data contains: it must never leave the device.
    const marker = 'zq-private-7731';
    const watched = FILMS.slice(0, 30).map((f, i) => ({ type: i % 3 ? 'view' : 'click', itemId: `${marker}-${f.id}`, listId: marker, dwellMs: 1234, features: { category: f.genres, text: `${marker} ${f.title}` } }));

    const tabs: Page[] = [];
    for (let t = 0; t < 2; t++) {
      const page = await context.newPage();
      page.on('websocket', (ws) => sockets.push(ws.url()));
      await open(page, { namespace: 'privacy-long', autoTrain: { minNewEvents: 3, idleMs: 10 } });
      tabs.push(page);
    }
    for (let round = 0; round < 5; round++) {
      for (const page of tabs) {
        await call(page, 'track', watched.slice(round * 6, round * 6 + 6));
        await call(page, 'rerank', [...candidates, ...watched.slice(0, 5).map((w) => ({ id: w.itemId, features: w.features }))], { explain: true });
      }
    }
    await call(tabs[0], 'train');
    await call(tabs[1], 'exportData');
    await tabs[0].reload();
    await open(tabs[0], { namespace: 'privacy-long' });
    await call(tabs[0], 'rerank', candidates);
    await call(tabs[1], 'forget');
    for (const page of tabs) await page.goto(BLANK);

    expect(sockets).toEqual([]);
    expect(requests.length).toBeGreaterThan(5);
    for (const r of requests) {
      const url = new URL(r.url);
      expect(r.method, r.url).toBe('GET');
      expect(r.body, r.url).toBeNull();
      expect(url.search, r.url).toBe('');
      expect(r.type, r.url).not.toMatch(/^(ping|eventsource|websocket)$/);
      expect(url.pathname, r.url).toMatch(/^\/(dist\/|\.cache\/rel\/dist\/|tests\/fixtures\/model\/|tests\/browser\/fixtures\/blank\.html|favicon\.ico)/);
      expect(r.url, r.url).not.toContain(marker);
    }
  });
});

test.describe('retention', () => {
  test('maxEvents keeps only the newest events', async ({ page }) => {
    await open(page, { namespace: 'max-events', backend: 'cpu', retention: { maxEvents: 20 } });
    const now = Date.now();
    await call(page, 'track', Array.from({ length: 30 }, (_, i) => ({ type: 'view', itemId: `i${i}`, time: now - (30 - i) * 1000 })));
    const data = await call<{ events: Array<{ itemId: string }> }>(page, 'exportData');
    expect(data.events.map((e) => e.itemId)).toEqual(Array.from({ length: 20 }, (_, i) => `i${i + 10}`));
  });

  test('maxAgeDays drops old events on write, and at start-up for a user who comes back later', async ({ page }) => {
    const now = Date.now();
    await open(page, { namespace: 'max-age', backend: 'cpu', retention: { maxAgeDays: 3 } });
    await call(page, 'track', [
      { type: 'view', itemId: 'too-old', time: now - 4 * DAY },
      { type: 'view', itemId: 'two-days', time: now - 2 * DAY },
      { type: 'view', itemId: 'fresh', time: now },
    ]);
    expect((await call<{ events: Array<{ itemId: string }> }>(page, 'exportData')).events.map((e) => e.itemId)).toEqual(['two-days', 'fresh']);
    // Later the shop shortens retention to one day; nothing new is tracked: the old event still goes.
    await page.reload();
    await open(page, { namespace: 'max-age', backend: 'cpu', retention: { maxAgeDays: 1 } });
    expect((await call<{ events: Array<{ itemId: string }> }>(page, 'exportData')).events.map((e) => e.itemId)).toEqual(['fresh']);
    expect((await info(page)).events).toBe(1);
  });
});

/** Everything this origin keeps in the browser's stores, as counts. */
async function footprint(page: Page) {
  return page.evaluate(async () => {
    const dbs: Record<string, Record<string, number>> = {};
    for (const { name } of await indexedDB.databases()) {
      if (!name) continue;
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const req = indexedDB.open(name);
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
      dbs[name] = {};
      for (const store of Array.from(db.objectStoreNames)) {
        dbs[name][store] = await new Promise<number>((resolve) => {
          const req = db.transaction(store).objectStore(store).count();
          req.onsuccess = () => resolve(req.result);
        });
      }
      db.close();
    }
    const opfs: string[] = [];
    try {
      for await (const key of (await navigator.storage.getDirectory() as unknown as { keys(): AsyncIterable<string> }).keys()) opfs.push(key);
    } catch {
      // no OPFS
    }
    return {
      dbs,
      localStorage: localStorage.length,
      sessionStorage: sessionStorage.length,
      caches: (await caches.keys()).length,
      opfs,
      cookies: document.cookie,
    };
  });
}

test('forget() leaves no trace in any store, in this tab or a restarted one', async ({ page }) => {
  await open(page, { namespace: 'forget-all', backend: 'cpu' });
  const now = Date.now();
  await call(page, 'track', [
    ...FILMS.slice(0, 60).map((f, i) => ({ type: 'impression', itemId: f.id, time: now - 3_600_000 + i, features: { category: f.genres, text: f.title } })),
    ...FILMS.filter((f) => f.genres.includes('Comedy')).slice(0, 12).map((f, i) => ({ type: 'click', itemId: f.id, time: now - 1_800_000 + i * 60_000 })),
  ]);
  await call(page, 'rerank', candidates, { explain: true });
  await call(page, 'train');
  const before = await footprint(page);
  expect(before.dbs['localrank:forget-all'].events).toBe(72);

  await call(page, 'forget');
  const after = await footprint(page);
  expect(after.dbs['localrank:forget-all']).toEqual({ events: 0, weights: 0, items: 0, meta: 0 });
  expect(after).toMatchObject({ localStorage: 0, sessionStorage: 0, caches: 0, opfs: [], cookies: '' });
  expect(await info(page)).toMatchObject({ events: 0, fineTuned: false, lastTraining: null });
  const ranked = await call<{ items: Array<{ reason?: unknown }> }>(page, 'rerank', candidates, { explain: true });
  expect(ranked.items.some((x) => x.reason)).toBe(false);
  const exported = await call<{ events: unknown[]; weights: unknown; lastTraining: unknown }>(page, 'exportData');
  expect(exported).toMatchObject({ events: [], weights: null, lastTraining: null });
});

test('forget() while the worker is stuck still wipes the database from the page', async ({ page }) => {
  await captureWorkers(page);
  await open(page, { namespace: 'forget-stuck', backend: 'cpu', timeoutMs: 1_000 });
  await call(page, 'track', FILMS.slice(0, 10).map((f) => ({ type: 'click', itemId: f.id })));
  await page.evaluate(() => {
    window.__workers[window.__workers.length - 1].postMessage({ localrankFault: 'hang' });
  });
  await call(page, 'forget');
  // The wipe may wait for the stuck worker's connection to go; the watchdog ends that worker.
  await expect.poll(async () => (await footprint(page)).dbs['localrank:forget-stuck']?.events ?? 0, { timeout: 20_000 }).toBe(0);
  await expect.poll(() => info(page).then((i) => i.events).catch(() => -1), { timeout: 30_000 }).toBe(0);
});

/** The worker's JS heap after a full GC, through a browser-level DevTools session. */
async function workerHeap(browser: Browser): Promise<number> {
  const cdp = await browser.newBrowserCDPSession();
  try {
    const { targetInfos } = await cdp.send('Target.getTargets');
    const target = targetInfos.find((t) => t.type === 'worker' && t.title === 'localrank') ?? targetInfos.find((t) => t.type === 'worker');
    if (!target) throw new Error('no worker target');
    const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: target.targetId, flatten: false });
    let next = 1;
    const pending = new Map<number, (result: unknown) => void>();
    cdp.on('Target.receivedMessageFromTarget', (event) => {
      const message = JSON.parse(event.message) as { id?: number; result?: unknown };
      if (message.id !== undefined) pending.get(message.id)?.(message.result);
    });
    const send = (method: string) =>
      new Promise<unknown>((resolve) => {
        const id = next++;
        pending.set(id, resolve);
        void cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method }) });
      });
    await send('HeapProfiler.enable');
    await send('HeapProfiler.collectGarbage');
    const usage = (await send('Runtime.getHeapUsage')) as { usedSize: number };
    await cdp.send('Target.detachFromTarget', { sessionId });
    return usage.usedSize;
  } finally {
    await cdp.detach();
  }
}

async function pageHeap(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  const usage = await cdp.send('Runtime.getHeapUsage');
  await cdp.detach();
  return usage.usedSize;
}

test('memory stays flat over thousands of track / rerank / train cycles (tensors and JS heap)', async ({ page, browser }) => {
  test.setTimeout(300_000);
  await open(page, { namespace: 'memory', backend: 'cpu', retention: { maxEvents: 500 } });
  const cycles = (n: number, from: number, trainEvery: number) =>
    page.evaluate(
      async ([n, from, trainEvery, list]) => {
        const { lr } = window;
        for (let i = from; i < from + n; i++) {
          const film = list[i % list.length];
          await lr.track({ type: i % 4 ? 'impression' : 'click', itemId: film.id, features: film.features });
          await lr.rerank(list, { explain: i % 10 === 0, diversity: i % 7 === 0 ? 0.3 : 0 });
          if ((i + 1) % trainEvery === 0) await lr.train();
        }
      },
      [n, from, trainEvery, candidates] as const,
    );
  await cycles(200, 0, 100);
  const start = await info(page);
  const heap0 = { worker: await workerHeap(browser), page: await pageHeap(page) };
  const t0 = Date.now();
  await cycles(2_000, 200, 200);
  const seconds = (Date.now() - t0) / 1000;
  const end = await info(page);
  const heap1 = { worker: await workerHeap(browser), page: await pageHeap(page) };
  console.log(
    `memory over 2000 cycles (${seconds.toFixed(0)} s, 10 trainings): tensors ${start.diagnostics?.tensors} -> ${end.diagnostics?.tensors}; ` +
      `worker heap ${(heap0.worker / 1e6).toFixed(2)} -> ${(heap1.worker / 1e6).toFixed(2)} MB; page heap ${(heap0.page / 1e6).toFixed(2)} -> ${(heap1.page / 1e6).toFixed(2)} MB`,
  );
  expect(end.diagnostics?.tensors).toBe(start.diagnostics?.tensors);
  expect(end.events).toBe(500);
  expect(heap1.worker - heap0.worker).toBeLessThan(4e6);
  expect(heap1.page - heap0.page).toBeLessThan(2e6);
});
