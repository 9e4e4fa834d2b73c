import { MemoryAggregateRecorder } from './memory-aggregate-recorder.js';
import { MemoryApplicationRecorder } from './memory-application-recorder.js';
import { MemoryFactory } from './memory-factory.js';
import { MemoryProcessRecorder } from './memory-process-recorder.js';
import { MemoryTrackingRecorder } from './memory-tracking-recorder.js';

export { MemoryAggregateRecorder } from './memory-aggregate-recorder.js';
export { MemoryApplicationRecorder } from './memory-application-recorder.js';
export { MemoryDCBRecorder } from './memory-dcb-recorder.js';
export { MemoryFactory, type MemoryRecorders } from './memory-factory.js';
export { MemoryProcessRecorder } from './memory-process-recorder.js';
export { MemoryTrackingRecorder } from './memory-tracking-recorder.js';
export { MemoryTrackingTable } from './memory-tracking-table.js';
export { OriginatorIndex } from './originator-index.js';

/** Python's name for `MemoryAggregateRecorder`. */
export const POPOAggregateRecorder = MemoryAggregateRecorder;
/** Python's name for `MemoryAggregateRecorder`. */
export type POPOAggregateRecorder = MemoryAggregateRecorder;
/** Python's name for `MemoryApplicationRecorder`. */
export const POPOApplicationRecorder = MemoryApplicationRecorder;
/** Python's name for `MemoryApplicationRecorder`. */
export type POPOApplicationRecorder = MemoryApplicationRecorder;
/** Python's name for `MemoryTrackingRecorder`. */
export const POPOTrackingRecorder = MemoryTrackingRecorder;
/** Python's name for `MemoryTrackingRecorder`. */
export type POPOTrackingRecorder = MemoryTrackingRecorder;
/** Python's name for `MemoryProcessRecorder`. */
export const POPOProcessRecorder = MemoryProcessRecorder;
/** Python's name for `MemoryProcessRecorder`. */
export type POPOProcessRecorder = MemoryProcessRecorder;
/** Python's name for `MemoryFactory`. */
export const POPOFactory = MemoryFactory;
/** Python's name for `MemoryFactory`. */
export type POPOFactory = MemoryFactory;
/** The module's factory under the name `InfrastructureFactory.construct` looks for first. */
export const Factory = MemoryFactory;
/** The module's factory under the name `InfrastructureFactory.construct` looks for first. */
export type Factory = MemoryFactory;
