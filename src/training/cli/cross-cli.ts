/**
 * `npm run pretrain:cross -- --logs <log>[:<file>...],... [--out dir] [--cases N] [--epochs N]`
 * Trains the cross scorer and its head on several shops' logs (each with its attributes,
 * catalogues and item texts) and writes the model folder: the bundled default model is made so.
 */
import { num, parseArgs, str, type Command } from '../data/args';
import { InputError } from '../data/input-error';
import { writeArtifacts } from '../pretrain/artifacts';
import { DEFAULT_CROSS, buildCrossModel, parseCrossSources, readCrossSource } from '../pretrain/cross-model';
import { initTf } from '../pretrain/node-tf';

const CROSS: Command = {
  usage: 'usage: npm run pretrain:cross -- --logs <log>[:<attributes or catalogue or item2text>...],... [--pool <logs as --logs>] [--out dir] [--cases N] [--epochs N] [--hidden N] [--lr X] [--seed N]',
  flags: ['logs', 'pool', 'out', 'cases', 'epochs', 'hidden', 'lr', 'seed'],
};

export async function main(argv: readonly string[]): Promise<void> {
  const args = parseArgs(argv, CROSS);
  const logs = str(args, 'logs');
  if (!logs) throw new InputError(`--logs is required\n${CROSS.usage}`);
  await initTf('wasm');
  const sources = parseCrossSources(logs);
  const loaded = [];
  for (const source of sources) {
    const data = await readCrossSource(source);
    console.log(`${data.name}: ${data.sequences.length} users, ${data.itemIds.length} items${source.text ? ', with item texts' : ''}`);
    loaded.push({ data, source });
  }
  const { manifest, weights } = await buildCrossModel(loaded, {
    cases: num(args, 'cases', DEFAULT_CROSS.cases),
    epochs: num(args, 'epochs', DEFAULT_CROSS.epochs),
    hidden: num(args, 'hidden', DEFAULT_CROSS.hidden),
    learningRate: num(args, 'lr', DEFAULT_CROSS.learningRate),
    seed: num(args, 'seed', DEFAULT_CROSS.seed),
    log: (line) => console.log(line),
  }, parseCrossSources(str(args, 'pool') ?? ''));
  const out = str(args, 'out', '.cache/models/cross');
  writeArtifacts(out, manifest as never, weights);
  console.log(`wrote ${out} (${manifest.version}, ${weights.byteLength} bytes of weights)`);
}
