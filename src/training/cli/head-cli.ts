/**
 * `npm run pretrain:head -- --model <dir> [--own <log>[:<attributes>]] [--transfer <log>[:<attributes>],...]`
 * Trains the ranker head of an existing model and writes it into its manifest: in-domain cases of
 * the model's own log (held-out last items) and the other logs as catalogues it never saw.
 */
import { num, parseArgs, str, type Command } from '../data/args';
import { InputError } from '../data/input-error';
import { readArtifacts, writeArtifacts } from '../pretrain/artifacts';
import { attachHead, lastItems, parseSources, readLogSource } from '../pretrain/model-head';
import { initTf } from '../pretrain/node-tf';

const HEAD: Command = {
  usage: 'usage: npm run pretrain:head -- --model <dir> [--own <log>[:<attributes>]] [--transfer <log>[:<attributes>],...] [--cases N]',
  flags: ['model', 'own', 'transfer', 'cases'],
};

export async function main(argv: readonly string[]): Promise<void> {
  const args = parseArgs(argv, HEAD);
  const dir = str(args, 'model');
  if (!dir) throw new InputError(`--model is required\n${HEAD.usage}`);
  await initTf('wasm');
  const artifacts = readArtifacts(dir);
  const [ownSource] = parseSources(str(args, 'own'));
  const own = ownSource ? await readLogSource(ownSource) : null;
  const transfer = [];
  for (const source of parseSources(str(args, 'transfer'))) transfer.push({ data: await readLogSource(source), source });
  await attachHead(artifacts, own && { data: own, pool: lastItems(own), source: ownSource }, transfer, {
    cases: num(args, 'cases', 3000),
    log: (line) => console.log(line),
  });
  writeArtifacts(dir, artifacts.manifest, artifacts.weights);
  console.log(`wrote the ranker head into ${dir}/manifest.json`);
}
