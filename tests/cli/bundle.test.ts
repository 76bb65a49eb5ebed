import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import '@tensorflow/tfjs-backend-cpu';
import { build } from 'vite';
import { describe, expect, it } from 'vitest';
import { readArtifacts } from '../../src/training/pretrain/artifacts';
import { Scorer } from '../../src/worker/model/scorer';

const ROOT = join(import.meta.dirname, '../..');
const FIXTURES = join(ROOT, 'tests/fixtures/train');

describe('the bundled bin', () => {
  it('runs from a folder without node_modules: tfjs is bundled in dist/cli, the wasm binaries are those of dist/wasm', async () => {
    const built = mkdtempSync(join(tmpdir(), 'lr-bin-build-'));
    await build({ root: ROOT, configFile: join(ROOT, 'vite.cli.config.ts'), logLevel: 'silent', build: { outDir: built, emptyOutDir: true } });
    expect(readdirSync(built).sort()).toEqual(['localrank.mjs']);

    // As npm installs it: node_modules/localrank/dist/cli/ beside dist/wasm/, with no dependency installed.
    const pkg = join(mkdtempSync(join(tmpdir(), 'lr-bin-')), 'node_modules/localrank/dist/cli');
    const wasm = join(pkg, '../wasm');
    mkdirSync(pkg, { recursive: true });
    mkdirSync(wasm, { recursive: true });
    for (const f of readdirSync(built)) copyFileSync(join(built, f), join(pkg, f));
    const tfjsWasm = join(ROOT, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
    for (const f of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm']) copyFileSync(join(tfjsWasm, f), join(wasm, f));
    const out = join(pkg, '../../../../model');
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [join(pkg, 'localrank.mjs'), 'train', '--events', join(FIXTURES, 'events.csv'), '--catalog', join(FIXTURES, 'catalog.csv'),
        '--out', out, '--epochs', '2', '--dim', '16', '--blocks', '1', '--max-history', '20', '--hash-buckets', '256'],
      { cwd: tmpdir(), env: { ...process.env, NODE_PATH: '' } },
    );
    expect(stderr).toContain('backend wasm');
    expect(stdout).toMatch(/popularity order[\s\S]*wrote /);
    const { manifest, weights } = readArtifacts(out);
    Scorer.fromArtifacts(manifest, weights).dispose();
  }, 120_000);
});
