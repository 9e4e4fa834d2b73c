/** A domain event as it is stored: the id and version of its originator, its topic, and its state. */
export interface StoredEvent {
  /** The aggregate's id: a canonical hyphenated UUID, or any string with `ORIGINATOR_ID_TYPE=text`. */
  readonly originatorId: string;
  readonly originatorVersion: number;
  /** Names the event's class; resolved with `resolveTopic` on read. */
  readonly topic: string;
  /** The event's fields, encoded (then maybe compressed and encrypted) by a `Mapper`. */
  readonly state: Uint8Array;
}

/** A stored event with its position in its application's sequence of events. */
export interface Notification extends StoredEvent {
  /** Increases in commit order; gaps are allowed. */
  readonly id: number;
}

/** Records that a downstream reader has processed an upstream application's event. */
export interface Tracking {
  readonly applicationName: string;
  readonly notificationId: number;
}
