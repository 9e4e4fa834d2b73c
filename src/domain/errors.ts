/** Base class of every error this library raises on purpose. */
export class EventSourcingError extends Error {
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Raised when the library is used in a way it does not support (a mistake in the calling code). */
export class ProgrammingError extends EventSourcingError {}

/** Raised when an event is applied to an aggregate with a different id. */
export class OriginatorIDError extends EventSourcingError {}

/** Raised when an event's version does not follow the aggregate's current version. */
export class OriginatorVersionError extends EventSourcingError {}

/** Raised when a topic cannot be resolved, or when two classes claim the same topic. */
export class TopicError extends EventSourcingError {}
