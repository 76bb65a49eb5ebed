/**
 * Checkpoints of a training run (Node only), written after every epoch into `<out>/checkpoint/`:
 * the parameters, Adam's state and the position in the random stream, so `--resume` continues
 * exactly where the run stopped. A fingerprint of the data and settings refuses a mismatched resume.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './artifacts';
import { InputError } from '../data/input-error';
import type { Dataset, Sequence } from '../data/dataset';
import type { NamedValues, TrainState } from './train-state';

const FORMAT = 'localrank-checkpoint/1';
export const CHECKPOINT_DIR = 'checkpoint';

interface Entry {
  name: string;
  shape: number[];
  offset: number;
}

interface StateFile extends Omit<TrainState, 'params' | 'optimizer'> {
  format: typeof FORMAT;
  fingerprint: string;
  tensors: { sha256: string; params: Entry[]; optimizer: Entry[] };
}

/** Digest of what a run depends on: the training sequences, the items and the settings. */
export function fingerprint(data: Dataset, train: readonly Sequence[], settings: unknown): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify(settings));
  hash.update(data.itemIds.join('\n'));
  for (const s of train) {
    hash.update(s.user);
    hash.update(new Uint8Array(s.items.buffer, s.items.byteOffset, s.items.byteLength));
  }
  return hash.digest('hex');
}

export function checkpointDir(out: string): string {
  return join(out, CHECKPOINT_DIR);
}

export function hasCheckpoint(out: string): boolean {
  return existsSync(join(checkpointDir(out), 'state.json'));
}

export function saveCheckpoint(out: string, state: TrainState, print: string): void {
  const dir = checkpointDir(out);
  mkdirSync(dir, { recursive: true });
  const all = [...state.params, ...state.optimizer];
  const bytes = new Uint8Array(all.reduce((s, t) => s + t.values.byteLength, 0));
  let offset = 0;
  const entry = (t: NamedValues): Entry => {
    bytes.set(new Uint8Array(t.values.buffer, t.values.byteOffset, t.values.byteLength), offset);
    const e = { name: t.name, shape: t.shape, offset };
    offset += t.values.byteLength;
    return e;
  };
  const { params, optimizer, ...rest } = state;
  const file: StateFile = {
    format: FORMAT,
    fingerprint: print,
    ...rest,
    tensors: { sha256: '', params: params.map(entry), optimizer: optimizer.map(entry) },
  };
  file.tensors.sha256 = createHash('sha256').update(bytes).digest('hex');
  writeFileAtomic(join(dir, 'tensors.bin'), bytes);
  writeFileAtomic(join(dir, 'state.json'), `${JSON.stringify(file)}\n`);
}

/** The checkpoint in `out`, refusing one written for other data or settings. */
export function loadCheckpoint(out: string, print: string): TrainState {
  const dir = checkpointDir(out);
  const file = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as StateFile;
  if (file.format !== FORMAT) throw new InputError(`${dir}: not a ${FORMAT} checkpoint`);
  if (file.fingerprint !== print) {
    throw new InputError(`${dir} was written for other data or settings; run with the same inputs and flags, or delete the folder to start over`);
  }
  const raw = readFileSync(join(dir, 'tensors.bin'));
  if (createHash('sha256').update(raw).digest('hex') !== file.tensors.sha256) {
    throw new InputError(`${dir}: tensors.bin does not match state.json (interrupted while writing?); delete the folder to start over`);
  }
  const bytes = raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength);
  const values = (e: Entry): NamedValues => {
    const size = e.shape.reduce((a, b) => a * b, 1);
    return { name: e.name, shape: e.shape, values: new Float32Array(bytes, e.offset, size) };
  };
  const { format: _format, fingerprint: _print, tensors, ...rest } = file;
  return { ...rest, params: tensors.params.map(values), optimizer: tensors.optimizer.map(values) };
}

export function removeCheckpoint(out: string): void {
  rmSync(checkpointDir(out), { recursive: true, force: true });
}
