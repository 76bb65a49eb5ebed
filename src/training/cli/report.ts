/**
 * What `localrank train` tells about a model: the validation table against the popularity order,
 * `report.json` (everything, machine-readable) and `model-card.md` (the same for people).
 */
import { Scorer, type ModelManifest } from '../../worker/model/scorer';
import { popularity, type Dataset, type Sequence } from '../data/dataset';
import type { DataStats } from '../data/load';
import { meanMetrics, rankOf } from '../pretrain/metrics';
import type { PretrainOptions } from '../pretrain/pretrain';
import { rankWithScorer, type RankCase } from '../pretrain/rank';
import { markdownTable, textTable, type MetricRow } from '../pretrain/table';
import type { EpochRecord } from '../pretrain/train-state';
import type { ScorerConfig } from '../../worker/model/tower';

export const VALIDATION_PROTOCOL =
  'last item of each sampled user (held out from training) against 99 items that user never interacted with';

/**
 * Ranks the validation cases three ways: by popularity in the training data (what a shop's server
 * order often is), by the model without any history (its anonymous prior), and by the model.
 */
export async function validationRows(
  data: Dataset,
  train: readonly Sequence[],
  cases: readonly RankCase[],
  model: { manifest: ModelManifest; weights: ArrayBuffer },
): Promise<MetricRow[]> {
  const counts = popularity(data, train);
  const rowOf = new Map(data.itemIds.map((id, i) => [id, i + 1]));
  // Popularity order as the evaluation builds it: most frequent first, ties by table row.
  const popRanks = cases.map((c) => {
    const rows = c.candidates.map((x) => rowOf.get(x.id) ?? 0);
    const score = (r: number) => counts[r] - r / (data.itemIds.length + 1);
    return rankOf(score(rows[0]), rows.slice(1).map(score));
  });
  const scorer = Scorer.fromArtifacts(model.manifest, model.weights);
  try {
    const modelRanks = await rankWithScorer(scorer, cases);
    const priorRanks = await rankWithScorer(scorer, cases.map((c) => ({ ...c, history: [] })));
    const row = (name: string, ranks: number[]): MetricRow => ({ name, ...meanMetrics(ranks), users: ranks.length });
    return [row('popularity order', popRanks), row('model, no history (anonymous)', priorRanks), row('model', modelRanks)];
  } finally {
    scorer.dispose();
  }
}

export function printValidation(rows: readonly MetricRow[], write: (text: string) => void): void {
  write(`\nValidation: ${VALIDATION_PROTOCOL}\n${textTable(rows)}\n`);
}

export interface TrainReport {
  format: 'localrank-train-report/1';
  createdAt: string;
  localrank: string;
  model: { version: string; manifest: string; weightsBytes: number; sha256: string; items: number; tokens: number };
  data: DataStats;
  settings: { config: Omit<ScorerConfig, 'training'>; options: Omit<PretrainOptions, 'log' | 'validation' | 'resume'> };
  training: { epochsRun: number; bestEpoch: number; stoppedEarly: boolean; resumed: boolean; history: EpochRecord[] };
  validation: { protocol: string; users: number; rows: MetricRow[] };
  resources: {
    readSeconds: number;
    /** Events read per second of the reading step (all rows, kept or not). */
    readRowsPerSecond: number;
    /** CPU time (user + system) of reading: the wall time on a machine shared with other work. */
    readCpuSeconds: number;
    /** Peak resident memory by the end of reading (the compact log and the vocabularies). */
    readPeakRssMB: number;
    trainSeconds: number;
    /** Training events (targets) per second of training, over the epochs run in this process. */
    trainEventsPerSecond: number;
    trainCpuSeconds: number;
    /** Peak resident memory of the whole run. */
    peakRssMB: number;
  };
}

const fmt = (n: number) => n.toLocaleString('en-US');

function statRows(r: TrainReport): string[] {
  const d = r.data;
  const rows: Array<[string, string]> = [
    ['event rows read', fmt(d.rows)],
    ['unreadable rows (skipped)', fmt(d.badRows)],
    ['events used', `${fmt(d.events)} (${Object.entries(d.eventTypes).map(([t, n]) => `${t} ${fmt(n ?? 0)}`).join(', ')})`],
    ['repeats merged', fmt(d.collapsed)],
    ['not used', Object.entries(d.ignored).map(([k, n]) => `${k} ${fmt(n)}`).join(', ') || 'none'],
    ['users', fmt(d.users)],
    ['items', `${fmt(d.items)} (${fmt(d.itemsWithFeatures)} with content features)`],
    ['catalogue entries', fmt(d.catalogueItems)],
    ['content tokens', fmt(r.model.tokens)],
  ];
  if (d.firstEvent) rows.push(['events from', `${d.firstEvent} to ${d.lastEvent}`]);
  return ['| | |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${v} |`)];
}

function verdict(r: TrainReport): string {
  if (r.validation.users === 0) return 'No user has 3 events or more, so nothing was held out: the model is not validated.';
  const ndcg = (name: string) => r.validation.rows.find((x) => x.name === name)?.['NDCG@10'] ?? 0;
  const [model, pop] = [ndcg('model'), ndcg('popularity order')];
  const figures = `NDCG@10 ${model.toFixed(4)} against ${pop.toFixed(4)}`;
  return model > pop
    ? `The model ranks the held-out items better than the popularity order (${figures}).`
    : `The model does not beat the popularity order on the held-out items (${figures}); more data or other settings may help.`;
}

export function modelCard(r: TrainReport): string {
  const c = r.settings.config;
  const o = r.settings.options;
  return `# Model card: ${r.model.version}

Trained by \`localrank train\` (localrank ${r.localrank}) on ${r.createdAt.slice(0, 10)}.
Load it with \`createPersonalizer({ model: '<url of this folder>/manifest.json' })\` or the script tag's
\`data-model="<url of this folder>/manifest.json"\`; serve \`manifest.json\` and \`weights.bin\` together.

## Data

${statRows(r).join('\n')}

Sources: ${r.data.sources.map((s) => `${s.file} (${s.format}, ${fmt(s.rows)} rows)`).join(', ')}${
    r.data.catalogues.length ? `; catalogue: ${r.data.catalogues.map((s) => `${s.file} (${s.format}, ${fmt(s.items)} entries)`).join(', ')}` : ''
  }.

## Model and training

Two-tower model: dim ${c.dim}, ${c.blocks} self-attention block(s) with ${c.heads} head(s), the last ${c.maxHistory} events,
${c.hashBuckets > 0 ? `${c.hashBuckets} content hash buckets, up to ${c.maxTokens} tokens per item` : 'no content features'};
${fmt(r.model.items)} item ids, weights ${fmt(r.model.weightsBytes)} bytes (sha256 \`${r.model.sha256.slice(0, 16)}...\`).

Trained ${r.training.epochsRun} epoch(s) of at most ${o.epochs}${r.training.stoppedEarly ? ' (stopped early)' : ''}; kept epoch ${r.training.bestEpoch}.
Batch ${o.batchSize}, learning rate ${o.learningRate}, ${o.negatives} sampled negatives, dropout ${o.dropout}, id dropout ${o.idDropout}, seed ${o.seed}.

## Validation

${r.validation.users} users: ${VALIDATION_PROTOCOL}. The held-out items also chose the epoch kept, so the figures are slightly optimistic.

${markdownTable(r.validation.rows)}

${verdict(r)}
`;
}
