import * as persistenceErrors from '../persistence/errors.js';
import { EventProcessingError } from './errors.js';

/**
 * What a `MultiProcessRunner` tells a child (as the environment variable
 * `EVENTSOURCING_SYSTEM_CHILD`, JSON).
 *
 * @internal
 */
export interface ChildConfig {
  /** The system's module, as a specifier every process imports the same way. */
  readonly module: string;
  /** The export that is the `System`. */
  readonly export: string;
  /** The follower the child runs. */
  readonly follower: string;
  /** The applications' environment, or null for the child's `process.env`. */
  readonly env: Record<string, string> | null;
  /** The most events per page and per transaction. */
  readonly batchSize: number | null;
}

/** The environment variable that carries a child's `ChildConfig`. @internal */
export const CHILD_CONFIG_VAR = 'EVENTSOURCING_SYSTEM_CHILD';

/** An error as it crosses the IPC channel. @internal */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string | undefined;
  readonly cause?: SerializedError | undefined;
}

/**
 * A child's message to its parent: `ready` once its follower runs (or waits for ownership),
 * `error` when processing failed (the child then exits), `retried` for an error that is
 * retried (the runner's `onError`).
 *
 * @internal
 */
export type ChildMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'error'; readonly error: SerializedError; readonly starting: boolean }
  | { readonly type: 'retried'; readonly error: SerializedError; readonly source: string };

/** A parent's message to a child: stop processing, close, and exit. @internal */
export type ParentMessage = { readonly type: 'stop' };

/** An error as plain data, its causes included. @internal */
export function serializeError(error: unknown, depth = 0): SerializedError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const cause = (error as { cause?: unknown }).cause;
  return {
    name: error.name,
    message: error.message,
    stack: error.stack,
    cause: cause === undefined || depth > 4 ? undefined : serializeError(cause, depth + 1),
  };
}

type ErrorClass = new (message: string, options?: ErrorOptions) => Error;

/** The standard and library error classes, by name. */
function knownErrors(): Map<string, ErrorClass> {
  const known = new Map<string, ErrorClass>([
    ['Error', Error],
    ['TypeError', TypeError],
    ['RangeError', RangeError],
    ['SyntaxError', SyntaxError],
    ['ReferenceError', ReferenceError],
    ['EventProcessingError', EventProcessingError],
  ]);
  for (const [name, value] of Object.entries(persistenceErrors)) {
    if (typeof value === 'function' && value.prototype instanceof Error) {
      known.set(name, value as ErrorClass);
    }
  }
  return known;
}

/**
 * The error again (of its class when it is a standard or library error class, else an `Error`
 * of its name), with its causes and the child's stack.
 *
 * @internal
 */
export function deserializeError(data: SerializedError): Error {
  const cause = data.cause === undefined ? undefined : deserializeError(data.cause);
  const Class = knownErrors().get(data.name) ?? Error;
  const error = new Class(data.message, cause === undefined ? undefined : { cause });
  if (error.name !== data.name) error.name = data.name;
  if (cause !== undefined && (error as { cause?: unknown }).cause === undefined) {
    Object.defineProperty(error, 'cause', { value: cause, configurable: true, writable: true });
  }
  if (data.stack !== undefined) error.stack = data.stack;
  return error;
}
