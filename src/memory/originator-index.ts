import { IntegrityError } from '../persistence/errors.js';
import type { SelectEventsOptions } from '../persistence/recorders.js';
import type { StoredEvent } from '../persistence/stored-event.js';

/**
 * The events of each originator, kept sorted by version, so that uniqueness checks are
 * O(log n) and `selectEvents` is O(log n + events returned) for that originator alone.
 * Used by the in-memory recorders; it does no validation of the events themselves.
 */
export class OriginatorIndex<E extends StoredEvent = StoredEvent> {
  private readonly byOriginator = new Map<string, E[]>();

  /**
   * Throws `IntegrityError`, and changes nothing, if any event of the batch is already stored
   * or appears twice in the batch.
   */
  checkUnique(events: readonly StoredEvent[]): void {
    const n = events.length;
    for (let i = 0; i < n; i++) {
      const event = events[i]!;
      if (this.has(event.originatorId, event.originatorVersion)) {
        throw new IntegrityError(
          `Stored event already recorded: originator ${event.originatorId} version ` +
            `${event.originatorVersion}. A concurrent writer may have saved first: reload the ` +
            'aggregate and retry the command. Nothing of this batch was stored.',
        );
      }
    }
    if (n > 1 && !isStrictlyIncreasingForOneOriginator(events)) {
      const seen = new Set<string>();
      for (let i = 0; i < n; i++) {
        const event = events[i]!;
        // The version is last and numeric, so the key is unambiguous whatever the id holds.
        const key = `${event.originatorId}\u0000${event.originatorVersion}`;
        if (seen.has(key)) {
          throw new IntegrityError(
            `Stored events are not unique: originator ${event.originatorId} version ` +
              `${event.originatorVersion} appears more than once in the batch. Nothing of this ` +
              'batch was stored.',
          );
        }
        seen.add(key);
      }
    }
  }

  /** Whether the originator's version is stored. */
  has(originatorId: string, version: number): boolean {
    const list = this.byOriginator.get(originatorId);
    if (list === undefined) return false;
    const last = list[list.length - 1];
    if (last === undefined || version > last.originatorVersion) return false;
    const i = lowerBound(list, version);
    return i < list.length && list[i]!.originatorVersion === version;
  }

  /** Adds an event whose uniqueness has been checked. */
  add(event: E): void {
    const list = this.byOriginator.get(event.originatorId);
    if (list === undefined) {
      this.byOriginator.set(event.originatorId, [event]);
      return;
    }
    const last = list[list.length - 1];
    if (last === undefined || event.originatorVersion > last.originatorVersion) {
      list.push(event);
    } else {
      list.splice(lowerBound(list, event.originatorVersion), 0, event);
    }
  }

  /**
   * The originator's events, by version (descending if `desc`), with versions greater than `gt`
   * and at most `lte`, at most `limit` of them (counted from the first returned). The
   * recorders check the arguments first (`checkSelectEvents`).
   */
  select(originatorId: string, options?: SelectEventsOptions): E[] {
    const gt = options?.gt;
    const lte = options?.lte;
    const limit = options?.limit;
    const list = this.byOriginator.get(originatorId);
    if (list === undefined) return [];
    const from = gt === null || gt === undefined ? 0 : lowerBound(list, gt + 1);
    const to = lte === null || lte === undefined ? list.length : lowerBound(list, lte + 1);
    if (to <= from) return [];
    const max = limit === null || limit === undefined ? to - from : Math.min(limit, to - from);
    if (options?.desc) {
      const result = new Array<E>(max);
      for (let i = 0; i < max; i++) result[i] = list[to - 1 - i]!;
      return result;
    }
    return list.slice(from, from + max);
  }

  /** Forgets every event. */
  clear(): void {
    this.byOriginator.clear();
  }
}

/** The first index whose version is at least `version` (the list is sorted by version). */
function lowerBound(list: readonly StoredEvent[], version: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.originatorVersion < version) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The usual batch (one aggregate's new events in order) cannot hold a duplicate. */
function isStrictlyIncreasingForOneOriginator(events: readonly StoredEvent[]): boolean {
  let previous = events[0]!;
  for (let i = 1; i < events.length; i++) {
    const event = events[i]!;
    if (
      event.originatorId !== previous.originatorId ||
      event.originatorVersion <= previous.originatorVersion
    ) {
      return false;
    }
    previous = event;
  }
  return true;
}
