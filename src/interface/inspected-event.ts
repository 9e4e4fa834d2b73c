/**
 * A stored event as an inspector shows it (`StoreInspector.events`, `notifications`, `tail`):
 * where it is stored, its topic, and its state decoded as far as this process can decode it.
 *
 * The state is decrypted and decompressed as the application does (its `CIPHER_KEY` and
 * `COMPRESSOR_TOPIC`), then decoded by the application's transcoder into `fields`, a plain
 * object, even when the event's class is not imported: only the class is unknown then. When
 * the topic resolves (the module that defines the class was imported), the event is decoded
 * as the application decodes it (upcast to the class's current version) into `domainEvent`,
 * and `fields` are that event's fields. When the state cannot be decoded (encrypted, and no
 * key or another key is configured), `fields` is null and `error` says why.
 */
export interface InspectedEvent {
  /** The notification id (its position in the application's log), or null for `events`. */
  readonly id: number | null;
  /** The aggregate's id. */
  readonly originatorId: string;
  /** The aggregate's version after this event. */
  readonly originatorVersion: number;
  /** Names the event's class. */
  readonly topic: string;
  /** The event's `timestamp` field, or null when it has none (or it could not be decoded). */
  readonly timestamp: Date | null;
  /**
   * The event's fields except its timestamp: the decoded state (as stored, e.g. Python's
   * `originator_topic`) when the class is unknown, the domain event's own fields when it is
   * known; null when the state could not be decoded.
   */
  readonly fields: Readonly<Record<string, unknown>> | null;
  /** The domain event, when the topic resolves to a class and the state decoded; else null. */
  readonly domainEvent: object | null;
  /** The name of the event's class when the topic resolves, else null. */
  readonly className: string | null;
  /** The state as stored: encoded, and maybe compressed and encrypted. */
  readonly state: Uint8Array;
  /** Why the state could not be decoded (or only partly, see `fields`), else null. */
  readonly error: string | null;
}
