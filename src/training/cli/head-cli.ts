/**
 * `npm run pretrain:head -- --model <dir> [--own <log>[:<attributes>]] [--transfer <log>[:<attributes>],...]`
 * Trains the ranker head of an existing model and writes it into its manifest: in-domain cases of
 * the model's own log (held-out last items) and the other logs as catalogues it never saw.
 */
import { num, parseArgs, str } from '../data/args';
import { readArtifacts, writeArtifacts } from '../pretrain/artifacts';
import { attachHead, lastItems, parseSources, readLogSource } from '../pretrain/model-head';
import { initTf } from '../pretrain/node-tf';

export async function main(argv: readonly string[]): Promise<void> {
  const args = parseArgs(argv);
  const dir = str(args, 'model');
  if (!dir) throw new Error('usage: npm run pretrain:head -- --model <dir> [--own <log>[:<attributes>]] [--transfer <log>[:<attributes>],...]');
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
