/**
 * What `src/index.ts` exports, checked at compile time (idb's `typeAssert<IsExact<...>>`): removing
 * or reshaping a public export fails `npm run typecheck` before any user sees it. Adding one
 * means adding it here too, on purpose.
 */
import { describe, expect, it } from 'vitest';
import * as api from '../src/index';

// Every public type is reached as `api.Name`: a type that is no longer exported fails here too.

type IsExact<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function typeAssert<T extends true>(): void {}

// The runtime exports, exactly.
typeAssert<IsExact<keyof typeof api, 'createPersonalizer' | 'version' | 'LocalrankError' | 'isInputError' | 'isLocalrankError' | 'LIMITS' | 'EVENT_TYPES'>>();
typeAssert<IsExact<typeof api.createPersonalizer, (options?: api.PersonalizerOptions) => Promise<api.Personalizer>>>();
typeAssert<IsExact<typeof api.version, string>>();
typeAssert<IsExact<typeof api.isInputError, (error: unknown) => boolean>>();
typeAssert<IsExact<typeof api.isLocalrankError, (value: unknown) => value is api.LocalrankError>>();
typeAssert<IsExact<api.LocalrankError['code'], api.ErrorCode>>();
typeAssert<IsExact<typeof api.EVENT_TYPES, readonly api.EventType[]>>();

// The personalizer's methods.
typeAssert<IsExact<keyof api.Personalizer, 'track' | 'rerank' | 'train' | 'info' | 'exportData' | 'forget' | 'subscribe' | 'close'>>();
typeAssert<IsExact<Parameters<api.Personalizer['track']>, [events: api.TrackEvent | readonly api.TrackEvent[]]>>();
typeAssert<IsExact<Parameters<api.Personalizer['rerank']>, [candidates: readonly api.Candidate[], options?: api.RerankOptions]>>();
typeAssert<IsExact<ReturnType<api.Personalizer['rerank']>, Promise<api.RerankResult>>>();
typeAssert<IsExact<ReturnType<api.Personalizer['train']>, Promise<api.TrainReport>>>();
typeAssert<IsExact<ReturnType<api.Personalizer['info']>, Promise<api.Info>>>();
typeAssert<IsExact<ReturnType<api.Personalizer['exportData']>, Promise<api.ExportedData>>>();
typeAssert<IsExact<Parameters<api.Personalizer['subscribe']>, [listener: (event: api.PersonalizerEvent) => void]>>();

// The codes and the shapes that carry them.
typeAssert<
  IsExact<
    api.ErrorCode,
    | 'INVALID_OPTIONS'
    | 'INVALID_EVENT'
    | 'UNKNOWN_EVENT_TYPE'
    | 'MISSING_ID'
    | 'NON_FINITE'
    | 'BATCH_TOO_LARGE'
    | 'INVALID_CANDIDATES'
    | 'DUPLICATE_ID'
    | 'TIMEOUT'
    | 'WORKER_FAILED'
    | 'MODEL_LOAD_FAILED'
    | 'MODEL_INTEGRITY'
    | 'STORAGE_FAILED'
    | 'BACKEND_UNAVAILABLE'
    | 'CLOSED'
    | 'QUEUE_FULL'
    | 'FORGOTTEN'
    | 'NO_CONSENT'
    | 'ENGINE_UNAVAILABLE'
    | 'NO_EVIDENCE'
    | 'HOLDOUT'
  >
>();
typeAssert<IsExact<api.Fallback, { code: api.ErrorCode; message: string }>>();
typeAssert<IsExact<api.RerankResult['fallback'], api.Fallback | undefined>>();
typeAssert<IsExact<api.PersonalizerEvent['type'], 'train' | 'degraded' | 'recovered'>>();
typeAssert<IsExact<Extract<api.PersonalizerEvent, { type: 'degraded' }>, { type: 'degraded'; code: api.ErrorCode; message: string }>>();
typeAssert<IsExact<Extract<api.PersonalizerEvent, { type: 'recovered' }>, { type: 'recovered'; backend: api.BackendName | 'none' }>>();
typeAssert<IsExact<api.ModelState, 'none' | 'loading' | 'ready' | 'failed'>>();
typeAssert<IsExact<api.BackendName, 'webgpu' | 'webgl' | 'wasm' | 'cpu'>>();
typeAssert<IsExact<api.LoadProgress['status'], 'download' | 'progress' | 'ready'>>();
typeAssert<IsExact<keyof api.PersonalizerOptions, 'model' | 'namespace' | 'backend' | 'loadModel' | 'retention' | 'autoTrain' | 'fineTune' | 'serverWeight' | 'holdout' | 'timeoutMs' | 'wasmPaths' | 'onProgress' | 'onFeaturesCut'>>();
typeAssert<IsExact<api.CutField, 'category' | 'brand' | 'tags' | 'attributes'>>();
typeAssert<
  IsExact<keyof api.RerankOptions, 'k' | 'serverWeight' | 'diversity' | 'explain' | 'explore' | 'exclude' | 'keepTop' | 'pin' | 'boost' | 'bury' | 'maxPerGroup'>
>();
// Rules, the holdout's arm and what they add to results.
typeAssert<IsExact<api.Arm, 'control' | 'treatment'>>();
typeAssert<IsExact<api.FieldValue, string | number | boolean>>();
typeAssert<IsExact<keyof api.ItemMatch, 'field' | 'equals' | 'oneOf' | 'min' | 'max'>>();
typeAssert<IsExact<keyof api.WeightedMatch, keyof api.ItemMatch | 'weight'>>();
typeAssert<IsExact<keyof api.GroupCap, 'field' | 'max' | 'within'>>();
typeAssert<IsExact<api.RerankOptions['exclude'], ReadonlyArray<string | number | api.ItemMatch> | undefined>>();
typeAssert<IsExact<api.RerankOptions['maxPerGroup'], api.GroupCap | readonly api.GroupCap[] | undefined>>();
typeAssert<IsExact<keyof api.RerankResult, 'items' | 'excluded' | 'arm' | 'personalized' | 'fallback' | 'computeMs'>>();
typeAssert<IsExact<api.RerankResult['arm'], api.Arm>>();
typeAssert<IsExact<keyof api.ExcludedItem, 'id' | 'serverRank' | 'rule'>>();
typeAssert<IsExact<api.Info['arm'], api.Arm>>();
typeAssert<IsExact<keyof api.ItemFeatures, 'category' | 'price' | 'text' | 'brand' | 'tags' | 'attributes'>>();
typeAssert<IsExact<keyof api.RetentionOptions, 'maxEvents' | 'maxAgeDays'>>();
typeAssert<IsExact<keyof api.AutoTrainOptions, 'minNewEvents' | 'idleMs'>>();
typeAssert<IsExact<keyof api.RankedItem, 'id' | 'score' | 'modelScore' | 'serverRank' | 'reason'>>();
typeAssert<IsExact<keyof api.Reason, 'text' | 'drivenBy' | 'contributions'>>();
typeAssert<IsExact<api.StorageStatus['state'], 'ok' | 'pruned' | 'failing'>>();
typeAssert<IsExact<api.GpuInfo['adapter'], 'hardware' | 'software' | 'none'>>();
typeAssert<IsExact<api.StoredEvent['type'], api.EventType>>();

describe('src/index.ts', () => {
  it('exports exactly the public API at runtime', () => {
    expect(Object.keys(api).sort()).toEqual(['EVENT_TYPES', 'LIMITS', 'LocalrankError', 'createPersonalizer', 'isInputError', 'isLocalrankError', 'version']);
    expect(api.version).toMatch(/^\d+\.\d+\.\d+/);
  });
});
