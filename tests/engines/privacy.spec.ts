/**
 * Nothing sent, in each engine: a whole session through the npm entry and the script tag makes
 * only GETs for code, model and pages, none carrying behaviour. Seen twice: by the engine's own
 * protocol where it reports requests (Chromium, Firefox: the page's and its workers'), and by the
 * server, which logs every request it receives with its body (all three engines).
 */
import type { RequestRecord } from '../../scripts/engines';
import { FILMS, candidateOf } from '../browser/helpers';
import { call, engineTest, expect, openLr } from './harness';

const ALLOWED = /^\/(dist\/|tests\/fixtures\/model\/|tests\/browser\/fixtures\/(blank\.html|garden\/)|favicon\.ico)/;

engineTest('nothing sent: a whole session makes only GETs for code and model, none carrying behaviour', async ({ driver, server, facts }) => {
  const from = server.log.length;
  // A marker only behaviour data contains: it must never leave the device.
  const marker = 'zq-private-7731';
  const watched = FILMS.slice(0, 30).map((f, i) => ({ type: i % 3 ? 'view' : 'click', itemId: `${marker}-${f.id}`, listId: marker, dwellMs: 1234, features: { category: f.genres, text: `${marker} ${f.title}` } }));
  const candidates = [...FILMS.slice(0, 50).map(candidateOf), ...watched.slice(0, 5).map((w) => ({ id: w.itemId, features: w.features }))];

  await openLr(driver, { namespace: 'privacy', autoTrain: { minNewEvents: 3, idleMs: 10 } });
  for (let round = 0; round < 5; round++) {
    await call(driver, 'track', watched.slice(round * 6, round * 6 + 6));
    await call(driver, 'rerank', candidates, { explain: true });
  }
  await call(driver, 'train');
  await call(driver, 'exportData');
  await driver.reload();
  await openLr(driver, { namespace: 'privacy' });
  await call(driver, 'rerank', candidates);
  await call(driver, 'forget');
  // The script tag: clicks on a shop's tiles, stored on the device.
  await driver.goto('/tests/browser/fixtures/garden/index.html');
  await driver.waitFor(() => window.garden.reranked.length > 0, undefined, { timeoutMs: 60_000 });
  const clicked = ['g-1005', 'g-1003'];
  for (const id of clicked) await driver.click(`[data-lr-item="${id}"] a`);
  await expect
    .poll(() => driver.evaluate(async () => ((await window.localrank('exportData')) as { events: Array<{ type: string }> }).events.filter((e) => e.type === 'click').length), { timeout: 30_000 })
    .toBe(2);
  await driver.goto('/tests/browser/fixtures/blank.html');

  const check = (requests: RequestRecord[], seenBy: string) => {
    expect(requests.length, `requests seen by ${seenBy}`).toBeGreaterThan(5);
    for (const r of requests) {
      const url = new URL(r.url);
      const what = `${r.method} ${r.url} (seen by ${seenBy})`;
      expect(r.method, what).toBe('GET');
      expect(r.body, what).toBeNull();
      expect(url.search, what).toBe('');
      expect(url.origin, what).toBe(server.origin);
      expect(url.pathname, what).toMatch(ALLOWED);
      expect(r.url, what).not.toContain(marker);
      for (const id of clicked) expect(r.url, what).not.toContain(id);
    }
  };
  check(server.log.slice(from), 'the server');
  const seen = driver.requests();
  expect(seen !== null, 'whether the driver reports requests').toBe(facts.networkEvents);
  // Requests for other origins (none expected) only the browser's own log can show.
  if (seen) check(seen.filter((r) => !r.url.startsWith('data:') && !r.url.startsWith('blob:')), 'the browser');
});
