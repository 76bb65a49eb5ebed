/** Bundle sizes, raw and gzipped (level 9), of what a page downloads. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export interface SizeRow {
  what: string;
  file: string | null;
  raw: number | null;
  gzip: number | null;
  note?: string;
}

function measure(what: string, files: string[], note?: string): SizeRow {
  const present = files.filter((f) => existsSync(f));
  if (present.length === 0) return { what, file: null, raw: null, gzip: null, note: note ?? 'not built' };
  let raw = 0;
  let gzip = 0;
  for (const f of present) {
    const bytes = readFileSync(f);
    raw += bytes.length;
    gzip += gzipSync(bytes, { level: 9 }).length;
  }
  return { what, file: present.join(' + '), raw, gzip, ...(note ? { note } : {}) };
}

function list(dir: string, match: RegExp): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((f) => match.test(f)).map((f) => join(dir, f)) : [];
}

/** `modelDir` holds manifest.json and weights.bin. */
export function bundleSizes(dist: string, modelDir: string): SizeRow[] {
  const scriptTag = [join(dist, 'localrank.iife.js'), ...list(join(dist, 'script'), /\.js$/)].filter((f) => existsSync(f));
  const worker = list(join(dist, 'assets'), /^worker-[^/]+\.js$/);
  const modelPart = list(join(dist, 'assets'), /^model-[^/]+\.js$/);
  return [
    measure('script-tag main-thread file', scriptTag.slice(0, 1), scriptTag.length === 0 ? 'not built yet (script-tag build)' : undefined),
    measure('npm entry (main thread)', [join(dist, 'localrank.js')]),
    measure("worker's core (engine, storage, taste, head, rules, in-memory IndexedDB fallback; no TensorFlow.js)", worker),
    measure('model part (TensorFlow.js, scorer, backend choice; only where the model can contribute)', modelPart),
    measure('wasm binary (SIMD, the one Chromium loads; with the model part)', [join(dist, 'wasm', 'tfjs-backend-wasm-simd.wasm')]),
    measure("model's manifest (read at start-up)", [join(modelDir, 'manifest.json')]),
    measure("model's weights (with the model part)", [join(modelDir, 'weights.bin')]),
  ];
}
