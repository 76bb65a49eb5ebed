import * as env from './env';
import { LocalrankError } from './errors';
import { DEFAULTS } from './limits';
import type { WorkerInit } from './protocol';
import { BACKEND_CHOICES, type PersonalizerOptions } from './types';

const NAMESPACE = /^[\w.-]{1,64}$/;
const LOAD_MODEL: ReadonlyArray<WorkerInit['loadModel']> = ['lazy', 'eager', 'never'];

/** Where the engine's own files are (absolute URLs), for the options that default to them. */
export interface DefaultFiles {
  model: string;
  /** The model part's chunk. */
  modelPart: string;
  modelWeights?: string;
  wasm: string | Record<string, string>;
}

/** Checks `createPersonalizer` options and fills in defaults. */
export function checkPersonalizerOptions(options: PersonalizerOptions, defaults: DefaultFiles): WorkerInit {
  if (typeof options !== 'object' || options === null) {
    throw new LocalrankError('INVALID_OPTIONS', 'options must be an object');
  }
  const namespace = options.namespace ?? DEFAULTS.namespace;
  if (typeof namespace !== 'string' || !NAMESPACE.test(namespace)) {
    throw new LocalrankError('INVALID_OPTIONS', 'namespace must be 1-64 letters, digits, "_", "-" or "."');
  }
  const backend = options.backend ?? DEFAULTS.backend;
  if (!BACKEND_CHOICES.includes(backend)) {
    throw new LocalrankError('INVALID_OPTIONS', `backend must be one of ${BACKEND_CHOICES.join(', ')}`);
  }
  if (options.holdout !== undefined) unit(options.holdout, 'holdout');
  const loadModel = options.loadModel ?? DEFAULTS.loadModel;
  if (!LOAD_MODEL.includes(loadModel)) throw new LocalrankError('INVALID_OPTIONS', `loadModel must be one of ${LOAD_MODEL.join(', ')}`);
  const auto = options.autoTrain ?? DEFAULTS.autoTrain;
  const fineTune = options.fineTune ?? DEFAULTS.fineTune;
  if (typeof fineTune !== 'boolean') throw new LocalrankError('INVALID_OPTIONS', 'fineTune must be true or false');
  return {
    model: resolveUrl(options.model ?? defaults.model),
    modelWeights: options.model === undefined ? defaults.modelWeights : undefined,
    namespace,
    backend,
    loadModel,
    modelPart: defaults.modelPart,
    retention: {
      maxEvents: positive(options.retention?.maxEvents ?? DEFAULTS.maxEvents, 'retention.maxEvents'),
      maxAgeDays: positive(options.retention?.maxAgeDays ?? DEFAULTS.maxAgeDays, 'retention.maxAgeDays'),
    },
    autoTrain:
      auto === false
        ? false
        : {
            minNewEvents: positive((auto === true ? undefined : auto.minNewEvents) ?? DEFAULTS.minNewEvents, 'autoTrain.minNewEvents'),
            idleMs: positive((auto === true ? undefined : auto.idleMs) ?? DEFAULTS.idleMs, 'autoTrain.idleMs', 0),
          },
    fineTune,
    serverWeight: options.serverWeight === undefined ? undefined : unit(options.serverWeight, 'serverWeight'),
    wasmPaths: options.wasmPaths === undefined ? defaults.wasm : resolveUrl(options.wasmPaths),
  };
}

function resolveUrl(url: string | URL): string {
  try {
    return new URL(String(url), env.locationUrl()).href;
  } catch {
    throw new LocalrankError('INVALID_OPTIONS', `not a valid URL: ${String(url)}`);
  }
}

function positive(value: unknown, name: string, min = 1): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new LocalrankError('INVALID_OPTIONS', `${name} must be a finite number >= ${min}`);
  }
  return value;
}

function unit(value: unknown, name: string): number {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
    throw new LocalrankError('INVALID_OPTIONS', `${name} must be between 0 and 1`);
  }
  return value;
}
