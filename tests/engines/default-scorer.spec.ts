/**
 * The bundled default scorer (the cross scorer: it reads any catalogue) in each engine, on a shop
 * none of its training logs holds (tests/browser/fixtures/unseen: made-up words): it stays away
 * from a newcomer and a visitor with fewer interactions than its card asks for, then loads behind the
 * ranking and scores what the visitor's history touches, on wasm as on cpu.
 */
import { readFileSync } from 'node:fs';
import type { RerankResult, ReadyInfo } from '../../src/index';
import { call, engineTest, expect, openLr, type Driver } from './harness';

interface Product { id: string; family: number; category: string[]; brand: string; title: string; price: number; score: number }
const UNSEEN = JSON.parse(readFileSync(new URL('../browser/fixtures/unseen/catalog.json', import.meta.url), 'utf8')) as { items: Product[] };
const DEFAULT_MODEL = '/dist/models/default/manifest.json';

const features = (p: Product) => ({ category: p.category, brand: p.brand, text: p.title, price: p.price });
const bySales = [...UNSEEN.items].sort((a, b) => b.score - a.score);
// The family the server sells least: its three best sellers are clicked, the other three must rise.
const FAMILY = 2;
const clicked = bySales.filter((p) => p.family === FAMILY).slice(0, 3);
const list = bySales.filter((p) => !clicked.includes(p)).map((p) => ({ id: p.id, score: p.score, features: features(p) }));
const clicks = clicked.map((p, i) => ({ type: 'click', itemId: p.id, time: Date.now() - (3 - i) * 60_000, features: features(p) }));

const rerank = (driver: Driver) => call<RerankResult>(driver, 'rerank', list, { explain: true });
const scored = (result: RerankResult) => result.items.filter((item) => item.modelScore !== null);

engineTest('npm entry: the default scorer reads a shop it never saw: it loads from the third interaction and scores on wasm as on cpu', async ({ driver }) => {
  await openLr(driver, { model: DEFAULT_MODEL, loadModel: 'lazy', backend: 'wasm', namespace: 'default-scorer' });
  const newcomer = await rerank(driver);
  expect(newcomer.items.map((item) => item.id), "a newcomer: the server's order").toEqual(list.map((c) => c.id));

  await call(driver, 'track', clicks.slice(0, 2));
  const two = await rerank(driver);
  expect(two.personalized).toBe(true);
  expect(scored(two), 'below the card\'s minHistory the scorer stays away').toEqual([]);
  expect((await call<ReadyInfo>(driver, 'info')).model).toBe('none');

  await call(driver, 'track', clicks[2]);
  await rerank(driver);
  await expect.poll(async () => (await call<ReadyInfo>(driver, 'info')).model, { timeout: 60_000 }).toBe('ready');
  const wasm = await rerank(driver);
  const touched = scored(wasm);
  expect(touched.length, 'it scores the candidates the history touches').toBeGreaterThan(5);
  expect(touched.some((item) => (item.reason?.contributions?.model ?? 0) !== 0), "the scorer's own part shows in the explanations").toBe(true);
  const family = new Set(UNSEEN.items.filter((p) => p.family === FAMILY).map((p) => p.id));
  const meanRank = (result: RerankResult) => {
    const ranks = result.items.flatMap((item, rank) => (family.has(item.id) ? [rank] : []));
    return ranks.reduce((a, b) => a + b, 0) / ranks.length;
  };
  expect(meanRank(wasm), 'the clicked family moves up').toBeLessThan(meanRank(newcomer) - 5);
  expect((await call<ReadyInfo>(driver, 'info')).backend).toBe('wasm');
  await call(driver, 'close');

  await openLr(driver, { model: DEFAULT_MODEL, loadModel: 'eager', backend: 'cpu', namespace: 'default-scorer-cpu' });
  await call(driver, 'track', clicks);
  const cpu = await rerank(driver);
  const reference = new Map(scored(cpu).map((item) => [item.id, item.modelScore as number]));
  expect([...reference.keys()].sort()).toEqual(touched.map((item) => item.id).sort());
  for (const item of touched) expect(Math.abs((item.modelScore as number) - reference.get(item.id)!), item.id).toBeLessThan(2e-3);
  expect(wasm.items.slice(0, 10).map((item) => item.id)).toEqual(cpu.items.slice(0, 10).map((item) => item.id));
});
