import { readFileSync } from 'node:fs';
import { defineConfig } from 'vite';

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

/**
 * Emscripten's Node loader in tfjs-backend-wasm reads `__dirname` and `require`, which an ES module
 * lacks; the banner defines them for the bundle's own folder.
 */
const BANNER = [
  '#!/usr/bin/env node',
  "import { createRequire as __lrRequire } from 'node:module';",
  "import { fileURLToPath as __lrPath } from 'node:url';",
  'const require = __lrRequire(import.meta.url);',
  'const __filename = __lrPath(import.meta.url);',
  "const __dirname = __lrPath(new URL('.', import.meta.url));",
].join('\n');

/**
 * The `localrank` bin: `dist/cli/localrank.mjs`, one self-contained ES module for Node >= 20 with
 * tfjs-core and its cpu and wasm backends bundled in; it loads the wasm binaries of `dist/wasm/`. It
 * needs no runtime dependency, so the package's `dependencies` can stay minimal. Built after the library
 * (`vite build` empties dist/).
 */
export default defineConfig({
  define: { __DEV__: 'false', __LOCALRANK_VERSION__: JSON.stringify(pkg.version) },
  publicDir: false,
  ssr: { noExternal: true, target: 'node' },
  build: {
    outDir: 'dist/cli',
    emptyOutDir: true,
    target: 'node20',
    minify: true,
    sourcemap: false,
    ssr: 'src/training/cli/bin.ts',
    rollupOptions: { output: { format: 'es', entryFileNames: 'localrank.mjs', banner: BANNER } },
  },
});
