import { DataError } from './errors.js';
import type { StoredEvent, Tracking } from './stored-event.js';

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
      `Stored event at index ${index} is ${describe(event)}: expected an object with ` +
        'originatorId, originatorVersion, topic and state.',
    );
  }
  if (typeof event.originatorId !== 'string') {
    throw new DataError(
      `Stored event at index ${index} has originatorId ${describe(event.originatorId)}: ` +
        'expected a string (a UUID, or any text id).',
    );
  }
  if (!Number.isSafeInteger(event.originatorVersion)) {
    throw new DataError(
      `Stored event at index ${index} (originator ${event.originatorId}) has originatorVersion ` +
        `${describe(event.originatorVersion)}: expected a safe integer.`,
    );
  }
  if (typeof event.topic !== 'string') {
    throw new DataError(
      `Stored event at index ${index} (originator ${event.originatorId}, version ` +
        `${event.originatorVersion}) has topic ${describe(event.topic)}: expected a string.`,
    );
  }
  if (!(event.state instanceof Uint8Array)) {
    throw new DataError(
      `Stored event at index ${index} (originator ${event.originatorId}, version ` +
        `${event.originatorVersion}) has state ${describe(event.state)}: expected a Uint8Array ` +
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
      `Tracking is ${describe(tracking)}: expected an object with applicationName and ` +
        'notificationId.',
    );
  }
  if (typeof tracking.applicationName !== 'string') {
    throw new DataError(
      `Tracking has applicationName ${describe(tracking.applicationName)}: expected a string.`,
    );
  }
  if (!Number.isSafeInteger(tracking.notificationId)) {
    throw new DataError(
      `Tracking for application '${tracking.applicationName}' has notificationId ` +
        `${describe(tracking.notificationId)}: expected a safe integer.`,
    );
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
      `${name} must be a safe integer, null or undefined, not ${describe(value)}.`,
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
    throw new TypeError(`${name} must be a non-negative safe integer, not ${describe(value)}.`);
  }
}

/**
 * Checks that a value is a string.
 *
 * @throws TypeError naming the argument.
 */
export function checkString(name: string, value: unknown): void {
  if (typeof value !== 'string') {
    throw new TypeError(`${name} must be a string, not ${describe(value)}.`);
  }
}

/** A short description of a value for error messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'object') {
    const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
    return typeof name === 'string' && name !== '' ? `a ${name}` : 'an object';
  }
  return `a ${typeof value}`;
}
