/**
 * Every command line refuses what it does not understand, before it reads a byte of data: an
 * unknown flag is an error that shows the usage line, a misspelt value of an enumerated flag an
 * error listing the accepted ones.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { main as evalMain } from '../../src/training/eval/eval';
import { main as headMain } from '../../src/training/cli/head-cli';
import { main as pretrainMain } from '../../src/training/cli/pretrain-cli';
import { runTrain } from '../../src/training/cli/train';
import { InputError } from '../../src/training/data/input-error';
import { pythonPath, torchEnv } from '../../src/training/pretrain/python';
import { TORCH_MISSING } from '../torch/helpers';

const io = { out: () => undefined, err: { write: () => true, isTTY: false }, version: 'test' };
/** Each command, a flag it knows, and its usage line. */
const commands: Array<[string, (argv: string[]) => Promise<unknown>, string, RegExp]> = [
  ['npm run eval', evalMain, '--dataset', /usage: npm run eval -- --dataset/],
  ['npm run pretrain', pretrainMain, '--dataset', /usage: npm run pretrain -- --dataset/],
  ['npm run pretrain:head', headMain, '--model', /usage: npm run pretrain:head -- --model/],
  ['localrank train', (argv) => runTrain(argv, io), '--events', /Usage: localrank train --events/],
];

async function inputError(run: Promise<unknown>): Promise<string> {
  const error = await run.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(InputError);
  return (error as Error).message;
}

describe('unknown flags', () => {
  it.each(commands)('%s refuses an unknown flag with its usage line', async (_, run, known, usage) => {
    const message = await inputError(run([known, 'no-such.txt', '--txet', 'x.json']));
    expect(message).toMatch(/^unknown flag --txet/);
    expect(message).toMatch(usage);
  });

  it('npm run eval knows --text (item texts) and every model and training flag of a pretraining', async () => {
    // Past the flag check, the missing file is the first thing it finds wrong.
    const message = await inputError(evalMain(['--dataset', 'no-such.txt', '--text', 't.json', '--dropout', '0.5', '--max-history', '20', '--valid-users', '10']));
    expect(message).toContain('no-such.txt: no such file or folder');
  });

  it.skipIf(TORCH_MISSING)('npm run pretrain:torch refuses an unknown flag with its usage line', () => {
    const result = spawnSync(pythonPath(), ['-m', 'localrank_torch', 'train', '--dataset', 'x', '--txet', 'y'], { env: torchEnv(), encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/usage: localrank_torch train[\s\S]*unrecognized arguments: --txet/);
  });
});

describe('misspelt values', () => {
  it('npm run eval lists the protocols it accepts', async () => {
    expect(await inputError(evalMain(['--dataset', 'x.txt', '--protocol', 'catalog']))).toMatch(/^--protocol must be one of standard, device, retriever, catalogue[^\n]*"catalog"; did you mean catalogue\?/);
  });

  it('localrank train lists the formats, units, types and backends it accepts', async () => {
    for (const [flag, value, accepted] of [
      ['--events-format', 'csvv', 'auto, csv, jsonl, ga4, sequences, movielens'],
      ['--catalog-format', 'json', 'auto, csv, jsonl, item2attributes'],
      ['--time-unit', 'sec', 'auto, s, ms, us, ns, iso'],
      ['--event-type', 'clik', 'auto, impression, view, click'],
      ['--backend', 'wsam', 'wasm, cpu'],
    ]) {
      expect(await inputError(runTrain(['--events', 'no-such.csv', flag, value], io)), flag).toContain(`${flag} must be one of ${accepted}`);
    }
  });

  it.skipIf(TORCH_MISSING)('npm run pretrain:torch lists the formats it accepts', () => {
    const result = spawnSync(pythonPath(), ['-m', 'localrank_torch', 'train', '--dataset', 'x', '--format', 'csvv'], { env: torchEnv(), encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("invalid choice: 'csvv' (choose from 'auto', 'sequences', 'csv', 'jsonl', 'movielens')");
  });
});
