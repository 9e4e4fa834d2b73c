import { describeValue } from '../utils/describe-value.js';
import type {
  DCBAppendCondition,
  DCBEvent,
  DCBQuery,
  DCBQueryItem,
  DCBReadOptions,
  DCBSequencedEvent,
} from './dcb-recorder.js';
import { DataError, ProgrammingError } from './errors.js';
import { checkWellFormed } from './validation.js';

// The argument checks and the query semantics of every DCB recorder, on every backend, so that
// they cannot drift apart. As for the other recorders: a bad query, condition or option is a
// `TypeError`, a malformed event a `DataError`, an append of no events a `ProgrammingError`.

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `value` is a UUID in its usual text form (36 characters, hex digits and dashes). */
export function isDCBEventId(value: unknown): value is string {
  return typeof value === 'string' && UUID_PATTERN.test(value);
}

/**
 * Checks a DCB query: null or undefined (every event), or `{ items }` where each item has
 * `types` and `tags`, arrays of strings.
 *
 * @throws TypeError saying which part is wrong and how to write it; DataError for a string that
 * is not well-formed Unicode or holds a NUL character.
 */
export function checkDCBQuery(query: unknown, what = 'query'): void {
  if (query === null || query === undefined) return;
  if (typeof query !== 'object' || !Array.isArray((query as Partial<DCBQuery>).items)) {
    throw new TypeError(
      `The DCB ${what} is ${describeValue(query)}${typeof query === 'object' ? ' without an items array' : ''}: ` +
        'expected { items: [{ types: [...], tags: [...] }, ...] } ({ items: [] } matches every ' +
        'event).',
    );
  }
  const items = (query as DCBQuery).items;
  for (let i = 0; i < items.length; i++) {
    const item: unknown = items[i];
    if (item === null || typeof item !== 'object') {
      throw new TypeError(
        `The DCB ${what}'s items[${i}] is ${describeValue(item)}: expected { types: [...], ` +
          'tags: [...] } (an empty array matches any type, or any tags).',
      );
    }
    checkStrings(`The DCB ${what}'s items[${i}].types`, (item as DCBQueryItem).types, 'type');
    checkStrings(`The DCB ${what}'s items[${i}].tags`, (item as DCBQueryItem).tags, 'tag');
  }
}

function checkStrings(what: string, values: unknown, kind: string): void {
  if (!Array.isArray(values)) {
    throw new TypeError(
      `${what} is ${describeValue(values)}: expected an array of ${kind} strings (give [] ` +
        `to match any ${kind}).`,
    );
  }
  for (let j = 0; j < values.length; j++) {
    const value: unknown = values[j];
    if (typeof value !== 'string') {
      throw new TypeError(`${what}[${j}] is ${describeValue(value)}: expected a ${kind} string.`);
    }
    checkWellFormed(`${what}[${j}]`, value);
    checkNoNul(`${what}[${j}]`, value);
  }
}

/**
 * Checks that a type or tag holds no NUL character, which PostgreSQL text cannot hold: refused
 * on every backend, so that what one backend stores every other can.
 *
 * @throws DataError saying which value holds it.
 */
function checkNoNul(what: string, value: string): void {
  if (value.includes('\u0000')) {
    throw new DataError(
      `${what} ${JSON.stringify(value)} holds a NUL character (\\u0000), which DCB types and ` +
        'tags cannot hold (PostgreSQL text cannot): remove it, or encode the value.',
    );
  }
}

/**
 * Checks the options of `DCBRecorder.read`: `after` an integer or null, `limit` a non-negative
 * integer or null, `backwards` a boolean.
 *
 * @throws TypeError naming the bad option.
 */
export function checkDCBReadOptions(options: unknown): void {
  if (options === null || options === undefined) return;
  if (typeof options !== 'object') {
    throw new TypeError(
      `DCB read options are ${describeValue(options)}: expected { after?, limit?, backwards? }.`,
    );
  }
  const { after, limit, backwards } = options as DCBReadOptions;
  checkPosition('after', after);
  if (limit !== null && limit !== undefined && !(Number.isSafeInteger(limit) && limit >= 0)) {
    throw new TypeError(
      `The DCB read option limit is ${describeValue(limit)}: expected a whole number ≥ 0, or ` +
        'null for no limit.',
    );
  }
  if (backwards !== undefined && typeof backwards !== 'boolean') {
    throw new TypeError(
      `The DCB read option backwards is ${describeValue(backwards)}: expected true or false.`,
    );
  }
}

/**
 * Checks a position option (`after`): an integer, or null or undefined (from the start).
 *
 * @throws TypeError saying what was given.
 */
export function checkPosition(name: string, value: unknown): void {
  if (value === null || value === undefined) return;
  if (!Number.isSafeInteger(value)) {
    throw new TypeError(
      `The DCB option ${name} is ${describeValue(value)}: expected a position (a whole number) ` +
        'or null for the start.',
    );
  }
}

/**
 * Checks the condition of `DCBRecorder.append`: null or undefined (no condition), or
 * `{ failIfEventsMatch, after? }` with a valid query.
 *
 * @throws TypeError saying what is wrong.
 */
export function checkDCBAppendCondition(condition: unknown): void {
  if (condition === null || condition === undefined) return;
  if (typeof condition !== 'object') {
    throw new TypeError(
      `The DCB append condition is ${describeValue(condition)}: expected ` +
        '{ failIfEventsMatch: query, after?: position } or null for no condition.',
    );
  }
  const { failIfEventsMatch, after } = condition as DCBAppendCondition;
  if (failIfEventsMatch === null || failIfEventsMatch === undefined) {
    throw new TypeError(
      'The DCB append condition has no failIfEventsMatch: give the query of the decision ' +
        "(its consistency boundary), or { items: [] } to fail if any event follows 'after'.",
    );
  }
  checkDCBQuery(failIfEventsMatch, 'condition');
  checkPosition('after', after);
}

/**
 * Checks the events of `DCBRecorder.append` and returns frozen copies that nothing the caller
 * does later can change: data bytes copied, tags copied, the id lower-cased (or `null`).
 *
 * @throws ProgrammingError when there are no events; TypeError when `events` is not an array;
 * DataError naming the event and field that is wrong (ids must be UUIDs, distinct in one
 * append; types and tags well-formed Unicode without NUL characters).
 */
export function copyDCBEvents(events: readonly DCBEvent[]): DCBEvent[] {
  if (!Array.isArray(events)) {
    throw new TypeError(`DCB append() expects an array of events, not ${describeValue(events)}.`);
  }
  if (events.length === 0) {
    throw new ProgrammingError(
      'A DCB append needs at least one event: there is nothing to append (skip the call when ' +
        'a decision made no events).',
    );
  }
  const copies = new Array<DCBEvent>(events.length);
  let ids: Set<string> | null = null;
  for (let i = 0; i < events.length; i++) {
    const event: unknown = events[i];
    if (event === null || typeof event !== 'object') {
      throw new DataError(
        `DCB event at index ${i} is ${describeValue(event)}: expected { type, data, tags, id? }.`,
      );
    }
    const { type, data, tags, id } = event as DCBEvent;
    if (typeof type !== 'string') {
      throw new DataError(
        `DCB event at index ${i} has type ${describeValue(type)}: expected a string.`,
      );
    }
    checkWellFormed(`DCB event at index ${i} has type`, type);
    checkNoNul(`DCB event at index ${i} has type`, type);
    if (!(data instanceof Uint8Array)) {
      throw new DataError(
        `DCB event at index ${i} (type ${JSON.stringify(type)}) has data ` +
          `${describeValue(data)}: expected a Uint8Array (encode the event's data first).`,
      );
    }
    if (!Array.isArray(tags)) {
      throw new DataError(
        `DCB event at index ${i} (type ${JSON.stringify(type)}) has tags ` +
          `${describeValue(tags)}: expected an array of strings ([] for none).`,
      );
    }
    for (let j = 0; j < tags.length; j++) {
      const tag: unknown = tags[j];
      if (typeof tag !== 'string') {
        throw new DataError(
          `DCB event at index ${i} (type ${JSON.stringify(type)}) has tags[${j}] ` +
            `${describeValue(tag)}: expected a string.`,
        );
      }
      checkWellFormed(`DCB event at index ${i} has tags[${j}]`, tag);
      checkNoNul(`DCB event at index ${i} has tags[${j}]`, tag);
    }
    let canonicalId: string | null = null;
    if (id !== null && id !== undefined) {
      if (!isDCBEventId(id)) {
        throw new DataError(
          `DCB event at index ${i} (type ${JSON.stringify(type)}) has id ${describeValue(id)}: ` +
            'expected a UUID (crypto.randomUUID()), or null for none.',
        );
      }
      canonicalId = id.toLowerCase();
      ids ??= new Set();
      if (ids.has(canonicalId)) {
        throw new DataError(
          `DCB events of one append have the same id ${canonicalId} (at index ${i} and ` +
            'before): give each event its own id.',
        );
      }
      ids.add(canonicalId);
    }
    copies[i] = Object.freeze({
      type,
      data: data.slice(),
      tags: Object.freeze([...tags]),
      id: canonicalId,
    });
  }
  return copies;
}

/**
 * Whether an event matches one query item: its type is one of the item's types (any type when
 * there are none) and it carries every one of the item's tags.
 */
export function matchesQueryItem(event: DCBEvent, item: DCBQueryItem): boolean {
  const types = item.types;
  if (types.length > 0 && !types.includes(event.type)) return false;
  const tags = item.tags;
  if (tags.length === 0) return true;
  const eventTags = event.tags;
  for (const tag of tags) if (!eventTags.includes(tag)) return false;
  return true;
}

/**
 * Whether an event matches a query: any of its items matches. A query with no items (or none
 * at all) matches every event.
 */
export function matchesQuery(event: DCBEvent, query: DCBQuery | null | undefined): boolean {
  if (query === null || query === undefined) return true;
  const items = query.items;
  if (items.length === 0) return true;
  for (const item of items) if (matchesQueryItem(event, item)) return true;
  return false;
}

/**
 * A frozen copy of a checked query (null for every event), so that a subscription keeps the
 * query it was given even if the caller changes the arrays later.
 */
export function copyDCBQuery(query: DCBQuery | null | undefined): DCBQuery | null {
  if (query === null || query === undefined) return null;
  return Object.freeze({
    items: Object.freeze(
      query.items.map((item) =>
        Object.freeze({
          types: Object.freeze([...item.types]),
          tags: Object.freeze([...item.tags]),
        }),
      ),
    ),
  });
}

/**
 * The `head` of a limited read: the greatest position among the events returned (the last of
 * an ascending read, the first of a backwards one), the position to append after; null when
 * none was returned.
 */
export function greatestPosition(events: readonly DCBSequencedEvent[]): number | null {
  let greatest: number | null = null;
  for (const { position } of events)
    if (greatest === null || position > greatest) greatest = position;
  return greatest;
}
