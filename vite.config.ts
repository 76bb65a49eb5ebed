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

/** The two chunks of the engine: the worker's core, and the model part it imports only where the model can contribute. */
const CHUNKS = [
  { name: 'worker', input: 'src/worker/worker.ts', define: '__WORKER_URL__' },
  { name: 'model', input: 'src/worker/model/part.ts', define: '__MODEL_PART_URL__' },
] as const;

/**
 * The worker as two self-contained, fully minified ES modules: `assets/worker-<hash>.js` (the
 * engine: storage, taste, head, rules, with the in-memory IndexedDB; no TensorFlow.js) and
 * `assets/model-<hash>.js` (the model part: TensorFlow.js, the scorer, backend choice, weights).
 * Neither has imports, lazy chunks or `import.meta.url`, so an app's bundler can copy each as an
 * opaque file: the page names both (src/page/engine-files.ts), and the worker `import()`s the
 * model part from the URL the page hands it. Built first, so that `__WORKER_URL__` and
 * `__MODEL_PART_URL__` name them; `fromEntry` is the folder of the module that starts the worker,
 * relative to the output folder. The licences of what each bundles go to
 * `assets/<name>-licenses.md`, since the minified files keep no comments. The build fails if
 * TensorFlow.js reaches the worker's core.
 */
function workerBundle(define: Record<string, string>, fromEntry: string): Plugin {
  let files: { fileName: string; source: string }[] = [];
  return {
    name: 'localrank:worker',
    apply: 'build',
    async config() {
      files = [];
      const urls: Record<string, string> = {};
      for (const chunk of CHUNKS) {
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
            license: { fileName: `${chunk.name}-licenses.md` },
            rolldownOptions: {
              input: chunk.input,
              // The model part's exports are its interface (an app build would drop them).
              preserveEntrySignatures: 'exports-only',
              output: { format: 'es', codeSplitting: false, comments: false, entryFileNames: `${chunk.name}.js` },
            },
          },
        })) as Rolldown.RolldownOutput;
        const code = result.output.find((file) => file.type === 'chunk');
        const licenses = result.output.find((file) => file.fileName === `${chunk.name}-licenses.md`);
        if (!code || code.type !== 'chunk' || !licenses || licenses.type !== 'asset') throw new Error(`the ${chunk.name} build emitted nothing`);
        if (chunk.name === 'worker' && /@tensorflow\//.test(String(licenses.source))) throw new Error('TensorFlow.js reached the worker\'s core chunk: it belongs in the model part');
        const fileName = `assets/${chunk.name}-${createHash('sha256').update(code.code).digest('base64url').slice(0, 8)}.js`;
        files.push({ fileName, source: code.code }, { fileName: `assets/${chunk.name}-licenses.md`, source: String(licenses.source) });
        urls[chunk.define] = JSON.stringify(fromEntry === 'assets' ? `./${fileName.slice('assets/'.length)}` : `./${fileName}`);
      }
      return { define: urls };
    },
    generateBundle() {
      for (const file of files) this.emitFile({ type: 'asset', ...file });
    },
  };
}

/**
 * One config, three outputs:
 * - `vite build`             the npm library: dist/localrank.js (ESM), its worker and model part, wasm and model
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
    define:
      command === 'serve'
        ? { ...define, __WORKER_URL__: JSON.stringify('../worker/worker.ts'), __MODEL_PART_URL__: JSON.stringify('../worker/model/part.ts') }
        : define,
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
