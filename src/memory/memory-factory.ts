import { InfrastructureFactory } from '../persistence/infrastructure-factory.js';
import { MemoryAggregateRecorder } from './memory-aggregate-recorder.js';
import { MemoryProcessRecorder } from './memory-process-recorder.js';
import { MemoryTrackingRecorder } from './memory-tracking-recorder.js';
import { TrackingTable } from './tracking-table.js';

/**
 * The in-memory persistence module's factory (Python's `POPOFactory`), the default
 * (`PERSISTENCE_MODULE=memory`, alias `popo`). Its recorders belong to it, so two applications
 * (two factories) never share memory, and nothing survives the process.
 *
 * Each factory holds one store per purpose and returns the same recorder on every call:
 * - `aggregateRecorder(purpose)`: one `MemoryAggregateRecorder` per purpose (`'events'`,
 *   `'snapshots'`, ...);
 * - `applicationRecorder()` and `processRecorder()`: one `MemoryProcessRecorder`, the same
 *   object for both (a process recorder is an application recorder);
 * - `trackingRecorder()`: one `MemoryTrackingRecorder` that shares its tracking records with
 *   that process recorder.
 *
 * `close()` stops the recorders' subscriptions and interrupts pending waits; the data stays.
 */
export class MemoryFactory extends InfrastructureFactory {
  private readonly aggregateRecorders = new Map<string, MemoryAggregateRecorder>();
  private readonly trackingTable = new TrackingTable();
  private processRecorderInstance: MemoryProcessRecorder | null = null;
  private trackingRecorderInstance: MemoryTrackingRecorder | null = null;

  /** This factory's recorder for `purpose` (`'events'` by default, or `'snapshots'`). */
  aggregateRecorder(purpose = 'events'): MemoryAggregateRecorder {
    let recorder = this.aggregateRecorders.get(purpose);
    if (recorder === undefined) {
      recorder = new MemoryAggregateRecorder();
      this.aggregateRecorders.set(purpose, recorder);
    }
    return recorder;
  }

  /** This factory's application recorder (the same object as `processRecorder()`). */
  applicationRecorder(): MemoryProcessRecorder {
    return this.processRecorder();
  }

  /** This factory's tracking recorder; it shares tracking records with `processRecorder()`. */
  trackingRecorder(): MemoryTrackingRecorder {
    if (this.trackingRecorderInstance === null) {
      this.trackingRecorderInstance = new MemoryTrackingRecorder(this.trackingTable);
    }
    return this.trackingRecorderInstance;
  }

  /** This factory's process recorder (the same object as `applicationRecorder()`). */
  processRecorder(): MemoryProcessRecorder {
    if (this.processRecorderInstance === null) {
      this.processRecorderInstance = new MemoryProcessRecorder(this.trackingTable);
    }
    return this.processRecorderInstance;
  }
}
