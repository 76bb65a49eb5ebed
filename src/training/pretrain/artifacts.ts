/** Reads and writes `localrank-model/1` artifacts on disk (Node only). */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelManifest } from '../../worker/model/scorer';

/** Writes `data` beside its final name and renames it there, so readers never see half a file. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/** Weights first, manifest last: a manifest on disk always describes complete weights. */
export function writeArtifacts(dir: string, manifest: ModelManifest, weights: ArrayBuffer): void {
  mkdirSync(dir, { recursive: true });
  writeFileAtomic(join(dir, manifest.weights.path), new Uint8Array(weights));
  writeFileAtomic(join(dir, 'manifest.json'), `${JSON.stringify(manifest)}\n`);
}

export function readArtifacts(dir: string): { manifest: ModelManifest; weights: ArrayBuffer } {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as ModelManifest;
  const bytes = readFileSync(join(dir, manifest.weights.path));
  const weights = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return { manifest, weights };
}
