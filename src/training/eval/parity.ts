/** Node side of the Node-vs-browser evaluation parity check; see scripts/eval-parity.ts. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import 'fake-indexeddb/auto';
import { num, parseArgs, str } from '../data/args';
import { readArtifacts } from '../pretrain/artifacts';
import { readDataset } from '../data/load';
import { evaluateCases, PARITY_VARIANTS, shiftCase } from './eval-core';
import { nodeEngineFactory } from './node-engine';
import { initTf } from '../pretrain/node-tf';
import { evalCases, splitFor } from './protocols';

export async function runParity(argv: readonly string[]): Promise<void> {
  const args = parseArgs(argv, {
    usage: 'usage: npx tsx scripts/eval-parity.ts [--dataset <file|dir>] [--model <dir>] [--users N] [--seed N] [--now ms] [--out file]',
    flags: ['dataset', 'model', 'users', 'seed', 'now', 'out'],
  });
  const now = num(args, 'now', Date.now());
  await initTf('wasm');
  const data = await readDataset(str(args, 'dataset', '../shared/datasets/ml-100k'));
  const { manifest, weights } = readArtifacts(str(args, 'model', 'public/models/default'));
  const factory = nodeEngineFactory({ manifest, weights }, 'parity');
  const { cases } = evalCases(data, splitFor(data, 'standard', 'test'), 'standard', num(args, 'users', 30), num(args, 'seed', 7));
  const shifted = cases.map((c) => shiftCase(c, now));
  const results = await evaluateCases(factory, shifted, PARITY_VARIANTS);
  factory.dispose();
  const out = str(args, 'out', 'reports/parity.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify({ modelVersion: manifest.version, cases: shifted, node: results }));
}
