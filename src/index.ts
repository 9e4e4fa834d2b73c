/**
 * `eventsourcing`: the everyday names of the domain, application and persistence layers.
 * Persistence modules (`eventsourcing/memory`, …) and the contract suites (`eventsourcing/testing`)
 * are imported from their own subpaths.
 */
export * from './application/index.js';
// Both the domain and persistence layers have a `ProgrammingError` (as in Python): here the plain
// name is the domain layer's, and the database one is `DatabaseProgrammingError`.
export { ProgrammingError } from './domain/errors.js';
export * from './domain/index.js';
export { ProgrammingError as DatabaseProgrammingError } from './persistence/errors.js';
export * from './persistence/index.js';
