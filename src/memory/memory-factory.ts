import {
  InfrastructureFactory,
  type RecorderClass,
} from '../persistence/infrastructure-factory.js';
import type {
  ApplicationRecorder,
  ProcessRecorder,
  TrackingRecorder,
} from '../persistence/recorders.js';
import { MemoryAggregateRecorder } from './memory-aggregate-recorder.js';
import { MemoryApplicationRecorder } from './memory-application-recorder.js';
import { MemoryDCBRecorder } from './memory-dcb-recorder.js';
import { MemoryProcessRecorder } from './memory-process-recorder.js';
import { MemoryTrackingRecorder } from './memory-tracking-recorder.js';
import { MemoryTrackingTable } from './memory-tracking-table.js';

/** The recorder types `MemoryFactory` makes. */
export interface MemoryRecorders {
  /** What `aggregateRecorder()` makes: events of aggregates, or snapshots. */
  aggregate: MemoryAggregateRecorder;
  /** What `applicationRecorder()` makes: events with notification ids. */
  application: MemoryApplicationRecorder;
  /** What `trackingRecorder()` makes: positions in upstream applications. */
  tracking: MemoryTrackingRecorder;
  /** What `processRecorder()` makes: events and tracking in one transaction. */
  process: MemoryProcessRecorder;
}

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
 *   that process recorder. `trackingRecorder(ViewClass)` makes a new view of that class (a
 *   subclass of `MemoryTrackingRecorder`) with tracking records of its own.
 *
 * `close()` stops the recorders' subscriptions and interrupts pending waits; the data stays.
 *
 * @example
 * ```ts
 * import { Environment } from 'eventsourcing';
 * import { MemoryFactory } from 'eventsourcing/memory';
 *
 * const factory = new MemoryFactory(new Environment('DogSchool'));
 * await using school = new DogSchool({ factory }); // an Application subclass
 * ```
 */
export class MemoryFactory extends InfrastructureFactory<MemoryRecorders> {
  private readonly aggregateRecorders = new Map<string, MemoryAggregateRecorder>();
  private readonly trackingTable = new MemoryTrackingTable();
  private processRecorderInstance: MemoryProcessRecorder | null = null;
  private applicationRecorderInstance: MemoryApplicationRecorder | null = null;
  private trackingRecorderInstance: MemoryTrackingRecorder | null = null;
  private dcbRecorderInstance: MemoryDCBRecorder | null = null;

  protected override createAggregateRecorder(purpose: string): MemoryAggregateRecorder {
    let recorder = this.aggregateRecorders.get(purpose);
    if (recorder === undefined) {
      recorder = new MemoryAggregateRecorder();
      this.aggregateRecorders.set(purpose, recorder);
    }
    return recorder;
  }

  // Without a class named by APPLICATION_RECORDER_TOPIC, the application recorder is this
  // factory's process recorder (one store of events).
  protected override createApplicationRecorder(
    recorderClass: RecorderClass<ApplicationRecorder> | null,
  ): MemoryApplicationRecorder {
    if (recorderClass === null) return this.createProcessRecorder(null);
    this.applicationRecorderInstance ??= new (this.checkRecorderClass(
      recorderClass,
      MemoryApplicationRecorder,
    ))();
    return this.applicationRecorderInstance;
  }

  protected override createTrackingRecorder(
    recorderClass: RecorderClass<TrackingRecorder> | null,
  ): MemoryTrackingRecorder {
    if (recorderClass !== null) {
      // A view: its own records, not the process recorder's.
      return new (this.checkRecorderClass(recorderClass, MemoryTrackingRecorder))();
    }
    this.trackingRecorderInstance ??= new MemoryTrackingRecorder(this.trackingTable);
    return this.trackingRecorderInstance;
  }

  protected override createProcessRecorder(
    recorderClass: RecorderClass<ProcessRecorder> | null,
  ): MemoryProcessRecorder {
    if (this.processRecorderInstance === null) {
      const cls = this.recorderClassOr(recorderClass, MemoryProcessRecorder);
      this.processRecorderInstance = new cls(this.trackingTable);
    }
    return this.processRecorderInstance;
  }

  // One DCB store per factory, as for the other recorders: every call returns it.
  protected override createDCBRecorder(): MemoryDCBRecorder {
    this.dcbRecorderInstance ??= new MemoryDCBRecorder();
    return this.dcbRecorderInstance;
  }
}
