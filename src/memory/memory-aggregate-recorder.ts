import { keepDecoded } from '../persistence/fast/kept-events.js';
import type {
  AggregateRecorder,
  InsertEventsOptions,
  SelectEventsOptions,
} from '../persistence/recorders.js';
import type { StoredEvent } from '../persistence/stored-event.js';
import { checkSelectEvents, checkStoredEvents } from '../persistence/validation.js';
import { canonicalOriginatorId } from './canonical-originator-id.js';
import { OriginatorIndex } from './originator-index.js';

/**
 * An in-memory aggregate recorder (Python's `POPOAggregateRecorder`): stores events by
 * originator id and version, for instance snapshots. Nothing survives the process.
 *
 * UUID ids are stored and found in lower case, as SQLite and PostgreSQL store them (an
 * upper-case UUID names the same aggregate). Input is checked before anything is stored: a stored event whose `originatorId` is not a
 * string, `originatorVersion` not a safe integer, `topic` not a string or `state` not a
 * `Uint8Array` rejects with `DataError`; bad `selectEvents` arguments reject with `TypeError`.
 * Stored events are frozen copies (the state bytes are copied on insert); the events returned
 * by `selectEvents` are those stored objects, so treat their `state` bytes as read-only.
 * Each stored event also keeps, out of sight, the domain event the mapper wrote it from, so
 * that the mapper reads it without decoding (`src/persistence/fast/kept-events.ts`).
 */
export class MemoryAggregateRecorder implements AggregateRecorder {
  /** The stored events, by originator. */
  protected readonly index = new OriginatorIndex<StoredEvent>();

  /**
   * Stores the events atomically and resolves to `null`. A version already stored, or repeated
   * in the batch, rejects with `IntegrityError` and stores nothing of the batch.
   */
  async insertEvents(
    storedEvents: readonly StoredEvent[],
    _options?: InsertEventsOptions,
  ): Promise<null> {
    const copies = copyStoredEvents(storedEvents);
    this.index.checkUnique(copies);
    for (let i = 0; i < copies.length; i++) this.index.add(copies[i]!);
    return null;
  }

  /** The events of one originator, ordered by version (ascending unless `desc`). */
  async selectEvents(originatorId: string, options?: SelectEventsOptions): Promise<StoredEvent[]> {
    checkSelectEvents(originatorId, options);
    return this.index.select(canonicalOriginatorId(originatorId), options);
  }

  /** Nothing to release in memory; the events stay readable. Safe to call more than once. */
  async close(): Promise<void> {}
}

/**
 * Checks a batch and copies it: frozen events with UUID ids in lower case (see
 * `canonicalOriginatorId`) and private copies of the state bytes.
 *
 * @throws TypeError when the batch is not an array; DataError for a malformed event.
 */
function copyStoredEvents(storedEvents: readonly StoredEvent[]): StoredEvent[] {
  checkStoredEvents(storedEvents);
  const n = storedEvents.length;
  const copies = new Array<StoredEvent>(n);
  for (let i = 0; i < n; i++) {
    const event = storedEvents[i]!;
    copies[i] = Object.freeze(
      keepDecoded(
        {
          originatorId: canonicalOriginatorId(event.originatorId),
          originatorVersion: event.originatorVersion,
          topic: event.topic,
          state: event.state.slice(),
        },
        event,
      ),
    );
  }
  return copies;
}
