import { gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';

/**
 * The script-tag file must stay small: it is on every page, before anything is personalised. It
 * holds the rule engine, so that the shop's rules hold before the engine loads and when it cannot.
 */
const BUDGET_GZIP_BYTES = 14 * 1024;

function sizeBudget(): Plugin {
  return {
    name: 'localrank:script-size-budget',
    apply: 'build',
    generateBundle(_, bundle) {
      for (const file of Object.values(bundle)) {
        if (file.type !== 'chunk') continue;
        const raw = Buffer.byteLength(file.code);
        const gzip = gzipSync(file.code, { level: 9 }).length;
        this.info(`${file.fileName}: ${raw} B, ${gzip} B gzip (budget ${BUDGET_GZIP_BYTES} B gzip)`);
        if (gzip > BUDGET_GZIP_BYTES) this.error(`${file.fileName} is ${gzip} B gzipped, over the ${BUDGET_GZIP_BYTES} B budget`);
      }
    },
  };
}

/**
 * The script-tag build: `dist/localrank.iife.js`, a classic script (no module loader) that defines
 * `window.localrank`. At runtime it `import()`s `localrank.js` from its own folder, so it is built
 * after, and beside, the npm library (`vite build`); `emptyOutDir: false` keeps that build.
 */
export default defineConfig({
  define: { __DEV__: 'false' },
  plugins: [sizeBudget()],
  build: {
    outDir: 'dist',
    emptyOutDir: false,
    target: 'es2022',
    minify: true,
    sourcemap: true,
    copyPublicDir: false,
    lib: { entry: 'src/tag/script-tag.ts', formats: ['iife'], name: 'localrankTag', fileName: () => 'localrank.iife.js' },
  },
});
