/**
 * `src/training/cli/`: the `localrank train` command (and the repository's `npm run pretrain` and
 * `npm run pretrain:head`): flags and files to a model folder, with a progress bar, the validation
 * report and the model card. It imports from `../data/` and `../pretrain/`; the evaluation is no
 * part of the command. This file is its entry (`bin.ts`, the bundled bin, only calls it).
 *
 * The `localrank` command line (Node >= 20): `localrank train ...`. Exit status 0 on success,
 * 1 when the input or a flag is wrong (the message says which), 2 for an unknown command.
 */
import { existsSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../data/input-error';
import type { ProgressStream } from './progress';
import { TRAIN_FLAGS, usage } from '../pretrain/settings';
import { runTrain } from './train';

declare const __LOCALRANK_VERSION__: string | undefined;

export const VERSION = typeof __LOCALRANK_VERSION__ === 'string' ? __LOCALRANK_VERSION__ : 'dev';

const TRAIN_INTRO = `Trains a localrank model on a shop's interaction log (and catalogue) and writes a model folder
that createPersonalizer({ model: '<folder url>/manifest.json' }) and the script tag's data-model load:
manifest.json, weights.bin, model-card.md and report.json. The last item of every user with at least
3 events is held out; sampled held-out items choose the epoch kept and are reported against the
popularity order. A checkpoint is written into the folder after each epoch (--resume continues it).`;

export const TRAIN_USAGE = usage('localrank train', TRAIN_FLAGS, TRAIN_INTRO);

const MAIN_USAGE = `Usage: localrank <command> [flags]

Commands:
  train    train a model on your shop's logs (localrank train --help)

localrank ${VERSION}
`;

export interface CliIO {
  out: (text: string) => void;
  err: ProgressStream;
}

/**
 * The bundled CLI (`dist/cli/localrank.mjs`) uses the wasm binaries the package ships for the
 * browser (`dist/wasm/`), so they are in the package once; from the sources, tfjs finds its own.
 */
function bundledWasmDir(): string | undefined {
  const wasm = join(dirname(fileURLToPath(import.meta.url)), '..', 'wasm');
  return existsSync(join(wasm, 'tfjs-backend-wasm.wasm')) ? wasm + sep : undefined;
}

export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    io.out(MAIN_USAGE);
    return command === undefined ? 2 : 0;
  }
  if (command === '--version' || command === '-v') {
    io.out(`${VERSION}\n`);
    return 0;
  }
  if (command !== 'train') {
    io.err.write(`localrank: unknown command "${command}"\n\n${MAIN_USAGE}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(`${TRAIN_USAGE}\n`);
    return 0;
  }
  try {
    await runTrain(rest, { out: io.out, err: io.err, version: VERSION, wasmDir: bundledWasmDir() });
    return 0;
  } catch (error) {
    if (error instanceof InputError) {
      io.err.write(`\nlocalrank train: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
