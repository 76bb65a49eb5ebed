/** Reads and writes `localrank-model/1` artifacts on disk (Node only). */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelManifest } from '../worker/scorer';

export function writeArtifacts(dir: string, manifest: ModelManifest, weights: ArrayBuffer): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, manifest.weights.path), new Uint8Array(weights));
  writeFileSync(join(dir, 'manifest.json'), `${JSON.stringify(manifest)}\n`);
}

export function readArtifacts(dir: string): { manifest: ModelManifest; weights: ArrayBuffer } {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as ModelManifest;
  const bytes = readFileSync(join(dir, manifest.weights.path));
  const weights = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return { manifest, weights };
}
