import { constants } from 'node:buffer';
import { DataError, IntegrityError } from '../persistence/errors.js';
import type { StoredEvent } from '../persistence/stored-event.js';
import { checkStoredEvents } from '../persistence/validation.js';
import { eventKey } from './event-key.js';
import { isUuid } from './is-uuid.js';
import type { OriginatorIdType } from './postgres-settings.js';

/**
 * The most characters one JavaScript string can hold. `pg` sends a `bytea[]` parameter as one
 * string, two hex characters per byte plus four per element, so this bounds a statement's states.
 */
const MAX_PARAMETER_CHARS: number = constants.MAX_STRING_LENGTH;

/** The characters of the `bytea[]` text `pg` makes for `count` states of `bytes` bytes in all. */
function hexArrayChars(bytes: number, count: number): number {
  return 2 * bytes + 4 * count + 2;
}

/**
 * Checks a batch of stored events before anything is sent, so that one bad save never fails a
 * group of others: shapes (`DataError`, as the memory recorders), UUID ids when
 * `ORIGINATOR_ID_TYPE=uuid` (`DataError`), NUL characters that PostgreSQL text cannot hold
 * (`DataError`), states too large to send in one statement (`DataError`), and a version repeated
 * within the batch (`IntegrityError`). Returns the bytes of the batch's states.
 *
 * @throws TypeError when the batch is not an array.
 */
export function checkEvents(events: readonly StoredEvent[], idType: OriginatorIdType): number {
  checkStoredEvents(events);
  const n = events.length;
  const uuid = idType === 'uuid';
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const event = events[i]!;
    bytes += event.state.length;
    const id = event.originatorId;
    if (uuid) {
      if (!isUuid(id)) {
        throw new DataError(
          `Stored event at index ${i} has originator id ${JSON.stringify(id)}, which is not a ` +
            'UUID: the events table stores ids as PostgreSQL uuid. Use UUID ids, or set ' +
            'ORIGINATOR_ID_TYPE=text (for a new table) to store any string.',
        );
      }
    } else if (id.includes('\u0000')) {
      throw nulError(i, 'originator id');
    }
    if (event.topic.includes('\u0000')) throw nulError(i, 'topic');
  }
  if (hexArrayChars(bytes, n) > MAX_PARAMETER_CHARS) throw tooLarge(bytes, n);
  if (n > 1) checkUniqueInBatch(events, uuid);
  return bytes;
}

function tooLarge(bytes: number, count: number): DataError {
  const limit = Math.floor((MAX_PARAMETER_CHARS - hexArrayChars(0, count)) / 2);
  return new DataError(
    `The stored events' states hold ${bytes} bytes in all (${count} events): the most one save ` +
      `of ${count} events can send to PostgreSQL is ${limit} bytes (the driver sends states as ` +
      `hex text, and a JavaScript string holds at most ${MAX_PARAMETER_CHARS} characters). ` +
      'Nothing was stored. Keep large content outside the events (store a reference to it), ' +
      'or save the events in smaller batches.',
  );
}

function nulError(index: number, what: string): DataError {
  return new DataError(
    `Stored event at index ${index} has a NUL character (\\u0000) in its ${what}, which ` +
      'PostgreSQL text cannot hold.',
  );
}

function checkUniqueInBatch(events: readonly StoredEvent[], uuid: boolean): void {
  // The usual batch, one aggregate's new events in order, cannot hold a duplicate.
  let previous = events[0]!;
  let ordered = true;
  for (let i = 1; i < events.length; i++) {
    const event = events[i]!;
    if (
      event.originatorId !== previous.originatorId ||
      event.originatorVersion <= previous.originatorVersion
    ) {
      ordered = false;
      break;
    }
    previous = event;
  }
  if (ordered) return;
  const seen = new Set<string>();
  for (const event of events) {
    const key = eventKey(event, uuid);
    if (seen.has(key)) {
      throw new IntegrityError(
        `Stored events are not unique: originator ${event.originatorId} version ` +
          `${event.originatorVersion} appears more than once in the batch. Nothing of this batch ` +
          'was stored.',
      );
    }
    seen.add(key);
  }
}
