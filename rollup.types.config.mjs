import { dts } from 'rollup-plugin-dts';

/**
 * The published types: one self-contained `dist/localrank.d.ts` (no relative imports, so it
 * resolves the same under moduleResolution bundler, node16 and nodenext).
 */
export default {
  input: 'src/index.ts',
  output: { file: 'dist/localrank.d.ts', format: 'es' },
  plugins: [dts({ tsconfig: 'tsconfig.build.json' })],
};
