/**
 * A shop trains a model of its own catalogue with `localrank train` (the built `dist/cli` bin, on
 * the small CSV log and catalogue in tests/fixtures/train) and serves it through the script tag's
 * `data-model`: the tag loads it, and a visitor's clicks on one category raise that category.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import type { RerankedDetail } from '../../src/tag/reorder';
import { clickTilesAndWait } from './storefront';
import './window';

const MODEL_DIR = 'reports/trained-model';
const PAGE = '/tests/browser/fixtures/trained/index.html';
/** Category 0 of the fixture catalogue: p0, p3, p6, ... p21. */
const CATEGORY_0 = ['p0', 'p3', 'p6', 'p9', 'p12', 'p15', 'p18', 'p21'];
const CLICKED = ['p6', 'p15', 'p21'];

test.beforeAll(() => {
  execFileSync(process.execPath, [
    'dist/cli/localrank.mjs', 'train',
    '--events', 'tests/fixtures/train/events.csv', '--catalog', 'tests/fixtures/train/catalog.csv',
    '--out', MODEL_DIR, '--epochs', '4', '--dim', '16', '--blocks', '1', '--max-history', '20', '--hash-buckets', '256', '--quiet',
  ], { stdio: 'pipe' });
});

async function reranked(page: Page): Promise<RerankedDetail> {
  const handle = await page.waitForFunction(() => window.trained.reranked.find((d) => d.listId === 'products'), null, { timeout: 60_000 });
  return (await handle.jsonValue()) as RerankedDetail;
}

function domOrder(page: Page): Promise<string[]> {
  return page.$$eval('#products [data-lr-item]', (tiles) => tiles.map((t) => t.getAttribute('data-lr-item')!));
}

const meanRank = (order: string[], ids: string[]) => ids.reduce((sum, id) => sum + order.indexOf(id), 0) / ids.length;

test('the script tag loads a model trained by `localrank train` and personalises with it', async ({ page }) => {
  const manifest = JSON.parse(readFileSync(`${MODEL_DIR}/manifest.json`, 'utf8')) as { version: string; ranker?: unknown; card?: { priorBeatsServer: boolean } };
  expect(manifest.ranker, 'localrank train gives the model its ranker head').toBeDefined();

  await page.goto(PAGE);
  const first = await reranked(page);
  const server = first.serverOrder;
  const info = await page.evaluate(() => window.localrank('info') as Promise<{ modelVersion?: string } | null>);
  expect(info?.modelVersion).toBe(manifest.version);
  // A newcomer sees the server's order unless the model's card says its ranking for newcomers is better.
  if (!manifest.card?.priorBeatsServer) expect(await domOrder(page)).toEqual(server);

  await clickTilesAndWait(page, CLICKED);

  await page.goto(PAGE);
  const second = await reranked(page);
  expect(second.personalized).toBe(true);
  const order = await domOrder(page);
  const why = `category 0 in ${order.join(' ')}, server ${server.join(' ')}`;
  expect(meanRank(order, CATEGORY_0), why).toBeLessThan(meanRank(server, CATEGORY_0) - 3);
  for (const id of CATEGORY_0.filter((c) => !CLICKED.includes(c))) expect(order.indexOf(id), why).toBeLessThan(10);
});
