/**
 * The package as npm publishes it (`npm pack` of the built `dist/`): only what a consumer needs,
 * within its size budget; clean by the ecosystem's linters (publint, Are The Types Wrong); types that
 * resolve under moduleResolution bundler, node16 and nodenext with skipLibCheck off.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { promisify } from 'node:util';
import { expect, test } from '@playwright/test';
import { install, pack, ROOT, type PackResult } from './apps';

const run = promisify(execFile);

/**
 * Every file the package may hold, with its budget: bytes as packed, and gzip bytes for code a page
 * downloads. A file matching no row fails, so nothing ships by accident (demo data, large source
 * maps). A new kind of file (the CLI bundle, `dist/cli/`) comes with its own row.
 */
const FILES: { pattern: RegExp; what: string; maxBytes: number; maxGzip?: number }[] = [
  { pattern: /^package\.json$/, what: 'the manifest', maxBytes: 5_000 },
  { pattern: /^README\.md$/, what: 'the README', maxBytes: 30_000 },
  // 13.25 kB: the items' numbers on the wire (src/page/pack.ts) took it past 13 kB, for a quarter of a millisecond per rerank of 1,000.
  { pattern: /^dist\/localrank\.js$/, what: 'the npm entry, main thread', maxBytes: 44_000, maxGzip: 13_568 },
  { pattern: /^dist\/localrank\.iife\.js$/, what: 'the script tag', maxBytes: 32_000, maxGzip: 10_240 },
  { pattern: /^dist\/localrank-lists\.js$/, what: "the script tag's list part, loaded where a page has a list to reorder", maxBytes: 16_000, maxGzip: 8_192 },
  { pattern: /^dist\/localrank(\.iife|-lists)?\.js\.map$/, what: 'source maps of the page-side code', maxBytes: 220_000 },
  { pattern: /^dist\/localrank\.d\.ts$/, what: 'the types, one file', maxBytes: 30_000 },
  { pattern: /^dist\/assets\/worker-[\w-]{8}\.js$/, what: "the worker's core (no TensorFlow.js), loaded lazily", maxBytes: 160_000, maxGzip: 48_000 },
  { pattern: /^dist\/assets\/model-[\w-]{8}\.js$/, what: 'the model part (TensorFlow.js), loaded only where the model can contribute', maxBytes: 1_100_000, maxGzip: 270_000 },
  { pattern: /^dist\/assets\/(worker|model)-licenses\.md$/, what: "the licences of the worker's and the model part's dependencies", maxBytes: 50_000 },
  { pattern: /^dist\/wasm\/tfjs-backend-wasm(-simd|-threaded-simd)?\.wasm$/, what: 'the wasm backend', maxBytes: 450_000 },
  { pattern: /^dist\/models\/default\/(manifest\.json|weights\.bin)$/, what: 'the default model', maxBytes: 1_800_000 },
  { pattern: /^dist\/cli\/localrank\.mjs$/, what: '`localrank train` (Node, tfjs bundled in; uses dist/wasm/)', maxBytes: 900_000 },
];
/** The tarball: 2.6 MB at 0.1.0 (the model's weights are 1.7 MB of it, `localrank train` 0.2 MB). */
const PACKED_BYTES = 2_900_000;

let packed: PackResult & { tarball: string };

test.beforeAll(async () => {
  packed = await pack();
});

test(`the tarball holds only what a consumer needs, within ${PACKED_BYTES / 1e6} MB packed`, async () => {
  const report = [`packed ${packed.size} B, unpacked ${packed.unpackedSize} B`];
  for (const file of packed.files) {
    const row = FILES.find((r) => r.pattern.test(file.path));
    expect(row, `${file.path} is not something a consumer needs (or add a row to FILES)`).toBeDefined();
    expect(file.size, `${file.path} (${row!.what})`).toBeLessThanOrEqual(row!.maxBytes);
    if (row!.maxGzip) {
      const gzip = gzipSync(readFileSync(join(ROOT, file.path)), { level: 9 }).length;
      report.push(`${file.path}: ${file.size} B, ${gzip} B gzip`);
      expect(gzip, `${file.path} (${row!.what}) gzipped`).toBeLessThanOrEqual(row!.maxGzip);
    }
  }
  for (const row of FILES) expect(packed.files.some((f) => row.pattern.test(f.path)), `no ${row.what} in the package`).toBe(true);
  expect(packed.size).toBeLessThanOrEqual(PACKED_BYTES);
  test.info().annotations.push({ type: 'sizes', description: report.join('; ') });
});

test('the tarball has the bin, the types and every file the README names', () => {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    main: string;
    types: string;
    bin: Record<string, string>;
    exports: Record<string, string | Record<string, string>>;
  };
  const targets = Object.values(manifest.exports).flatMap((t) => (typeof t === 'string' ? [t] : Object.values(t)));
  const declared = [manifest.main, manifest.types, ...Object.values(manifest.bin), ...targets].map((p) => p.replace(/^\.\//, '').replace(/\*$/, ''));
  expect(Object.values(manifest.bin)).toEqual(['./dist/cli/localrank.mjs']);
  // A path the README names, a file (`dist/localrank.iife.js`) or a folder to copy (`dist/wasm`).
  const named = [...readFileSync(join(ROOT, 'README.md'), 'utf8').matchAll(/\bdist\/[\w.\-/]*\w/g)].map((m) => m[0]);
  expect(named.length).toBeGreaterThan(3);
  const paths = packed.files.map((f) => f.path);
  for (const path of new Set([...declared, ...named])) {
    const folder = path.endsWith('/') ? path : `${path}/`;
    expect(paths.some((p) => p === path || p.startsWith(folder)), `${path} is not in the tarball`).toBe(true);
  }
  const bin = readFileSync(join(ROOT, 'dist/cli/localrank.mjs'), 'utf8');
  expect(bin.startsWith('#!/usr/bin/env node')).toBe(true);
});

test('packing builds the whole package, and no script leaves dist/ half-built', () => {
  const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  expect(scripts.prepack).toBe('npm run build');
  // `vite build` of the library empties dist/ (the script tag, the bin and the types go with it):
  // only the full build may run it, and what needs dist/ runs the full build.
  const libraryBuild = (command: string) => /^vite build(?!.*(?:\s-c\s|--config|--mode demo))/.test(command.trim());
  for (const [name, script] of Object.entries(scripts)) {
    const steps = script.split('&&');
    if (name === 'build') expect(libraryBuild(steps[0])).toBe(true);
    else expect(steps.some(libraryBuild), `npm run ${name} runs a bare vite build: use npm run build`).toBe(false);
  }
  expect(scripts.bench.startsWith('npm run build && ')).toBe(true);
});

test('a consumer installs nothing else: no dependencies, no install scripts', async () => {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
  expect(manifest.dependencies ?? {}).toEqual({});
  expect(manifest.peerDependencies ?? {}).toEqual({});
  expect(Object.keys(manifest.scripts ?? {}).filter((s) => /^(pre|post)?install$|^prepare$/.test(s))).toEqual([]);
  // The tarball really is the built package: gzip of a tar with the entry inside.
  expect(gunzipSync(readFileSync(packed.tarball)).includes('package/dist/localrank.js')).toBe(true);
});

test('publint and Are The Types Wrong find nothing', async () => {
  const bin = (name: string) => join(ROOT, 'node_modules/.bin', name);
  const publint = await run(bin('publint'), ['run', packed.tarball, '--strict']);
  expect(publint.stdout).toContain('All good!');
  // ESM only, for browsers: a CommonJS require() is not supported, and says so.
  await run(bin('attw'), [packed.tarball, '--profile', 'esm-only', '--format', 'ascii']);
});

let typesApp: Promise<string> | null = null;

for (const resolution of ['bundler', 'node16', 'nodenext']) {
  test(`the types resolve under moduleResolution ${resolution} with skipLibCheck off, and are not any`, async () => {
    typesApp ??= install('types', packed.tarball);
    const dir = await typesApp;
    try {
      await run(join(ROOT, 'node_modules/.bin/tsc'), ['-p', `tsconfig.${resolution}.json`], { cwd: dir });
    } catch (error) {
      throw new Error(`tsc (${resolution}) failed:\n${(error as { stdout?: string }).stdout}`);
    }
  });
}
