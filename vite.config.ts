import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pkg from './package.json' with { type: 'json' };
import { build, defineConfig, type Plugin, type Rolldown } from 'vite';

const WASM_DIR = 'node_modules/@tensorflow/tfjs-backend-wasm/dist';
const WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'];
/** What the engine needs of a model; the pretraining's catalog.json beside them is for the demo. */
const MODEL_FILES = ['models/default/manifest.json', 'models/default/weights.bin'];

/**
 * Ships the tfjs wasm binaries as files in `wasm/` (beside `assets/`), not as inlined data URLs,
 * so a strict CSP needs no `data:` source and the browser caches them.
 */
function tfjsWasmFiles(): Plugin {
  return {
    name: 'localrank:tfjs-wasm-files',
    apply: 'build',
    generateBundle() {
      for (const name of WASM_FILES) {
        this.emitFile({ type: 'asset', fileName: `wasm/${name}`, source: readFileSync(`${WASM_DIR}/${name}`) });
      }
    },
  };
}

/** The library ships the default model from `public/` (the demo's catalogue stays out of the package). */
function shipModel(): Plugin {
  return {
    name: 'localrank:ship-model',
    apply: 'build',
    generateBundle() {
      for (const fileName of MODEL_FILES) this.emitFile({ type: 'asset', fileName, source: readFileSync(`public/${fileName}`) });
    },
  };
}

/**
 * The worker as one self-contained, fully minified ES module, `assets/worker-<hash>.js`: no
 * imports, no lazy chunks, no `import.meta.url`, so an app's bundler can copy it as an opaque file
 * (src/page/engine-files.ts hands it every URL). Built first, so that `__WORKER_URL__` names it;
 * `fromEntry` is the folder of the module that starts it, relative to the output folder. The
 * licences of what it bundles (TensorFlow.js, comlink, idb, fake-indexeddb) go to
 * `assets/worker-licenses.md`, since the minified file keeps no comments.
 */
function workerBundle(define: Record<string, string>, fromEntry: string): Plugin {
  let files: { fileName: string; source: string }[] = [];
  return {
    name: 'localrank:worker',
    apply: 'build',
    async config() {
      const result = (await build({
        configFile: false,
        logLevel: 'warn',
        define,
        build: {
          write: false,
          emptyOutDir: false,
          copyPublicDir: false,
          target: 'es2022',
          minify: true,
          sourcemap: false,
          license: { fileName: 'worker-licenses.md' },
          rolldownOptions: {
            input: 'src/worker/worker.ts',
            output: { format: 'es', codeSplitting: false, comments: false, entryFileNames: 'worker.js' },
          },
        },
      })) as Rolldown.RolldownOutput;
      const worker = result.output.find((file) => file.type === 'chunk');
      const licenses = result.output.find((file) => file.fileName === 'worker-licenses.md');
      if (!worker || worker.type !== 'chunk' || !licenses || licenses.type !== 'asset') throw new Error('the worker build emitted no worker');
      const fileName = `assets/worker-${createHash('sha256').update(worker.code).digest('base64url').slice(0, 8)}.js`;
      files = [
        { fileName, source: worker.code },
        { fileName: 'assets/worker-licenses.md', source: String(licenses.source) },
      ];
      const relative = fromEntry === 'assets' ? `./${fileName.slice('assets/'.length)}` : `./${fileName}`;
      return { define: { __WORKER_URL__: JSON.stringify(relative) } };
    },
    generateBundle() {
      for (const file of files) this.emitFile({ type: 'asset', ...file });
    },
  };
}

/**
 * One config, three outputs:
 * - `vite build`             the npm library: dist/localrank.js (ESM), its worker, wasm and model
 * - `vite build --mode demo` the demo site (index.html) into dist-demo/, with the same worker
 * - `vite` / `vitest`        the dev server for the demo (the worker from source), and the unit tests
 */
export default defineConfig(({ mode, command }) => {
  const library = command === 'build' && mode !== 'demo';
  const define = {
    __DEV__: JSON.stringify(command === 'serve' || mode === 'test'),
    __LIBRARY__: JSON.stringify(library),
    __VERSION__: JSON.stringify(pkg.version),
  };
  return {
    define: command === 'serve' ? { ...define, __WORKER_URL__: JSON.stringify('../worker/worker.ts') } : define,
    // Relative URLs, so the library works from any folder it is served from.
    base: './',
    plugins:
      command === 'serve'
        ? []
        : [workerBundle(define, library ? '.' : 'assets'), tfjsWasmFiles(), ...(library ? [shipModel()] : [])],
    build: library
      ? {
          outDir: 'dist',
          target: 'es2022',
          sourcemap: true,
          minify: true,
          copyPublicDir: false,
          lib: { entry: 'src/index.ts', formats: ['es'], fileName: () => 'localrank.js' },
          // No `@vite-ignore` may reach apps: Vite's dev server would leave those URLs unresolved.
          rolldownOptions: { output: { comments: { legal: true, annotation: false, jsdoc: false } } },
        }
      : { outDir: 'dist-demo', target: 'es2022', sourcemap: true },
    server: { port: 5173 },
    preview: { port: 4173 },
    test: {
      include: ['tests/**/*.test.ts'],
      environment: 'node',
      reporters: process.env.CI ? ['default', ['json', { outputFile: 'reports/unit.json' }]] : ['default'],
      testTimeout: 60_000,
    },
  };
});
