/** A domain event as it is stored: the id and version of its originator, its topic, and its state. */
export interface StoredEvent {
  /** The aggregate's id: a canonical hyphenated UUID, or any string with `ORIGINATOR_ID_TYPE=text`. */
  readonly originatorId: string;
  /** The aggregate's version after this event: 1 for the first event, then one more each. */
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
  /** The name of the upstream application whose event was processed. */
  readonly applicationName: string;
  /** The id of that event in the upstream application's notification log. */
  readonly notificationId: number;
}
