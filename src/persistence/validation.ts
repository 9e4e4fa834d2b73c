import { describeValue } from '../utils/describe-value.js';
import { isWellFormed } from '../utils/is-well-formed.js';
import { DataError } from './errors.js';
import type { SelectEventsOptions, SelectNotificationsOptions } from './recorders.js';
import type { StoredEvent, Tracking } from './stored-event.js';

// The argument checks of every recorder, on every backend, so that they cannot drift apart.
// Shapes of stored data are `DataError`s, bad query arguments `TypeError`s; text that is not
// well-formed UTF-16 (a lone surrogate) is a `DataError` everywhere, because backends would
// store it differently (PostgreSQL and UTF-8 replace it, so two ids could become one).

/** Whether a string is well-formed UTF-16 (no lone surrogate); see `checkWellFormed`. */
export const isWellFormedString: (value: string) => boolean = isWellFormed;

/**
 * Checks that a string holds no lone UTF-16 surrogate (e.g. `'😀x'.slice(0, 1)`).
 *
 * @throws DataError saying which value was ill-formed and what to do.
 */
export function checkWellFormed(what: string, value: string): void {
  if (!isWellFormedString(value)) throw illFormed(what, value);
}

function illFormed(what: string, value: string): DataError {
  return new DataError(
    `${what} ${JSON.stringify(value)} is not well-formed Unicode: it holds a lone UTF-16 ` +
      'surrogate (a string cut in the middle of a character?). It cannot be stored faithfully; ' +
      'use value.toWellFormed() or fix how the string was made.',
  );
}

/**
 * Checks one stored event's shape and returns a frozen copy whose `state` is a private copy of the
 * caller's bytes, so that nothing the caller does later can change what is stored.
 *
 * @throws DataError when `originatorId` is not a string, `originatorVersion` is not a safe
 * integer, `topic` is not a string, or `state` is not a `Uint8Array`.
 */
export function copyStoredEvent(event: StoredEvent, index: number): StoredEvent {
  checkStoredEvent(event, index);
  return Object.freeze({
    originatorId: event.originatorId,
    originatorVersion: event.originatorVersion,
    topic: event.topic,
    state: event.state.slice(),
  });
}

/**
 * Checks one stored event's shape (see `copyStoredEvent` for the rules).
 *
 * @throws DataError naming the event's position in its batch and the offending field.
 */
export function checkStoredEvent(event: StoredEvent, index: number): void {
  if (event === null || typeof event !== 'object') {
    throw new DataError(
      `Stored event at index ${index} is ${describeValue(event)}: expected an object with ` +
        'originatorId, originatorVersion, topic and state.',
    );
  }
  if (typeof event.originatorId !== 'string') {
    throw new DataError(
      `Stored event at index ${index} has originatorId ${describeValue(event.originatorId)}: ` +
        'expected a string (a UUID, or any text id).',
    );
  }
  if (!isWellFormedString(event.originatorId)) {
    throw illFormed(`Stored event at index ${index} has originatorId`, event.originatorId);
  }
  if (!Number.isSafeInteger(event.originatorVersion)) {
    throw new DataError(
      `Stored event at index ${index} (originator ${event.originatorId}) has originatorVersion ` +
        `${describeValue(event.originatorVersion)}: expected a safe integer.`,
    );
  }
  if (typeof event.topic !== 'string') {
    throw new DataError(
      `Stored event at index ${index} (originator ${event.originatorId}, version ` +
        `${event.originatorVersion}) has topic ${describeValue(event.topic)}: expected a string.`,
    );
  }
  if (!isWellFormedString(event.topic)) {
    throw illFormed(`Stored event at index ${index} has topic`, event.topic);
  }
  if (!(event.state instanceof Uint8Array)) {
    throw new DataError(
      `Stored event at index ${index} (originator ${event.originatorId}, version ` +
        `${event.originatorVersion}) has state ${describeValue(event.state)}: expected a Uint8Array ` +
        '(a Buffer is one).',
    );
  }
}

/**
 * Checks a tracking record's shape.
 *
 * @throws DataError when `applicationName` is not a string or `notificationId` is not a safe
 * integer.
 */
export function checkTracking(tracking: Tracking): void {
  if (tracking === null || typeof tracking !== 'object') {
    throw new DataError(
      `Tracking is ${describeValue(tracking)}: expected an object with applicationName and ` +
        'notificationId.',
    );
  }
  if (typeof tracking.applicationName !== 'string') {
    throw new DataError(
      `Tracking has applicationName ${describeValue(tracking.applicationName)}: expected a string.`,
    );
  }
  if (!isWellFormedString(tracking.applicationName)) {
    throw illFormed('Tracking has applicationName', tracking.applicationName);
  }
  if (!Number.isSafeInteger(tracking.notificationId)) {
    throw new DataError(
      `Tracking for application '${tracking.applicationName}' has notificationId ` +
        `${describeValue(tracking.notificationId)}: expected a safe integer.`,
    );
  }
}

/**
 * Checks the batch of `insertEvents`: an array of well-shaped stored events.
 *
 * @throws TypeError when the batch is not an array; DataError for a malformed event.
 */
export function checkStoredEvents(storedEvents: readonly StoredEvent[]): void {
  if (!Array.isArray(storedEvents)) {
    throw new TypeError(
      `insertEvents() expects an array of stored events, not ${describeValue(storedEvents)}.`,
    );
  }
  const n = storedEvents.length;
  for (let i = 0; i < n; i++) checkStoredEvent(storedEvents[i] as StoredEvent, i);
}

/**
 * Checks the arguments of `selectEvents`: a well-formed string id; `gt`, `lte` integers or
 * null; `limit` a non-negative integer or null.
 *
 * @throws TypeError naming the bad argument; DataError for an ill-formed id.
 */
export function checkSelectEvents(
  originatorId: string,
  options: SelectEventsOptions | undefined,
): void {
  checkString('originatorId', originatorId);
  checkWellFormed('originatorId', originatorId);
  if (options === undefined || options === null) return;
  checkOptions('selectEvents', options);
  checkOptionalInteger('gt', options.gt);
  checkOptionalInteger('lte', options.lte);
  const limit = options.limit;
  if (limit !== null && limit !== undefined) checkLimit('limit', limit);
}

/**
 * Checks the arguments of `selectNotifications`: `start` an integer or null, `limit` a
 * non-negative integer, `stop` an integer or null, `topics` an array of well-formed strings.
 *
 * @throws TypeError naming the bad argument; DataError for an ill-formed topic.
 */
export function checkSelectNotifications(
  start: number | null | undefined,
  limit: number,
  options: SelectNotificationsOptions | undefined,
): void {
  checkOptionalInteger('start', start);
  checkLimit('limit', limit);
  if (options === undefined || options === null) return;
  checkOptions('selectNotifications', options);
  checkOptionalInteger('stop', options.stop);
  checkTopics(options.topics);
  const signal: unknown = options.signal;
  if (signal !== undefined) {
    if (!(signal instanceof AbortSignal)) {
      throw new TypeError(`signal must be an AbortSignal, not ${describeValue(signal)}.`);
    }
    // An aborted read is not started (memory and SQLite read synchronously after this check).
    signal.throwIfAborted();
  }
}

/**
 * Checks a `topics` option: undefined, or an array of well-formed strings.
 *
 * @throws TypeError when it is not an array of strings; DataError for an ill-formed topic.
 */
export function checkTopics(topics: readonly string[] | undefined): void {
  if (topics === undefined) return;
  if (!Array.isArray(topics)) {
    throw new TypeError(`topics must be an array of strings, not ${describeValue(topics)}.`);
  }
  for (let i = 0; i < topics.length; i++) {
    const topic: unknown = topics[i];
    if (typeof topic !== 'string') {
      throw new TypeError(
        `topics must be an array of strings, but topics[${i}] is ${describeValue(topic)}.`,
      );
    }
    checkWellFormed(`topics[${i}]`, topic);
  }
}

/**
 * Checks an application name argument (`maxTrackingId`, `hasTrackingId`, `wait`).
 *
 * @throws TypeError when it is not a string; DataError when it is ill-formed.
 */
export function checkApplicationName(applicationName: string): void {
  checkString('applicationName', applicationName);
  checkWellFormed('applicationName', applicationName);
}

/**
 * Checks the arguments of `hasTrackingId` and `wait`: an application name and a notification
 * id that is an integer or null.
 *
 * @throws TypeError naming the bad argument; DataError for an ill-formed name.
 */
export function checkTrackingQuery(applicationName: string, notificationId: unknown): void {
  checkApplicationName(applicationName);
  checkOptionalInteger('notificationId', notificationId);
}

function checkOptions(method: string, options: unknown): void {
  if (typeof options !== 'object') {
    throw new TypeError(`${method}() options must be an object, not ${describeValue(options)}.`);
  }
}

/**
 * Checks that an optional numeric argument is null, undefined or a safe integer.
 *
 * @throws TypeError naming the argument.
 */
export function checkOptionalInteger(name: string, value: unknown): void {
  if (value !== null && value !== undefined && !Number.isSafeInteger(value)) {
    throw new TypeError(
      `${name} must be a safe integer, null or undefined, not ${describeValue(value)}.`,
    );
  }
}

/**
 * Checks that a limit is a non-negative safe integer.
 *
 * @throws TypeError naming the argument.
 */
export function checkLimit(name: string, value: unknown): void {
  if (!Number.isSafeInteger(value) || (value as number) < 0) {
    throw new TypeError(
      `${name} must be a non-negative safe integer, not ${describeValue(value)}.`,
    );
  }
}

/**
 * Checks that a value is a string.
 *
 * @throws TypeError naming the argument.
 */
export function checkString(name: string, value: unknown): void {
  if (typeof value !== 'string') {
    throw new TypeError(`${name} must be a string, not ${describeValue(value)}.`);
  }
}
