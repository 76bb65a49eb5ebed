import { gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';

/**
 * The script-tag file must stay small: it is on every page, before anything is personalised. Its
 * list part (the reordering and the shop's rules) comes only to pages with a marked list.
 */
const BUDGET_GZIP_BYTES = { tag: 10 * 1024, lists: 8 * 1024 };

function sizeBudget(budget: number): Plugin {
  return {
    name: 'localrank:script-size-budget',
    apply: 'build',
    generateBundle(_, bundle) {
      for (const file of Object.values(bundle)) {
        if (file.type !== 'chunk') continue;
        const raw = Buffer.byteLength(file.code);
        const gzip = gzipSync(file.code, { level: 9 }).length;
        this.info(`${file.fileName}: ${raw} B, ${gzip} B gzip (budget ${budget} B gzip)`);
        if (gzip > budget) this.error(`${file.fileName} is ${gzip} B gzipped, over the ${budget} B budget`);
      }
    },
  };
}

/**
 * The script-tag build: `dist/localrank.iife.js`, a classic script (no module loader) that defines
 * `window.localrank`. At runtime it `import()`s `localrank.js` from its own folder, so it is built
 * after, and beside, the npm library (`vite build`); `emptyOutDir: false` keeps that build.
 * `--mode lists` builds its list part, `dist/localrank-lists.js` (src/tag/list-part.ts), an ES
 * module without imports that the tag `import()`s from the same folder.
 */
export default defineConfig(({ mode }) => {
  const lists = mode === 'lists';
  return {
    define: { __DEV__: 'false' },
    plugins: [sizeBudget(lists ? BUDGET_GZIP_BYTES.lists : BUDGET_GZIP_BYTES.tag)],
    build: {
      outDir: 'dist',
      emptyOutDir: false,
      target: 'es2022',
      minify: true,
      sourcemap: true,
      copyPublicDir: false,
      // Vite keeps an ES library's whitespace (for app bundlers); this one is served as is.
      ...(lists && { rolldownOptions: { output: { minify: true } } }),
      lib: lists
        ? { entry: 'src/tag/list-part.ts', formats: ['es'], fileName: () => 'localrank-lists.js' }
        : { entry: 'src/tag/script-tag.ts', formats: ['iife'], name: 'localrankTag', fileName: () => 'localrank.iife.js' },
    },
  };
});
