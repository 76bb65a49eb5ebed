/**
 * Gives a model its ranker head and declares what it knows: the head is trained on the model's own
 * log (in-domain cases) and on other logs as unknown catalogues, and the card says whether the
 * model's ranking for a visitor with no history beats the server's order on validation.
 */
import { existsSync } from 'node:fs';
import { Scorer, type ModelManifest, type RankerSpec } from '../../worker/model/scorer';
import { seededRandom } from '../data/random';
import type { Dataset, Sequence } from '../data/dataset';
import { readDataset } from '../data/load';
import { headScores, type HeadWeights } from '../../worker/ranking/signals';
import { caseSpecs, inDomainCases, trainModelHead, type HeadSource } from './head';
import { pairedBootstrap } from './metrics';

export interface LogSource {
  /** The log's path (relative to the repository), and its item2attributes file if any. */
  path: string;
  attributes?: string;
}

export function readLogSource(source: LogSource): Promise<Dataset> {
  return readDataset(source.path, source.attributes ? [source.attributes] : []);
}

/** Parses `--transfer a.txt:a_attrs.json,b.txt` into sources. */
export function parseSources(list: string | undefined): LogSource[] {
  if (!list) return [];
  return list.split(',').filter(Boolean).map((entry) => {
    const [path, attributes] = entry.split(':');
    return attributes ? { path, attributes } : { path };
  });
}

export function headSources(manifest: ModelManifest): RankerSpec['trainedOn'] {
  return manifest.ranker?.trainedOn ?? [];
}

interface Own {
  data: Dataset;
  /** Targets the towers were not trained on. */
  pool: ReadonlyArray<{ seq: Sequence; end: number }>;
  source?: LogSource;
}

/** Trains a head for the model and writes it, with the card, into the manifest. */
export async function attachHead(
  artifacts: { manifest: ModelManifest; weights: ArrayBuffer },
  own: Own | null,
  transfer: ReadonlyArray<{ data: Dataset; source?: LogSource }>,
  options: { log?: (line: string) => void; seed?: number; cases?: number } = {},
): Promise<void> {
  const scorer = Scorer.fromArtifacts(artifacts.manifest, artifacts.weights);
  try {
    const head = await trainModelHead(own && { scorer, data: own.data, pool: own.pool }, transfer.map((t) => t.data), options);
    if (!head) {
      options.log?.('ranker head: no user with a history and a next item, so the library\'s default head will rank with this model');
      artifacts.manifest.card = { ...artifacts.manifest.card, datasets: artifacts.manifest.card?.datasets ?? (own ? [own.data.name] : []), priorBeatsServer: false };
      return;
    }
    const sourceOf = (s: HeadSource) => (s.mode === 'in-domain' ? own?.source : transfer.find((t) => t.data.name === s.dataset)?.source);
    artifacts.manifest.ranker = {
      weights: head.weights,
      trainedOn: head.trainedOn.map((s) => ({ ...s, ...sourceOf(s) })),
    };
    const priorBeatsServer = own ? await priorBeatsServerOn(scorer, own, head.weights, options.seed ?? 5) : false;
    artifacts.manifest.card = {
      ...artifacts.manifest.card,
      datasets: artifacts.manifest.card?.datasets ?? (own ? [own.data.name] : []),
      priorBeatsServer,
    };
    options.log?.(`ranker head ${JSON.stringify(head.weights)}; prior beats server: ${priorBeatsServer}`);
  } finally {
    scorer.dispose();
  }
}

/**
 * Whether the engine's ranking for a visitor with no history (the model's anonymous prior, through
 * the head) ranks validation targets better than the popularity order, with the paired bootstrap
 * interval of NDCG@10 above zero.
 */
async function priorBeatsServerOn(scorer: Scorer, own: Own, head: HeadWeights, seed: number): Promise<boolean> {
  const cases = await inDomainCases(own.data, caseSpecs(own.data, own.pool, 2000, seed, [0]), scorer, { prior: true });
  const ndcg = (rank: number) => (rank <= 10 ? 1 / Math.log2(rank + 1) : 0);
  const server = cases.map((c) => ndcg(c.target + 1));
  const prior = cases.map((c) => {
    const scores = headScores(c.signals, head, c.candidates);
    let rank = 1;
    for (let j = 0; j < c.candidates; j++) if (j !== c.target && (scores[j] > scores[c.target] || (scores[j] === scores[c.target] && j < c.target))) rank++;
    return ndcg(rank);
  });
  return pairedBootstrap(server, prior, seededRandom(seed)).low > 0;
}

/**
 * Retrains the head of a model without one of the logs it was trained on, from the other sources
 * its manifest records; the honest way to measure transfer to that log.
 */
export async function retrainHeadWithout(artifacts: { manifest: ModelManifest; weights: ArrayBuffer }, dataset: string, options: { log?: (line: string) => void } = {}): Promise<void> {
  const sources = headSources(artifacts.manifest).filter((s) => s.dataset !== dataset);
  const missing = sources.filter((s) => !s.path || !existsSync(s.path));
  if (missing.length > 0) throw new Error(`cannot retrain the ranker head without ${dataset}: the logs of ${missing.map((s) => s.dataset).join(', ')} are not at their recorded paths`);
  const load = (s: (typeof sources)[number]) => readLogSource({ path: s.path!, attributes: s.attributes });
  const ownSource = sources.find((s) => s.mode === 'in-domain');
  const own = ownSource ? await load(ownSource) : null;
  const transfer = [];
  for (const s of sources.filter((x) => x.mode === 'catalogue')) transfer.push({ data: await load(s), source: { path: s.path!, attributes: s.attributes } });
  await attachHead(artifacts, own && { data: own, pool: lastItems(own), source: { path: ownSource!.path!, attributes: ownSource!.attributes } }, transfer, options);
}

/** Every user's last item, the target `npm run pretrain` holds out from the towers. */
export function lastItems(data: Dataset): Array<{ seq: Sequence; end: number }> {
  return data.sequences.filter((s) => s.items.length >= 3).map((seq) => ({ seq, end: seq.items.length - 1 }));
}
