import { EventSourcingError } from '../domain/errors.js';

/** Base class of the errors raised by persistence (PEP-249 style hierarchy, as in Python). */
export class PersistenceError extends EventSourcingError {}

/** An error related to the database interface rather than the database itself. */
export class InterfaceError extends PersistenceError {}

/** An error related to the database. */
export class DatabaseError extends PersistenceError {}

/** A problem with the processed data: a value out of range, a value that cannot be represented. */
export class DataError extends DatabaseError {}

/**
 * A problem with the database's operation, not necessarily under the programmer's control:
 * a lost connection, a lock timeout, a server that cannot be reached.
 */
export class OperationalError extends DatabaseError {}

/** Kept for users of the Python name: the parent of `IntegrityError`. */
export class RecordConflictError extends DatabaseError {}

/**
 * The relational integrity of the database would be broken: most often an event whose
 * originator version is already stored (a concurrent writer got there first).
 */
export class IntegrityError extends RecordConflictError {}

/** The database encountered an internal error. */
export class InternalError extends DatabaseError {}

/**
 * A programming error reported by the database: a missing table, a syntax error, an identifier
 * that is too long. Exported from the root as `DatabaseProgrammingError`, since the domain layer's
 * `ProgrammingError` has the same (Python) name.
 */
export class ProgrammingError extends DatabaseError {}

/** The database does not support a method or operation that was used. */
export class NotSupportedError extends DatabaseError {}

/** A wait for tracking was interrupted by its abort signal. */
export class WaitInterruptedError extends PersistenceError {}

/** A wait did not complete within its timeout. */
export class TimeoutError extends EventSourcingError {}

/** No database connection became available within the pool's timeout. */
export class ConnectionUnavailableError extends OperationalError {}

/** A value of a type that the transcoder has no registered transcoding for. */
export class TranscodingNotRegisteredError extends EventSourcingError {}

/** A stored event could not be turned back into a domain event. */
export class MapperDeserialisationError extends EventSourcingError {}

/** The environment does not describe infrastructure that can be constructed. */
export class InfrastructureFactoryError extends EventSourcingError {}
