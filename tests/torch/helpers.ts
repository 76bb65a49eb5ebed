/**
 * The PyTorch trainer's test fixture: a tiny shop log over the fixture films (users who mostly
 * watch one genre) with the films as a JSON Lines catalogue, and a helper that runs
 * `python -m localrank_torch`. Shared by the unit tests and the browser tests.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import films from '../fixtures/films.json' with { type: 'json' };
import { pythonPath, torchEnv, torchUnavailable } from '../../src/training/pretrain/python';

/**
 * Why PyTorch cannot run here (null when it can). The PyTorch tests skip themselves then, and
 * `npm test` (scripts/test.ts) installs it where it can and says what did not run.
 */
export const TORCH_MISSING = torchUnavailable();

interface Film {
  id: string;
  title: string;
  genres: string[];
}

const GENRES = ['Comedy', 'Action', 'Drama', 'Thriller', "Children's"];

/** A small seeded generator (this file is also loaded by Playwright, which cannot load tfjs). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** Writes `log.txt` (`user item item ...`) and `catalog.jsonl` into `dir`; returns their paths. */
export function writeShopFixture(dir: string, users = 120): { log: string; catalog: string } {
  mkdirSync(dir, { recursive: true });
  const random = lcg(11);
  const all = films as Film[];
  const lines: string[] = [];
  for (let u = 0; u < users; u++) {
    const taste = all.filter((f) => f.genres.includes(GENRES[u % GENRES.length]));
    const length = 4 + Math.floor(random() * 9);
    const items: string[] = [];
    for (let i = 0; i < length; i++) {
      const pool = random() < 0.8 ? taste : all;
      items.push(pool[Math.floor(random() * pool.length)].id);
    }
    lines.push(`u${u} ${items.join(' ')}`);
  }
  const log = join(dir, 'log.txt');
  const catalog = join(dir, 'catalog.jsonl');
  writeFileSync(log, `${lines.join('\n')}\n`);
  writeFileSync(catalog, `${all.map((f) => JSON.stringify({ item_id: f.id, title: f.title, category: f.genres })).join('\n')}\n`);
  return { log, catalog };
}

/** A small, fast model: two blocks and two heads so every part of the tower is exercised. */
export const SMALL_MODEL = ['--dim', '16', '--max-history', '8', '--blocks', '2', '--heads', '2', '--hash-buckets', '256', '--max-tokens', '8'];

/** Runs `python -m localrank_torch <args>` and returns stdout; throws with stderr on failure. */
export function runTorch(args: readonly string[], input?: string): string {
  const result = spawnSync(pythonPath(), ['-m', 'localrank_torch', ...args], {
    env: torchEnv(),
    input,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (result.error) throw new Error(`could not run ${pythonPath()} (install python3-torch or set PYTHON): ${result.error.message}`);
  if (result.status !== 0) throw new Error(`localrank_torch ${args[0]} failed (${result.status}):\n${result.stderr}${result.stdout}`);
  return result.stdout;
}

/** Trains on the fixture into `out` with `processes` ranks; the options fix one global batch. */
export function trainFixture(fixture: { log: string; catalog: string }, out: string, processes: number, extra: readonly string[] = []): string {
  return runTorch([
    'train',
    '--dataset', fixture.log,
    '--catalog', fixture.catalog,
    '--out', out,
    '--cache', join(out, '..', 'corpus'),
    '--processes', String(processes),
    '--threads', '1',
    '--epochs', '3',
    '--eval-every', '3',
    '--lr', '0.005',
    '--batch', '32',
    '--negatives', '64',
    ...SMALL_MODEL,
    ...extra,
  ]);
}
