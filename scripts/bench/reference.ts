/**
 * The vectors behind the plain-loop reference: the same model, the same candidates and the same
 * history as the engine sees, run through the project's own Scorer on the tfjs cpu backend in
 * Node. The page then times only the dot products and the sort; the engine's returned model
 * scores are checked against these, so the reference provably computes the same thing.
 */
import { initTf } from '../../src/training/pretrain/node-tf';
import { readArtifacts } from '../../src/training/pretrain/artifacts';
import { Scorer } from '../../src/worker/model/scorer';
import type { BenchCandidate, BenchEvent } from './workload';

export interface ReferenceVectors {
  dim: number;
  user: number[];
  /** Row-major [candidates, dim]. */
  items: number[];
}

export async function referenceVectors(modelDir: string, candidates: BenchCandidate[], history: BenchEvent[], now: number): Promise<ReferenceVectors> {
  await initTf('cpu');
  const { manifest, weights } = readArtifacts(modelDir);
  const scorer = Scorer.fromArtifacts(manifest, weights);
  try {
    const items = scorer.itemVectors(candidates.map((c) => ({ id: c.id, features: c.features })));
    const user = scorer.userVector(history.map((e) => ({ itemId: e.itemId, type: e.type, time: e.time, features: e.features })), now);
    const out = { dim: scorer.dim, user: Array.from(await user.data()), items: Array.from(await items.data()) };
    items.dispose();
    user.dispose();
    return out;
  } finally {
    scorer.dispose();
  }
}
