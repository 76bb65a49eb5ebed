import { readdirSync, readFileSync } from 'node:fs';
import pkg from './package.json' with { type: 'json' };
import { defineConfig, type Plugin } from 'vite';

const WASM_DIR = 'node_modules/@tensorflow/tfjs-backend-wasm/dist';
const WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'];

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

/**
 * The library ships only the models from `public/` (the demo's catalogue stays out of the package).
 */
function shipModels(): Plugin {
  return {
    name: 'localrank:ship-models',
    apply: 'build',
    generateBundle() {
      for (const entry of readdirSync('public/models', { recursive: true, withFileTypes: true })) {
        if (!entry.isFile()) continue;
        const path = `${entry.parentPath}/${entry.name}`;
        this.emitFile({ type: 'asset', fileName: path.replace(/^public\//, ''), source: readFileSync(path) });
      }
    },
  };
}

/**
 * One config, three outputs:
 * - `vite build`             the npm library: dist/localrank.js (ESM) + the worker chunk + dist/models/
 * - `vite build --mode demo` the demo site (index.html) into dist-demo/
 * - `vite` / `vitest`        the dev server for the demo, and the unit tests
 */
export default defineConfig(({ mode, command }) => {
  const library = command === 'build' && mode !== 'demo';
  return {
    define: {
      __DEV__: JSON.stringify(command === 'serve' || mode === 'test'),
      __MODEL_BESIDE_MODULE__: JSON.stringify(library),
      __VERSION__: JSON.stringify(pkg.version),
    },
    // Relative URLs, so the library works from any folder it is served from.
    base: './',
    plugins: library ? [tfjsWasmFiles(), shipModels()] : [tfjsWasmFiles()],
    worker: { format: 'es' },
    build: library
      ? {
          outDir: 'dist',
          target: 'es2022',
          sourcemap: true,
          minify: true,
          copyPublicDir: false,
          lib: { entry: 'src/index.ts', formats: ['es'], fileName: () => 'localrank.js' },
          rollupOptions: { output: { assetFileNames: 'assets/[name]-[hash][extname]' } },
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
