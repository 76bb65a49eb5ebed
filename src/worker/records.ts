/**
 * What a stored record must look like to be used. IndexedDB hands back whatever is on disk: a
 * record written by another version, damaged, or planted by other code on the origin. Each reader
 * returns a clean copy or null; the store drops a null record and counts it, so one bad record
 * costs only itself and never disables the engine.
 */
import { LIMITS } from '../shared/limits';
import { BACKEND_CHOICES, type BackendName, type ItemFeatures, type StoredEvent, type TrainReport } from '../shared/types';
import { checkFeatures, checkTrackEvents } from '../shared/validate';

/** Public features of an item seen in a candidate list, and when it was last seen. */
export interface RememberedItem {
  id: string;
  features: ItemFeatures;
  /** ms since the epoch. */
  seenAt: number;
}

export interface StoredWeights {
  modelVersion: string;
  savedAt: number;
  tensors: Record<string, { shape: number[]; values: Float32Array }>;
}

/** The device's measured backend, remembered so the next start need not measure again. */
export interface BackendCache {
  /** User agent and GPU the measurement was made on. */
  device: string;
  backend: BackendName;
}

/** More numbers than any weights record localrank writes (reactions are 4): a bigger one is not ours. */
const MAX_WEIGHT_VALUES = 65_536;
const MAX_REASON_LENGTH = 1000;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= LIMITS.maxIdLength;
}

/**
 * A stored event as the page validated it when it was tracked, or null. `now` bounds its time: an
 * event from more than a day in the future would outlive every retention limit.
 */
export function readEvent(value: unknown, now: number): StoredEvent | null {
  if (!isRecord(value) || !isId(value.id) || typeof value.itemId !== 'string' || typeof value.time !== 'number') return null;
  const id = value.id;
  try {
    const [event] = checkTrackEvents(value, now, () => id);
    return event;
  } catch {
    return null;
  }
}

export function readItem(value: unknown): RememberedItem | null {
  if (!isRecord(value) || !isId(value.id) || typeof value.seenAt !== 'number' || !Number.isFinite(value.seenAt)) return null;
  try {
    return { id: value.id, features: checkFeatures(value.features, 'item.features'), seenAt: value.seenAt };
  } catch {
    return null;
  }
}

export function readWeights(value: unknown): StoredWeights | null {
  if (!isRecord(value) || typeof value.modelVersion !== 'string' || !Number.isFinite(value.savedAt) || !isRecord(value.tensors)) return null;
  const tensors: StoredWeights['tensors'] = {};
  let total = 0;
  for (const [name, tensor] of Object.entries(value.tensors)) {
    if (!isRecord(tensor) || !Array.isArray(tensor.shape) || !(tensor.values instanceof Float32Array)) return null;
    const shape = tensor.shape as unknown[];
    if (!shape.every((d): d is number => Number.isInteger(d) && (d as number) >= 0)) return null;
    const values = tensor.values;
    total += values.length;
    if (total > MAX_WEIGHT_VALUES || values.length !== shape.reduce((a, b) => a * b, 1)) return null;
    if (!values.every(Number.isFinite)) return null;
    tensors[name] = { shape, values };
  }
  return { modelVersion: value.modelVersion, savedAt: value.savedAt as number, tensors };
}

const REPORT_NUMBERS = ['steps', 'lossBefore', 'lossAfter', 'holdoutBefore', 'holdoutAfter', 'examples', 'durationMs', 'at'] as const;

export function readTrainReport(value: unknown): TrainReport | null {
  if (!isRecord(value)) return null;
  if (!REPORT_NUMBERS.every((key) => Number.isFinite(value[key]))) return null;
  if (typeof value.kept !== 'boolean' || typeof value.reason !== 'string' || value.reason.length > MAX_REASON_LENGTH) return null;
  if (!isBackend(value.backend)) return null;
  const report = { kept: value.kept, reason: value.reason, backend: value.backend } as TrainReport;
  for (const key of REPORT_NUMBERS) report[key] = value[key] as number;
  return report;
}

export function readBackendCache(value: unknown): BackendCache | null {
  if (!isRecord(value) || typeof value.device !== 'string' || value.device.length > 4096 || !isBackend(value.backend)) return null;
  return { device: value.device, backend: value.backend };
}

function isBackend(value: unknown): value is BackendName {
  return typeof value === 'string' && value !== 'auto' && BACKEND_CHOICES.includes(value as BackendName);
}
