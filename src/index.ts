/**
 * localrank: on-device personalization for e-commerce pages. This file is the whole public API.
 */
export { createPersonalizer } from './page/create';
/** This library's version (package.json's), for bug reports. */
export const version: string = __VERSION__;
export { LocalrankError, isInputError, isLocalrankError, type ErrorCode, type Fallback } from './shared/errors';
export { LIMITS } from './shared/limits';
export { EVENT_TYPES } from './shared/types';
export type {
  Arm,
  AutoTrainOptions,
  BackendName,
  Candidate,
  CutField,
  DownInfo,
  EngineInfo,
  EventType,
  ExcludedItem,
  ExportedData,
  FieldValue,
  GpuInfo,
  GroupCap,
  Info,
  ItemFeatures,
  ItemMatch,
  LoadProgress,
  ModelState,
  Personalizer,
  PersonalizerEvent,
  PersonalizerOptions,
  RankedItem,
  ReadyInfo,
  Reason,
  RerankOptions,
  RerankResult,
  RetentionOptions,
  StorageStatus,
  StoredEvent,
  TrackEvent,
  TrainReport,
  WeightedMatch,
} from './shared/types';
