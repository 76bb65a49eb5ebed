/**
 * The head's score of every candidate, computing the relational signals only where they can
 * change anything: for candidates the taste or the model has evidence on (a facet or title word of
 * the taste, an item the visitor came back to, a model score). Every other candidate's signals are
 * all zero but its server position, so its score is the server-only part of the head, two terms;
 * those candidates keep the server's order among themselves (`order` in rerank.ts merges them).
 *
 * The numbers are exactly those of `computeSignals` + `headScores` (signals.ts) over the whole list
 * (tests/worker/ranking/fast-path.test.ts compares them on random inputs): the same float32
 * rounding of every signal, the same sums in the same order; terms that are exact zeros are left
 * out, which changes no sum.
 */
import { SIGNALS, SIGNAL_COUNT, evidenceWeighted, withSignalContext, writeSignals, type HeadWeights } from './signals';
import type { ItemTokens, TasteProfile } from './taste';

export interface ScoreInput {
  /** Candidate index at each server position. */
  server: Int32Array;
  /** Per candidate index. */
  tokens: readonly ItemTokens[];
  ids: readonly string[];
  profile: TasteProfile;
  /** The model's scores and evidence per candidate index; absent when it knows nothing. */
  model?: { scores: Float32Array; evidence: Float32Array };
  head: HeadWeights;
  /** `options.serverWeight`: the override of the head's balance with the server's order. */
  serverWeight?: number;
  /** Also say what each group of signals added to each candidate's score (`Scored.contributions`). */
  contributions?: boolean;
}

export interface Scored {
  /** Final score per candidate index. */
  scores: Float32Array;
  /** 1 per candidate index whose signals were computed (the taste or the model has evidence on it). */
  evidence: Uint8Array;
  /**
   * With `contributions`: per candidate index, the head's terms summed by group, [server, taste,
   * model] (row-major [n, 3]); before any `serverWeight` override.
   */
  contributions?: Float32Array;
}

/** Columns of `Scored.contributions`. */
export const CONTRIBUTION_GROUPS = ['server', 'taste', 'model'] as const;
const MODEL = SIGNALS.indexOf('model');

/** Scratch flags per token id: the tokens the taste holds. */
let inTaste = new Uint8Array(1024);

export function scoreCandidates(input: ScoreInput): Scored {
  const { server, tokens, ids, profile, model, head, serverWeight } = input;
  const n = server.length;
  const scores = new Float32Array(n);
  const evidence = new Uint8Array(n);
  const contributions = input.contributions ? new Float32Array(n * 3) : undefined;
  if (n === 0) return { scores, evidence, contributions };
  // With an override, the head's personal part is scored first (its server weights at 0).
  const weights = SIGNALS.map((name) => (serverWeight !== undefined && (name === 'serverLin' || name === 'serverLog') ? 0 : (head[name] ?? 0)));
  const modelTerm = model ? modelTermByRank(server, model) : null;
  const byRank = new Float32Array(n);
  const signals = new Float32Array(SIGNAL_COUNT);
  withSignalContext(tokens, profile, (context) => {
    const taste = markTaste(profile);
    try {
      for (let rank = 0; rank < n; rank++) {
        const i = server[rank];
        if ((model && model.evidence[i] > 0) || tasteKnows(tokens[i], taste) || profile.items.has(ids[i])) {
          evidence[i] = 1;
          writeSignals(signals, 0, context, tokens[i], ids[i], rank, n, modelTerm ? modelTerm[rank] : 0);
          let s = 0;
          for (let f = 0; f < SIGNAL_COUNT; f++) s += signals[f] * weights[f];
          byRank[rank] = s;
          if (contributions) {
            const server = signals[0] * (head.serverLin ?? 0) + signals[1] * (head.serverLog ?? 0);
            const byModel = signals[MODEL] * weights[MODEL];
            contributions.set([server, s - signals[0] * weights[0] - signals[1] * weights[1] - byModel, byModel], i * 3);
          }
        } else {
          // Every other signal is an exact zero: the server position alone, rounded as a signal is.
          signals[0] = -rank / n;
          signals[1] = -Math.log2(2 + rank) / context.logNorm;
          let s = 0;
          s += signals[0] * weights[0];
          s += signals[1] * weights[1];
          byRank[rank] = s;
          if (contributions) contributions[i * 3] = signals[0] * (head.serverLin ?? 0) + signals[1] * (head.serverLog ?? 0);
        }
      }
    } finally {
      unmarkTaste(profile);
    }
  });
  const final = serverWeight === undefined ? byRank : blendWithServer(byRank, serverWeight);
  for (let rank = 0; rank < n; rank++) scores[server[rank]] = final[rank];
  return { scores, evidence, contributions };
}

/** The evidence-weighted model term by server position (as `computeSignals` lays the model out). */
function modelTermByRank(server: Int32Array, model: { scores: Float32Array; evidence: Float32Array }): Float32Array {
  const n = server.length;
  const scores = new Float32Array(n);
  const evidence = new Float32Array(n);
  for (let rank = 0; rank < n; rank++) {
    scores[rank] = model.scores[server[rank]];
    evidence[rank] = model.evidence[server[rank]];
  }
  return evidenceWeighted(scores, evidence);
}

/**
 * `options.serverWeight` given: (1 - w) x the standardised personal part of the head (every signal
 * but the server's) + w x the standardised server position. 0 ignores the server, 1 keeps its order.
 */
function blendWithServer(personal: Float32Array, serverWeight: number): Float32Array {
  const n = personal.length;
  const position = new Float32Array(n);
  for (let rank = 0; rank < n; rank++) position[rank] = -rank;
  const a = standardise(personal);
  const b = standardise(position);
  const out = new Float32Array(n);
  for (let rank = 0; rank < n; rank++) out[rank] = (1 - serverWeight) * a[rank] + serverWeight * b[rank];
  return out;
}

function markTaste(profile: TasteProfile): Uint8Array {
  let limit = 0;
  for (const t of profile.facets.keys()) if (t >= limit) limit = t + 1;
  for (const t of profile.words.keys()) if (t >= limit) limit = t + 1;
  if (inTaste.length < limit) inTaste = new Uint8Array(Math.max(limit, inTaste.length * 2));
  for (const t of profile.facets.keys()) inTaste[t] = 1;
  for (const t of profile.words.keys()) inTaste[t] = 1;
  return inTaste;
}

function unmarkTaste(profile: TasteProfile): void {
  for (const t of profile.facets.keys()) inTaste[t] = 0;
  for (const t of profile.words.keys()) inTaste[t] = 0;
}

/** The candidate carries a facet or title word the taste holds. */
function tasteKnows({ facets, words }: ItemTokens, taste: Uint8Array): boolean {
  for (let j = 0; j < facets.length; j++) if (taste[facets[j]] === 1) return true;
  for (let j = 0; j < words.length; j++) if (taste[words[j]] === 1) return true;
  return false;
}

export function standardise(values: Float32Array): Float32Array {
  const n = values.length;
  if (n === 0) return new Float32Array(0);
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i];
  mean /= n;
  let variance = 0;
  for (let i = 0; i < n; i++) variance += (values[i] - mean) ** 2;
  const std = Math.sqrt(variance / n);
  const out = new Float32Array(n);
  if (std < 1e-9) return out;
  for (let i = 0; i < n; i++) out[i] = (values[i] - mean) / std;
  return out;
}
