/**
 * How a model's weights file is laid out, checked before a byte of it is read: every tensor the
 * model's kind needs, of its shape, inside the declared bytes, none overlapping, filling them.
 */
import { LocalrankError } from '../../shared/errors';

export function integrity(message: string): never {
  throw new LocalrankError('MODEL_INTEGRITY', message);
}

export function isInt(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

/** A tensor as a manifest lists it: its name, shape and byte offset in the weights file. */
export interface TensorEntry {
  name: string;
  shape: number[];
  offset: number;
}

/**
 * Checks that a manifest lists exactly the `expected` tensors, each of its shape, inside the
 * declared weights (float32), never overlapping and filling them: what is downloaded is what the
 * shapes need. Returns the tensors to read, in `expected` order.
 */
export function checkTensorLayout(expected: ReadonlyArray<{ name: string; shape: number[] }>, tensors: unknown, byteLength: unknown, maxBytes: number): TensorEntry[] {
  if (!isInt(byteLength, 0, maxBytes)) integrity(`weights.byteLength must be an integer up to ${maxBytes}`);
  const list = (Array.isArray(tensors) ? tensors : []) as TensorEntry[];
  const listed = new Map(list.map((t) => [t?.name, t]));
  if (listed.size !== list.length) integrity('a tensor is listed twice');
  for (const name of listed.keys()) {
    if (!expected.some((s) => s.name === name)) integrity(`unexpected tensor "${name}"`);
  }
  const spans: Array<[number, number]> = [];
  const out = expected.map((spec) => {
    const entry = listed.get(spec.name) ?? integrity(`tensor "${spec.name}" is missing`);
    if (!Array.isArray(entry.shape) || entry.shape.join(',') !== spec.shape.join(',')) {
      integrity(`tensor "${spec.name}" has shape [${entry.shape}], expected [${spec.shape}]`);
    }
    const bytes = spec.shape.reduce((a, b) => a * b, 1) * 4;
    const { offset } = entry;
    if (!Number.isInteger(offset) || offset < 0 || offset % 4 !== 0 || offset + bytes > byteLength) {
      integrity(`tensor "${spec.name}" lies outside the weights file`);
    }
    spans.push([offset, offset + bytes]);
    return { name: spec.name, shape: spec.shape, offset };
  });
  spans.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < spans.length; i++) if (spans[i][0] < spans[i - 1][1]) integrity('tensors overlap in the weights file');
  const needed = spans.reduce((sum, [from, to]) => sum + to - from, 0);
  if (needed !== byteLength) integrity(`the tensors take ${needed} bytes, the manifest declares ${byteLength}`);
  return out;
}
