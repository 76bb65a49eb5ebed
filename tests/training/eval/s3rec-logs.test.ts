/**
 * An S3-Rec-format log runs as it is: a LastFM-like fixture (tests/fixtures/lastfm: 300 artists, 33
 * of them with 100 to 1,000 tags) through `npm run eval` under every protocol and through
 * `localrank train`. Lists over the engine's limits are cut the same way in training and in the
 * engine, so an item lands on the same content rows on both sides.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../../src/shared/limits';
import { checkCandidates } from '../../../src/shared/validate';
import { runTrain } from '../../../src/training/cli/train';
import { loadDataset } from '../../../src/training/data/load';
import { main as evalMain } from '../../../src/training/eval/eval';
import { featureBuckets } from '../../../src/worker/ranking/features';

const LASTFM = join(import.meta.dirname, '../../fixtures/lastfm');
const LOG = join(LASTFM, 'LastFM.txt');
const ATTRIBUTES = join(LASTFM, 'LastFM_item2attributes.json');
/** A pretraining of seconds: what is tested is that the log runs, not how well. */
const TINY = ['--dim', '16', '--max-history', '10', '--blocks', '1', '--heads', '1', '--hash-buckets', '512', '--epochs', '1', '--valid-users', '20'];

const temp = () => mkdtempSync(join(tmpdir(), 'lr-lastfm-'));

describe('a LastFM-like S3-Rec log with hundreds of tags per artist', () => {
  const raw = JSON.parse(readFileSync(ATTRIBUTES, 'utf8')) as Record<string, number[]>;

  it('is what S3-Rec\'s LastFM is like: many artists over the tag limit, one with 1,000', () => {
    const counts = Object.values(raw).map((tags) => tags.length);
    expect(counts.filter((n) => n > LIMITS.maxTags).length).toBeGreaterThan(30);
    expect(Math.max(...counts)).toBe(1000);
  });

  it.each(['catalogue', 'standard', 'device', 'retriever'])('runs through npm run eval --protocol %s', async (protocol) => {
    const dir = temp();
    const json = join(dir, 'out.json');
    const log = console.log;
    console.log = () => undefined;
    try {
      await evalMain(['--dataset', LOG, '--attributes', ATTRIBUTES, '--protocol', protocol, '--users', '6', '--seed', '3', '--json', json, '--cache', dir, ...(protocol === 'catalogue' ? [] : TINY)]);
    } finally {
      console.log = log;
    }
    const report = JSON.parse(readFileSync(json, 'utf8')) as { protocol: string; rows: Array<{ name: string; 'NDCG@10': number }> };
    expect(report.protocol).toBe(protocol);
    expect(report.rows.length).toBeGreaterThan(1);
    for (const row of report.rows) expect(Number.isFinite(row['NDCG@10']), row.name).toBe(true);
  }, 120_000);

  it('trains with localrank train, saying how many artists had their tags cut', async () => {
    const out = join(temp(), 'model');
    const err: string[] = [];
    const { report } = await runTrain(['--events', LOG, '--catalog', ATTRIBUTES, '--out', out, '--quiet', ...TINY, '--epochs', '2'], {
      out: () => undefined,
      err: { write: (text: string) => err.push(text), isTTY: false },
      version: 'test',
    });
    expect(report.data).toMatchObject({ users: 60, items: 286, itemsCut: 33 });
    expect(err.join('')).toContain('33 items have more than 64 tags');
  }, 60_000);

  it('cuts an artist\'s tags, and then its content tokens, the same in training and in the engine', async () => {
    const { data } = await loadDataset({ events: [LOG], catalogues: [ATTRIBUTES] });
    for (const id of ['9', '18', '27']) {
      const trained = data.features![data.itemIds.indexOf(id)];
      const sent = { tags: raw[id].map((tag) => `LastFM_item2attributes:${tag}`) };
      expect(sent.tags.length).toBeGreaterThan(LIMITS.maxTags);
      const [checked] = checkCandidates([{ id, features: sent }]);
      expect(checked.features).toEqual(trained);
      for (const maxTokens of [16, 64, 128]) expect(featureBuckets(checked.features, 4096, maxTokens)).toEqual(featureBuckets(trained, 4096, maxTokens));
    }
  });
});
