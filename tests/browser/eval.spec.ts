/**
 * The evaluation harness measures the engine the browser runs: the same users, replayed through the
 * same evaluation loop (src/training/eval/eval-core.ts), must rank the same in Node (fake-indexeddb) and
 * in real Chromium (the built bundle, a real Worker and IndexedDB).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { evaluateCase, PARITY_VARIANTS, shiftCase, type CaseResult, type EngineLike, type EvalCase } from '../../src/training/eval/eval-core';
import type { ReadyInfo } from '../../src/index';
import { call } from './harness';
import { BLANK } from './helpers';

const USERS = 30;

interface Parity {
  modelVersion: string;
  cases: EvalCase[];
  node: CaseResult[];
}

function hitRate(ranks: number[], k: number): number {
  return ranks.filter((r) => r <= k).length / ranks.length;
}

function meanReciprocalRank(ranks: number[]): number {
  return ranks.reduce((sum, r) => sum + 1 / r, 0) / ranks.length;
}

test('a browser run reproduces the Node evaluation figures', async ({ page }) => {
  test.setTimeout(300_000);
  const out = 'reports/parity.json';
  execFileSync('npx', ['tsx', 'scripts/eval-parity.ts', '--users', String(USERS), '--now', String(Date.now()), '--out', out], { stdio: 'pipe' });
  const parity = JSON.parse(readFileSync(out, 'utf8')) as Parity;
  expect(parity.cases).toHaveLength(USERS);

  await page.goto(BLANK);
  await page.evaluate(async () => {
    const bundle = '/dist/localrank.js';
    window.localrankLib = (await import(/* @vite-ignore */ bundle)) as Window['localrankLib'];
  });
  const factory = async (user: string): Promise<EngineLike> => {
    await page.evaluate(async (namespace) => {
      window.lr = await window.localrankLib.createPersonalizer({
        model: '/dist/models/default/manifest.json',
        namespace,
        autoTrain: false,
        // The Node evaluation hands the engine its model ready: here too, from the first rerank.
        loadModel: 'eager',
        retention: { maxEvents: 100_000, maxAgeDays: 3650 },
      });
    }, `parity-${user}`);
    return {
      track: (events) => call(page, 'track', events),
      rerank: (candidates, options) => call(page, 'rerank', candidates, options),
      train: () => call(page, 'train'),
      close: () => call(page, 'close'),
    };
  };
  // Each case is asked now, as Node asked it at its own `now`: the events keep their ages however
  // long after the Node run (and however slowly, on a loaded machine) the browser replays them.
  const browser: CaseResult[] = [];
  for (const c of parity.cases) browser.push(await evaluateCase(factory, shiftCase(c, Date.now()), PARITY_VARIANTS));
  const info = await page.evaluate(async () => {
    return (await (await window.localrankLib.createPersonalizer({ model: '/dist/models/default/manifest.json', namespace: 'parity-info' })).info()) as ReadyInfo;
  });
  expect(info.modelVersion).toBe(parity.modelVersion);

  const learning = (r: CaseResult[]) => r.map((x) => x.ranks.learning);
  const trained = (r: CaseResult[]) => r.map((x) => x.ranks.trained);
  // The ranking is deterministic; what differs is float noise and the seconds a replay takes (which
  // can move an event across a recency bucket): nearly every user's rank agrees.
  const same = browser.filter((b, i) => Math.abs(b.ranks.learning - parity.node[i].ranks.learning) <= 2).length;
  expect(same, `ranks: node ${learning(parity.node)} browser ${learning(browser)}`).toBeGreaterThanOrEqual(Math.ceil(USERS * 0.9));
  for (const pick of [learning, trained]) {
    expect(Math.abs(hitRate(pick(browser), 10) - hitRate(pick(parity.node), 10))).toBeLessThanOrEqual(0.07);
    expect(Math.abs(meanReciprocalRank(pick(browser)) - meanReciprocalRank(pick(parity.node)))).toBeLessThanOrEqual(0.05);
  }
});
