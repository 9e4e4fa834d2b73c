import { decideDCBAppend } from '../persistence/dcb-append-decision.js';
import { DCBEventSubscription } from '../persistence/dcb-event-subscription.js';
import {
  checkDCBAppendCondition,
  checkDCBQuery,
  checkDCBReadOptions,
  copyDCBEvents,
  greatestPosition,
} from '../persistence/dcb-query.js';
import type {
  DCBAppendCondition,
  DCBEvent,
  DCBQuery,
  DCBReadOptions,
  DCBReadResponse,
  DCBRecorder,
  DCBSequencedEvent,
  DCBSubscribeOptions,
  DCBSubscription,
} from '../persistence/dcb-recorder.js';
import { NotificationSignal } from '../persistence/notification-signal.js';
import { MemoryDCBIndex } from './memory-dcb-index.js';

/**
 * The in-memory DCB recorder (Python's `InMemoryDCBRecorder`): events in an array, at positions
 * from 1. Events are copied on append and on read, so no caller can change what is stored. An
 * append checks its condition and stores its events in one synchronous step, so no other append
 * comes between. Subscriptions are woken by appends, with no polling. Nothing survives the
 * process; `close()` stops the subscriptions and the events stay readable.
 */
export class MemoryDCBRecorder implements DCBRecorder {
  /** Every event; the one at position `n` is at index `n - 1`. */
  private readonly events: DCBEvent[] = [];
  /** The positions of the events by tag and by type, so reads need not scan them all. */
  private readonly index = new MemoryDCBIndex();
  /** The position of each event that has an id, by id (for idempotent retries). */
  private readonly positionsById = new Map<string, number>();
  /** Wakes the subscriptions after each append. */
  private readonly signal = new NotificationSignal();

  /**
   * The events matching `query` (every event when it is null or has no items) after `after`,
   * ascending (descending when `backwards`), at most `limit`, with the `head`: the last
   * position stored when there is no limit, else the last position returned (null when none).
   *
   * @throws TypeError for a bad query or option.
   */
  async read(query?: DCBQuery | null, options?: DCBReadOptions): Promise<DCBReadResponse> {
    checkDCBQuery(query);
    checkDCBReadOptions(options);
    const after = Math.max(options?.after ?? 0, 0);
    const limit = options?.limit ?? null;
    const stored = this.events;
    const found: DCBSequencedEvent[] = [];
    const max = limit ?? Number.POSITIVE_INFINITY;
    const matching = this.index.matching(stored, query, after);
    if (matching !== null) {
      // Only the indexed candidates, which all match.
      const n = matching.length;
      for (let k = 0; k < n && found.length < max; k++) {
        const position = matching[options?.backwards === true ? n - 1 - k : k] as number;
        found.push(copyOut(stored[position - 1] as DCBEvent, position));
      }
    } else if (options?.backwards === true) {
      for (let i = stored.length - 1; i >= after && found.length < max; i--) {
        found.push(copyOut(stored[i] as DCBEvent, i + 1));
      }
    } else {
      for (let i = after; i < stored.length && found.length < max; i++) {
        found.push(copyOut(stored[i] as DCBEvent, i + 1));
      }
    }
    const head =
      limit === null ? (stored.length === 0 ? null : stored.length) : greatestPosition(found);
    return { events: found, head };
  }

  /**
   * Appends the events at the next positions and resolves to the last one, unless an event
   * after the condition's `after` matches its query: then an `IntegrityError`, and nothing is
   * stored. Event ids are unique in the store: when every event has an id that is stored already
   * (a retry of an append that succeeded), resolves to the greatest of their positions and
   * stores nothing, with or without a condition, and even when the condition now fails, as long
   * as only those events make it fail; ids partly stored are an `IntegrityError`.
   *
   * @throws ProgrammingError for no events; DataError for a malformed event (or an id twice in
   * the events); TypeError for a bad condition.
   */
  async append(
    events: readonly DCBEvent[],
    condition?: DCBAppendCondition | null,
  ): Promise<number> {
    checkDCBAppendCondition(condition);
    const copies = copyDCBEvents(events);
    // How many of the events' ids are stored, and the greatest of their positions.
    let found = 0;
    let original = 0;
    for (const copy of copies) {
      if (copy.id === null || copy.id === undefined) continue;
      const position = this.positionsById.get(copy.id);
      if (position === undefined) continue;
      found++;
      if (position > original) original = position;
    }
    const decided = decideDCBAppend({
      eventCount: copies.length,
      storedIds: found,
      originalPosition: original,
      condition,
      firstConflict: (ignoringOwnIds) => {
        const position = this.firstConflict(
          condition as DCBAppendCondition,
          ignoringOwnIds ? idsOf(copies) : null,
        );
        if (position === null) return null;
        return { position, type: (this.events[position - 1] as DCBEvent).type };
      },
    });
    if (decided !== null) return decided;
    const stored = this.events;
    for (const copy of copies) {
      stored.push(copy);
      this.index.add(copy, stored.length);
      if (copy.id !== null && copy.id !== undefined) this.positionsById.set(copy.id, stored.length);
    }
    this.signal.notify();
    return stored.length;
  }

  /**
   * The events matching `query` after `after`, then new ones as they are appended, until
   * stopped (`stop()`, the signal, `break`, or disposal).
   *
   * @throws TypeError for a bad query or option (synchronously).
   */
  subscribe(query?: DCBQuery | null, options?: DCBSubscribeOptions): DCBSubscription {
    return new DCBEventSubscription(this, query, options, { wakeUp: this.signal });
  }

  /** How many subscriptions are listening (lets tests check that none is left behind). */
  get listenerCount(): number {
    return this.signal.size;
  }

  /** Stops every subscription; the events stay readable. Safe to call more than once. */
  async close(): Promise<void> {
    this.signal.close();
  }

  /**
   * The position of the first event after the condition's `after` that matches its query and
   * has no id in `ignoredIds`, or null when there is none.
   */
  private firstConflict(
    condition: DCBAppendCondition,
    ignoredIds: ReadonlySet<string> | null,
  ): number | null {
    const stored = this.events;
    const after = Math.max(condition.after ?? 0, 0);
    const matching = this.index.matching(stored, condition.failIfEventsMatch, after);
    const count = matching === null ? stored.length - after : matching.length;
    for (let k = 0; k < count; k++) {
      const position = matching === null ? after + k + 1 : (matching[k] as number);
      const id = (stored[position - 1] as DCBEvent).id;
      if (ignoredIds !== null && id !== null && id !== undefined && ignoredIds.has(id)) continue;
      return position;
    }
    return null;
  }
}

/** The ids of events that all have one. */
function idsOf(events: readonly DCBEvent[]): Set<string> {
  return new Set(events.map((event) => event.id as string));
}

function copyOut(event: DCBEvent, position: number): DCBSequencedEvent {
  return {
    event: {
      type: event.type,
      data: event.data.slice(),
      tags: [...event.tags],
      id: event.id ?? null,
    },
    position,
  };
}
