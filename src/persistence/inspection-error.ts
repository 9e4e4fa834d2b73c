import { EventSourcingError } from '../domain/errors.js';

/**
 * What is to be inspected cannot be read as asked: the database file does not exist, the
 * application's tables are not there, the database cannot be reached. The message names what
 * was looked for, where, and what to check.
 */
export class InspectionError extends EventSourcingError {}
