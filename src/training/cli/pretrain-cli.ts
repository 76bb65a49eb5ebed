/**
 * `npm run pretrain -- --dataset <file|ml-100k dir> [--out dir] [--epochs N] ...`: `localrank train`
 * with the repository's conventions (output under .cache/models/<name> by default, progress lines
 * instead of a bar, and catalog.json beside a model whose log carries item features, for the demo).
 */
import { parseArgs, str } from '../data/args';
import { flagNames, TRAIN_FLAGS } from '../pretrain/settings';
import { InputError } from '../data/input-error';
import { stemOf } from '../data/load';
import { runTrain, writeCatalog } from './train';

const USAGE = 'usage: npm run pretrain -- --dataset <file|dir> [--out dir] [--epochs N] (the flags of localrank train --help)';

export async function main(argv: readonly string[]): Promise<void> {
  const args = parseArgs(argv, { usage: USAGE, flags: flagNames(TRAIN_FLAGS) });
  const events = str(args, 'dataset') ?? str(args, 'events');
  if (!events) throw new InputError(`--dataset is required\n${USAGE}`);
  const extra = args.out === undefined ? ['--out', `.cache/models/${stemOf(events.split(',')[0])}`] : [];
  const { dir, data } = await runTrain([...argv, ...extra], {
    out: (text) => process.stdout.write(text),
    err: { write: (text: string) => process.stderr.write(text), isTTY: false },
    version: 'dev',
  }, 'npm run pretrain --');
  writeCatalog(dir, data);
}
