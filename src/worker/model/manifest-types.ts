/**
 * The `localrank-model/1` manifest's types: what a model declares (its tensors, ids, vocabulary,
 * card and ranker head). Types only; the cross scorer's own manifest is in cross-manifest.ts.
 */
import type { ScorerConfig } from './tower';

export interface ModelManifest {
  format: 'localrank-model/1';
  /** Changes whenever the weights change (dataset, date, short hash of the weights). */
  version: string;
  /** `path` is relative to the manifest URL; `sha256` is the hex digest of the file. */
  weights: { path: string; byteLength: number; sha256: string };
  /** float32 little-endian tensors at byte offsets into the weights file. */
  tensors: Array<{ name: string; shape: number[]; offset: number }>;
  /** Row i + 1 of the id table is ids[i]; row 0 stands for any unknown id. */
  items: { ids: string[] };
  /**
   * The content tokens (as `featureTokens` writes them) the item tower was trained on. An unknown
   * id is placed by its content only as far as its tokens are in this list; without the list,
   * unknown ids are not placed at all.
   */
  vocabulary?: { tokens: string[] };
  /** What the model was trained on and what validation showed, as its trainer declares. */
  card?: ModelCard;
  /** The ranker head that blends the model with the visitor's taste and the server's order. */
  ranker?: RankerSpec;
  config: ScorerConfig;
}

export interface ModelCard {
  /** Names of the logs the towers were trained on. */
  datasets: string[];
  /**
   * Validation showed that the model's ranking for a visitor with no history beats the server's
   * order (the bootstrap interval excluding zero): only then does a new visitor see a change.
   */
  priorBeatsServer: boolean;
  /**
   * The model reads any catalogue (words of titles, categories, brands), not only the ids and tokens
   * it was trained on: the engine loads it on every shop, not only where the catalogue is known to it.
   */
  readsAnyCatalogue?: boolean;
  /**
   * The fewest interactions from which the model's term helps, measured on logs it never saw (the
   * paired interval against the engine without it): below that the engine neither loads nor uses
   * it. Absent: 1.
   */
  minHistory?: number;
  [key: string]: unknown;
}

export interface RankerSpec {
  /** One weight per signal of `src/worker/ranking/signals.ts`; signals it does not name weigh 0. */
  weights: Partial<Record<string, number>>;
  /** The weights to rank with while the model's own term is absent (before it is loaded, or where it cannot run). */
  alone?: Partial<Record<string, number>>;
  /** The logs its cases came from, so an evaluation can leave one out. */
  trainedOn: Array<{ dataset: string; mode: 'in-domain' | 'catalogue'; cases: number; path?: string; attributes?: string; text?: string }>;
  /** Logs it was not trained on that its trainer would add when training it again without one of `trainedOn`. */
  pool?: Array<{ dataset: string; path: string; attributes?: string; text?: string }>;
}
