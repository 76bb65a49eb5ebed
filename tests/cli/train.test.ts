import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/training/cli/cli';
import { readArtifacts } from '../../src/training/pretrain/artifacts';
import { hasCheckpoint } from '../../src/training/pretrain/checkpoint';
import { runTrain } from '../../src/training/cli/train';
import { Scorer } from '../../src/worker/model/scorer';

const FIXTURES = join(import.meta.dirname, '../fixtures/train');
const EVENTS = join(FIXTURES, 'events.csv');
const CATALOG = join(FIXTURES, 'catalog.csv');
/** Small and fast: a few seconds on two cores. */
const SMALL: Record<string, string | true> = { dim: '16', 'max-history': '20', blocks: '1', 'hash-buckets': '256', lr: '0.01', dropout: '0.1', 'eval-every': '2', quiet: true };

function argv(flags: Record<string, string | true>): string[] {
  return Object.entries(flags).flatMap(([k, v]) => (v === true ? [`--${k}`] : [`--${k}`, v]));
}

function outDir(): string {
  return join(mkdtempSync(join(tmpdir(), 'lr-cli-')), 'model');
}

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (t: string) => out.push(t), err: { write: (t: string) => err.push(t), isTTY: false } } };
}

describe('localrank train', () => {
  it('trains on a CSV log and catalogue into a model folder the scorer loads', async () => {
    const dir = outDir();
    const { out, io } = capture();
    const code = await main(['train', ...argv({ events: EVENTS, catalog: CATALOG, out: dir, epochs: '6', ...SMALL })], io);
    expect(code).toBe(0);
    for (const f of ['manifest.json', 'weights.bin', 'model-card.md', 'report.json']) expect(existsSync(join(dir, f))).toBe(true);
    expect(hasCheckpoint(dir)).toBe(false);

    const { manifest, weights } = readArtifacts(dir);
    const scorer = Scorer.fromArtifacts(manifest, weights);
    expect(scorer.itemIds).toHaveLength(24);
    scorer.dispose();
    const tokens = (manifest as { vocabulary?: { tokens: string[] } }).vocabulary?.tokens ?? [];
    expect(tokens).toContain('cp:shop>dept 1>category 1');
    expect(tokens).toContain('a:color=red');
    expect(tokens).toContain('b:acme');

    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
    expect(report.data).toMatchObject({ rows: 359, badRows: 0, users: 40, items: 24, itemsWithFeatures: 24, catalogueItems: 24 });
    expect(report.validation.rows.map((r: { name: string }) => r.name)).toEqual(['popularity order', 'model, no history (anonymous)', 'model']);
    expect(report.training.history).toHaveLength(6);
    expect(report.resources.peakRssMB).toBeGreaterThan(0);
    expect(readFileSync(join(dir, 'model-card.md'), 'utf8')).toMatch(/## Validation[\s\S]*\| popularity order \|/);
    expect(out.join('')).toMatch(/Validation: [\s\S]*popularity order[\s\S]*model /);
  }, 60_000);

  it('--resume after a crash gives the weights of an uninterrupted run with the same seed', async () => {
    const args = (dir: string, seed = '5') => argv({ events: EVENTS, catalog: CATALOG, out: dir, epochs: '4', seed, ...SMALL });
    const whole = outDir();
    const a = await runTrain(args(whole), { ...capture().io, version: 'test' });

    const broken = outDir();
    const crash = { write: (t: string) => { if (t.startsWith('epoch 3:')) throw new Error('simulated crash'); }, isTTY: false };
    await expect(runTrain(args(broken), { out: () => undefined, err: crash, version: 'test' })).rejects.toThrow('simulated crash');
    expect(hasCheckpoint(broken)).toBe(true);
    await expect(runTrain(args(broken), { ...capture().io, version: 'test' })).rejects.toThrow(/holds a checkpoint of an unfinished run: add --resume/);
    const { err, io } = capture();
    const b = await runTrain([...args(broken), '--resume'], { ...io, version: 'test' });
    expect(err.join('')).toContain('resumed after epoch 2');
    expect(b.report.training).toMatchObject({ resumed: true, epochsRun: 4 });
    expect(b.manifest.weights.sha256).toBe(a.manifest.weights.sha256);

    const other = await runTrain(args(outDir(), '6'), { ...capture().io, version: 'test' });
    expect(other.manifest.weights.sha256).not.toBe(a.manifest.weights.sha256);
  }, 120_000);

  it('refuses to resume a checkpoint of other settings', async () => {
    const dir = outDir();
    const crash = { write: (t: string) => { if (t.startsWith('epoch 2:')) throw new Error('crash'); }, isTTY: false };
    const base = { events: EVENTS, out: dir, epochs: '3', ...SMALL };
    await expect(runTrain(argv(base), { out: () => undefined, err: crash, version: 'test' })).rejects.toThrow('crash');
    const { io } = capture();
    await expect(runTrain(argv({ ...base, lr: '0.02', resume: true }), { ...io, version: 'test' })).rejects.toThrow(/written for other data or settings/);
  }, 60_000);

  it('trains without validation when no user has 3 events, and says so in the model card', async () => {
    const dir = outDir();
    const log = join(dir, '..', 'short.csv');
    writeFileSync(log, ['user,item,time', 'a,x,1714557600', 'a,y,1714557601', 'b,y,1714557602', 'c,x,1714557603'].join('\n'));
    const { io } = capture();
    expect(await main(['train', ...argv({ events: log, out: dir, epochs: '2', ...SMALL })], io)).toBe(0);
    expect(readFileSync(join(dir, 'model-card.md'), 'utf8')).toContain('nothing was held out: the model is not validated');
  }, 60_000);

  it('explains wrong flags and input instead of failing with a stack', async () => {
    const run = async (argv: string[]) => {
      const { out, err, io } = capture();
      return { code: await main(argv, io), out: out.join(''), err: err.join('') };
    };
    expect((await run(['train', '--help'])).out).toMatch(/^Usage: localrank train --events <files>[\s\S]*--max-bad-rows <limit>/);
    expect(await run(['train', '--events', EVENTS, '--epoch', '3'])).toMatchObject({ code: 1, err: expect.stringContaining('unknown flag --epoch (did you mean --epochs?)') });
    expect(await run(['train', '--out', outDir()])).toMatchObject({ code: 1, err: expect.stringContaining('--events is required') });
    expect(await run(['train', '--events', join(FIXTURES, 'missing.csv'), '--out', outDir()])).toMatchObject({ code: 1, err: expect.stringContaining('missing.csv: no such file or folder') });
    expect(await run(['train', '--events', EVENTS, '--dim', '12', '--heads', '5', '--out', outDir()])).toMatchObject({ code: 1, err: expect.stringContaining('--heads (5) must divide --dim (12)') });
    expect(await run(['deploy'])).toMatchObject({ code: 2, err: expect.stringContaining('unknown command "deploy"') });
    expect((await run(['--version'])).out).toMatch(/^\S+\n$/);
  }, 60_000);
});
