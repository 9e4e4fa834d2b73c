import type { Closable } from './recorders.js';

/**
 * An event of a dynamic consistency boundary (DCB): a type, opaque data and tags, instead of an
 * originator id and version. `id` (a UUID, optional) makes an append idempotent: ids are unique
 * in the store, and appending events whose ids are all stored already resolves to the original
 * position (see `DCBRecorder.append`). Types and tags are well-formed Unicode without NUL
 * characters, on every backend.
 */
export interface DCBEvent {
  /** The event's type, which queries select by. */
  readonly type: string;
  /** The event's data, as the application encoded it. */
  readonly data: Uint8Array;
  /** The tags that queries select by (an entity's id, say `course:c1`). */
  readonly tags: readonly string[];
  /**
   * A UUID (any case; read back lower-case) that makes the append idempotent; null or absent
   * when not needed. Ids are unique in the store, on every backend: an event is known by its id
   * alone (its type, data and tags are not compared), ids must differ within one append
   * (`DataError`), and an append whose ids are all stored already stores nothing and resolves
   * to the original position of the last of them.
   */
  readonly id?: string | null;
}

/** A DCB event with the position the store gave it (positions increase in commit order). */
export interface DCBSequencedEvent {
  /** The event as appended. */
  readonly event: DCBEvent;
  /** Its position in the store. */
  readonly position: number;
}

/**
 * One item of a DCB query: events of any of `types` (all types when empty) that carry every one
 * of `tags` (any tags when empty).
 */
export interface DCBQueryItem {
  /** Event types to match, any of them (every type when empty). */
  readonly types: readonly string[];
  /** Tags an event must all carry (any tags when empty). */
  readonly tags: readonly string[];
}

/** A DCB query: events matching any of its items. A query with no items matches every event. */
export interface DCBQuery {
  /** The items, any of which an event may match. */
  readonly items: readonly DCBQueryItem[];
}

/**
 * The condition of a DCB append: it fails (an `IntegrityError`, nothing appended) when any event
 * after position `after` (from the start when null) matches `failIfEventsMatch`.
 */
export interface DCBAppendCondition {
  /** The query that no event after `after` may match. */
  readonly failIfEventsMatch: DCBQuery;
  /** The position the decision was made at (from the start when null or absent). */
  readonly after?: number | null;
}

/**
 * What `DCBRecorder.read` resolves to: the matching events (ascending, or descending when read
 * backwards) and `head`: the store's last position when no limit was given, else the greatest
 * position returned (the last of an ascending read, the first of a backwards one); `null` when
 * there is none.
 */
export interface DCBReadResponse {
  /** The matching events. */
  readonly events: DCBSequencedEvent[];
  /** The position to append after, or to read on from; null when there is none. */
  readonly head: number | null;
}

/** Options of `DCBRecorder.read`. */
export interface DCBReadOptions {
  /** Only events after this position. */
  after?: number | null;
  /** At most this many events. */
  limit?: number | null;
  /** Newest first. */
  backwards?: boolean;
}

/** Options of `DCBRecorder.subscribe`. */
export interface DCBSubscribeOptions {
  /** Only events after this position (from the start when null). */
  after?: number | null;
  /** Aborting it ends the subscription. */
  signal?: AbortSignal;
}

/** An async iterable of sequenced DCB events that waits for new ones until it is stopped. */
export interface DCBSubscription extends AsyncIterable<DCBSequencedEvent>, AsyncDisposable {
  /** Ends iteration; so does breaking out of `for await`. */
  stop(): void;
}

/**
 * The event store of dynamic consistency boundaries (Python's `DCBRecorder`), made by
 * `InfrastructureFactory.dcbRecorder()`. Its shapes live in the persistence layer so that
 * persistence modules implement it without importing `eventsourcing/dcb`.
 */
export interface DCBRecorder extends Closable {
  /** The events matching the query (every event when it is omitted or has no items). */
  read(query?: DCBQuery | null, options?: DCBReadOptions): Promise<DCBReadResponse>;
  /**
   * Appends the events atomically, unless the condition matches an event after its `after`
   * (an `IntegrityError` made by `dcbConditionFailed`, the same message on every backend), and
   * resolves to the last position. A failed append stores nothing.
   *
   * Idempotent retries, the same on every backend (as UmaDB does): when every event has an id
   * and every id is stored already, the append stores nothing and resolves to the greatest
   * position of those events, with or without a condition, and also when the condition fails
   * only because of those events (a retry of an append that succeeded, whose own events now
   * match its condition); when another event makes it fail, it fails. When some of the ids are
   * stored and some are not (or some events have no id), it is an `IntegrityError` and nothing
   * is stored (under a failing condition, the condition's error). Concurrent identical appends
   * store the events once and resolve to the same position.
   *
   * @throws ProgrammingError for no events; DataError for a malformed event (a type or tag that
   * is not well-formed Unicode or holds a NUL, an id that is not a UUID or repeated within the
   * events); TypeError for a bad condition; IntegrityError as above.
   */
  append(events: readonly DCBEvent[], condition?: DCBAppendCondition | null): Promise<number>;
  /** The matching events after `after`, waiting for new ones until stopped. */
  subscribe(query?: DCBQuery | null, options?: DCBSubscribeOptions): DCBSubscription;
}
