/**
 * What a cross model is, without TensorFlow.js: its config, its tensors and the checks of its
 * manifest. The engine's core reads it (to know the model reads any catalogue and how much history
 * it pairs) and the model part checks the rest before a byte of weights is read.
 */
import { CONTEXT_COUNT, PAIR_FEATURE_COUNT, PAIR_HISTORY } from '../ranking/pairs';
import { SIGNAL_COUNT } from '../ranking/signals';
import { checkTensorLayout, integrity, type TensorEntry } from './layout';
import type { ModelManifest } from './manifest-types';

export interface CrossConfig {
  kind: 'cross';
  /** Width of the pair and candidate layers. */
  hidden: number;
  /** Interactions paired with each candidate (`PAIR_HISTORY`). */
  history: number;
  /** Columns of a pair (`PAIR_FEATURE_COUNT`) and of the signals (`SIGNAL_COUNT`) it was trained with. */
  pairFeatures: number;
  signals: number;
  /** Columns of a candidate's context among the touched ones (`CONTEXT_COUNT`). */
  context: number;
  /** Where the weights came from (logs, cases, epochs, loss); informational. */
  training?: Record<string, unknown>;
}

/** The manifest of a cross model: no item ids, no vocabulary, its own config. */
export interface CrossManifest extends Omit<ModelManifest, 'config'> {
  config: CrossConfig;
}

/** Either kind of model: the two-tower scorer of a shop's own model, or the cross scorer. */
export type AnyManifest = ModelManifest | CrossManifest;

export function isCrossManifest(manifest: { config?: unknown }): manifest is CrossManifest {
  return (manifest.config as { kind?: unknown } | undefined)?.kind === 'cross';
}

/** Widest hidden layer a manifest may declare (the bundled model: 32). */
const MAX_HIDDEN = 512;

export function crossConfig(hidden = 32): CrossConfig {
  return { kind: 'cross', hidden, history: PAIR_HISTORY, pairFeatures: PAIR_FEATURE_COUNT, signals: SIGNAL_COUNT, context: CONTEXT_COUNT };
}

/** Every tensor of a cross model, in file order. */
export function crossTensorSpecs(config: CrossConfig): Array<{ name: string; shape: number[] }> {
  const { hidden: h, pairFeatures: f, signals: s, context: c } = config;
  return [
    { name: 'pair/w1', shape: [f, h] },
    { name: 'pair/b1', shape: [h] },
    { name: 'pair/w2', shape: [h, h] },
    { name: 'pair/b2', shape: [h] },
    { name: 'pair/attention', shape: [h, 1] },
    { name: 'out/w1', shape: [2 * h + s + c, h] },
    { name: 'out/b1', shape: [h] },
    { name: 'out/w2', shape: [h, 1] },
    { name: 'out/b2', shape: [1] },
  ];
}

/**
 * Checks a cross model's config against what this engine computes (the same pair features,
 * signals and context, in the same number) and its tensors against the weights' size. Returns the
 * tensors to read.
 */
export function checkCrossManifest(manifest: CrossManifest, maxBytes: number): TensorEntry[] {
  const c = manifest.config;
  if (!Number.isInteger(c.hidden) || c.hidden < 1 || c.hidden > MAX_HIDDEN) integrity(`config.hidden must be an integer from 1 to ${MAX_HIDDEN}`);
  const expected = crossConfig(c.hidden);
  for (const key of ['history', 'pairFeatures', 'signals', 'context'] as const) {
    if (c[key] !== expected[key]) integrity(`config.${key} is ${c[key]}: this model was made for another version of localrank, which computes ${expected[key]}`);
  }
  return checkTensorLayout(crossTensorSpecs(c), manifest.tensors, manifest.weights?.byteLength, maxBytes);
}
