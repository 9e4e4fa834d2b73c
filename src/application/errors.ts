import { EventSourcingError } from '../domain/errors.js';

/** Raised by `Repository.get` when no events (and no snapshot) exist for the requested aggregate. */
export class AggregateNotFoundError extends EventSourcingError {}
