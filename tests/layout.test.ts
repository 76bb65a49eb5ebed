/**
 * The source tree's layout, as docs/architecture.md ("Where the code lives") states it: imports
 * between the folders of `src/training/` and of `src/worker/` flow one way, no file imports itself
 * back through others, and no folder or file grows past what one can read. Imports are read from
 * the text (`import`/`export ... from`, `import type` included, and `import()`), so this runs in
 * milliseconds and needs no dependency.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../src');

/** Folder (relative to src/) -> the folders of its group it may import from. */
const FLOW: Record<string, readonly string[]> = {
  'training/data': [],
  'training/pretrain': ['training/data'],
  'training/eval': ['training/data', 'training/pretrain'],
  'training/cli': ['training/data', 'training/pretrain'],
  'worker/ranking': [],
  'worker/model': ['worker/ranking'],
  worker: ['worker/model', 'worker/ranking'],
};

/** Folders the worker (which runs in a Web Worker) must never import. */
const NOT_FROM_WORKER = ['training', 'page', 'tag'];

const MAX_LINES = 700;
const MAX_FILES_PER_FOLDER = 25;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

const IMPORT = /\b(?:import|export)\s+(?:type\s+)?(?:[\w$*{},\s]*?\s+from\s+)?['"](\.{1,2}\/[^'"]+)['"]|\bimport\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

/** src-relative path -> the src-relative paths of the source files it imports. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(SRC)) {
    const deps: string[] = [];
    for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const base = resolve(dirname(file), m[1] ?? m[2]);
      const hit = [`${base}.ts`, `${base}.tsx`, join(base, 'index.ts')].find((p) => existsSync(p));
      if (hit) deps.push(relative(SRC, hit));
    }
    graph.set(relative(SRC, file), deps);
  }
  return graph;
}

/** The folder of FLOW a file belongs to: the longest one that contains it. */
function flowFolder(file: string): string | undefined {
  return Object.keys(FLOW)
    .filter((folder) => dirname(file) === folder || dirname(file).startsWith(`${folder}/`))
    .sort((a, b) => b.length - a.length)[0];
}

const group = (folder: string) => folder.split('/')[0];

describe('source layout', () => {
  const graph = importGraph();

  it('reads the imports it checks', () => {
    expect(graph.get('training/cli/train.ts')).toContain('training/pretrain/pretrain.ts');
    expect(graph.get('worker/engine.ts')).toContain('worker/model/manifest.ts');
  });

  it('imports between the training folders, and between the worker folders, flow one way', () => {
    const back: string[] = [];
    for (const [file, deps] of graph) {
      const from = flowFolder(file);
      if (!from) continue;
      for (const dep of deps) {
        const to = flowFolder(dep);
        if (!to || to === from || group(to) !== group(from)) continue;
        if (!FLOW[from].includes(to)) back.push(`${file} -> ${dep}`);
      }
    }
    expect(back).toEqual([]);
  });

  it('the worker imports nothing from training, the page or the tag', () => {
    const wrong = [...graph]
      .filter(([file]) => file.startsWith('worker/'))
      .flatMap(([file, deps]) => deps.filter((d) => NOT_FROM_WORKER.includes(d.split('/')[0])).map((d) => `${file} -> ${d}`));
    expect(wrong).toEqual([]);
  });

  it("the worker's core chunk reaches TensorFlow.js through no value import: only the model part does", () => {
    // What worker.ts reaches through imports that stay in the build (`import type` is erased).
    const VALUE_IMPORT = /^\s*(?:import|export)\s+(?!type\b)(?:[\w$*{},\s]*?\s+from\s+)?['"]([^'"]+)['"]/gm;
    const reached = new Set<string>();
    const tensorflow: string[] = [];
    const visit = (file: string) => {
      if (reached.has(file)) return;
      reached.add(file);
      for (const m of readFileSync(join(SRC, file), 'utf8').matchAll(VALUE_IMPORT)) {
        const spec = m[1];
        if (spec.startsWith('@tensorflow/')) tensorflow.push(`${file} -> ${spec}`);
        if (!spec.startsWith('.')) continue;
        const base = resolve(dirname(join(SRC, file)), spec);
        const hit = [`${base}.ts`, join(base, 'index.ts')].find((p) => existsSync(p));
        if (hit) visit(relative(SRC, hit));
      }
    };
    visit('worker/worker.ts');
    expect(reached.has('worker/engine.ts')).toBe(true);
    expect(reached.has('worker/model/part.ts')).toBe(false);
    expect(tensorflow).toEqual([]);
  });

  it('no file imports itself back through others', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (file: string) => {
      state.set(file, 'open');
      stack.push(file);
      for (const dep of graph.get(file) ?? []) {
        if (state.get(dep) === 'open') cycles.push([...stack.slice(stack.indexOf(dep)), dep].join(' -> '));
        else if (!state.has(dep)) visit(dep);
      }
      stack.pop();
      state.set(file, 'done');
    };
    for (const file of graph.keys()) if (!state.has(file)) visit(file);
    expect(cycles).toEqual([]);
  });

  it(`no source file is over ${MAX_LINES} lines, no folder holds over ${MAX_FILES_PER_FOLDER} files`, () => {
    const long = sourceFiles(SRC)
      .map((file) => [relative(SRC, file), readFileSync(file, 'utf8').split('\n').length - 1] as const)
      .filter(([, lines]) => lines > MAX_LINES);
    expect(long).toEqual([]);
    const counts = new Map<string, number>();
    for (const file of sourceFiles(SRC)) counts.set(relative(SRC, dirname(file)), (counts.get(relative(SRC, dirname(file))) ?? 0) + 1);
    expect([...counts].filter(([, n]) => n > MAX_FILES_PER_FOLDER)).toEqual([]);
  });
});
