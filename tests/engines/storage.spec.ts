/**
 * Storage in each engine's private-browsing mode, with storage denied, and on a profile kept across
 * a restart. How each mode is set up per engine: FACTS in engines.ts and scripts/engines/.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReadyInfo, RerankResult } from '../../src/index';
import type { EngineBrowser } from '../../scripts/engines';
import { FILMS, candidateOf, tasteEvents } from '../browser/helpers';
import { call, engineTest, expect, openLr } from './harness';

const candidates = FILMS.slice(0, 60).map(candidateOf);
const clicks = FILMS.filter((f) => f.genres.includes('Comedy')).slice(0, 5).map((f) => ({ type: 'click', itemId: f.id, features: { category: f.genres, text: f.title } }));

/** Opens the npm entry in a new page of `browser`, tracks nothing, and answers `info()`. */
async function infoIn(browser: EngineBrowser, namespace: string): Promise<ReadyInfo> {
  const driver = await browser.newPage();
  try {
    await openLr(driver, { namespace });
    return await call<ReadyInfo>(driver, 'info');
  } finally {
    await driver.close();
  }
}

engineTest('private browsing: the engine keeps events for the session and none survive the browser', async ({ engine, launch, facts }) => {
  // Firefox keeps its profile folder across the restart, so the second launch would see what the first stored.
  const profile = engine === 'firefox' ? mkdtempSync(join(tmpdir(), 'localrank-private-')) : undefined;
  const first = await launch({ storage: 'private', profile });
  const driver = await first.newPage();
  await openLr(driver, { namespace: 'private' });
  expect(await call<ReadyInfo>(driver, 'info')).toMatchObject({ state: 'ready', storage: facts.privateStorage });
  await call(driver, 'track', clicks);
  expect((await call<RerankResult>(driver, 'rerank', candidates)).personalized).toBe(true);
  await driver.reload();
  await openLr(driver, { namespace: 'private' });
  expect((await call<ReadyInfo>(driver, 'info')).events, 'events kept for the session').toBe(clicks.length);
  await call(driver, 'close');
  await driver.close();
  await first.close();

  const second = await launch({ storage: 'private', profile });
  expect((await infoIn(second, 'private')).events, 'events left after the private session ended').toBe(0);
});

engineTest('storage denied: the engine runs on memory storage and says so', async ({ launch }) => {
  const browser = await launch({ storage: 'denied' });
  const driver = await browser.newPage();
  await openLr(driver, { namespace: 'denied' });
  const info = await call<ReadyInfo>(driver, 'info');
  expect(info).toMatchObject({ state: 'ready', storage: 'memory' });
  expect(info.storageStatus?.lastError).toMatch(/^using memory: /);
  const events = tasteEvents();
  await call(driver, 'track', events);
  expect((await call<RerankResult>(driver, 'rerank', candidates)).personalized).toBe(true);
  // Training coordinates tabs with Web Locks where storage is shared; memory storage trains alone.
  const report = await call<{ steps: number; reason: string }>(driver, 'train');
  expect(report.steps, report.reason).toBeGreaterThan(0);
  expect((await call<{ events: unknown[] }>(driver, 'exportData')).events).toHaveLength(events.length);
  await driver.reload();
  await openLr(driver, { namespace: 'denied' });
  expect(await call<ReadyInfo>(driver, 'info'), 'memory keeps nothing across page views').toMatchObject({ state: 'ready', storage: 'memory', events: 0 });
});

engineTest('a kept profile: events survive a browser restart', async ({ launch }) => {
  const profile = mkdtempSync(join(tmpdir(), 'localrank-profile-'));
  const first = await launch({ profile });
  const driver = await first.newPage();
  await openLr(driver, { namespace: 'kept' });
  await call(driver, 'track', clicks);
  await call(driver, 'close');
  await driver.close();
  await first.close();

  const second = await launch({ profile });
  const again = await second.newPage();
  await openLr(again, { namespace: 'kept' });
  expect(await call<ReadyInfo>(again, 'info')).toMatchObject({ storage: 'indexeddb', events: clicks.length });
  const exported = await call<{ events: Array<{ itemId: string }> }>(again, 'exportData');
  expect(exported.events.map((e) => e.itemId).sort()).toEqual(clicks.map((c) => c.itemId).sort());
});
