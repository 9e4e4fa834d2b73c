import {
  MemoryAggregateRecorder,
  MemoryApplicationRecorder,
  MemoryFactory,
  MemoryProcessRecorder,
  MemoryTrackingRecorder,
} from '../../src/memory/index.js';
import {
  aggregateRecorderContract,
  applicationRecorderContract,
  processRecorderContract,
  trackingRecorderContract,
} from '../../src/testing/index.js';
import { Environment } from '../../src/utils/environment.js';

aggregateRecorderContract(() => new MemoryAggregateRecorder());
applicationRecorderContract(() => new MemoryApplicationRecorder());
trackingRecorderContract(() => new MemoryTrackingRecorder());
processRecorderContract(() => new MemoryProcessRecorder());

// The recorders as applications get them, disposed of by closing their factory.
const factories = new WeakMap<object, MemoryFactory>();
processRecorderContract(
  (name) => {
    const factory = new MemoryFactory(new Environment(name));
    const recorder = factory.processRecorder();
    factories.set(recorder, factory);
    return recorder;
  },
  { dispose: (recorder) => factories.get(recorder)?.close() },
);
