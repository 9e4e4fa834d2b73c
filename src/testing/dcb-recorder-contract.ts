import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { dcbConditionFailed, dcbIdsPartlyStored } from '../persistence/dcb-condition-failed.js';
import type {
  DCBAppendCondition,
  DCBEvent,
  DCBQuery,
  DCBRecorder,
  DCBSequencedEvent,
} from '../persistence/dcb-recorder.js';
import { DataError, IntegrityError, ProgrammingError } from '../persistence/errors.js';
import {
  type CreateRecorder,
  type RecorderContractOptions,
  withRecorder,
} from './contract-helpers.js';

/** Options of `dcbRecorderContract`. */
export interface DCBRecorderContractOptions<R> extends RecorderContractOptions<R> {
  /**
   * Opens another recorder on the same store as `recorder` (another connection, another pool),
   * so that the concurrency tests write through two; the suite closes it after the test.
   * Default: the concurrent writers share `recorder`.
   */
  another?: (recorder: R) => DCBRecorder | Promise<DCBRecorder>;
  /**
   * How many of the 100 conditional appends of 20 writers on disjoint tags may fail with
   * `IntegrityError` (default 0: a backend that checks conditions exactly never fails them).
   */
  disjointConflictsAllowed?: number;
}

/**
 * Defines `node:test` tests of the guarantees every DCB recorder keeps (Python's
 * `DCBRecorderTestCase` and `ConcurrentAppendTestCase`, and what this library adds): the
 * `head` rules; queries by type, by tag, by both, with several tags (all required), several
 * items (any matches) and several types in one item; every shape of failing condition, which
 * stores nothing, with the same message everywhere; reads after a position, with a limit,
 * backwards; the errors of bad arguments; event ids unique in the store (idempotent retries with
 * or without a condition, ids partly stored refused, concurrent retries stored once);
 * subscriptions; exact round trips of data; and concurrent writers (appends never interleave; of
 * two writers under one condition exactly one wins; writers on disjoint tags do not conflict). Call it at the top level of a test file; `create(name)` makes a fresh, empty
 * recorder (use `name` for table names or the application name).
 */
export function dcbRecorderContract<R extends DCBRecorder>(
  create: CreateRecorder<R>,
  options?: DCBRecorderContractOptions<R>,
): void {
  describe('DCBRecorder contract', () => {
    dcbRecorderTests(create, options);
  });
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A DCB event with text data. */
function ev(
  type: string,
  tags: readonly string[] = [],
  data = `${type}:${tags.join(',')}`,
): DCBEvent {
  return { type, data: encoder.encode(data), tags: [...tags] };
}

/** A query of one item. */
function item(types: readonly string[], tags: readonly string[] = []): DCBQuery {
  return { items: [{ types: [...types], tags: [...tags] }] };
}

const ALL: DCBQuery = { items: [] };

function positions(events: readonly DCBSequencedEvent[]): number[] {
  return events.map((e) => e.position);
}

/** Defines the DCB recorder tests in the current `describe` block. */
export function dcbRecorderTests<R extends DCBRecorder>(
  create: CreateRecorder<R>,
  options?: DCBRecorderContractOptions<R>,
): void {
  const timeout = options?.timeout ?? 30_000;
  const it = (name: string, body: (recorder: R) => Promise<void>, factor = 1): void => {
    test(name, { timeout: timeout * factor }, () => withRecorder(create, options, body));
  };

  /** Runs `body` with another recorder on the same store (or the same one), closed after. */
  async function withAnother(recorder: R, body: (other: DCBRecorder) => Promise<void>) {
    const other = options?.another ? await options.another(recorder) : recorder;
    try {
      await body(other);
    } finally {
      if (other !== recorder) await other.close();
    }
  }

  /**
   * The course-subscription store of Python's test: positions 1-6.
   * 1 CourseRegistered [course:c1]; 2 StudentRegistered [student:s1]; 3 StudentSubscribed
   * [course:c1, student:s1]; 4 CourseRegistered [course:c2]; 5 StudentSubscribed [course:c2,
   * student:s1]; 6 CourseCapacityChanged [course:c1].
   */
  async function courses(recorder: DCBRecorder): Promise<void> {
    assert.equal(
      await recorder.append([
        ev('CourseRegistered', ['course:c1']),
        ev('StudentRegistered', ['student:s1']),
      ]),
      2,
    );
    assert.equal(await recorder.append([ev('StudentSubscribed', ['course:c1', 'student:s1'])]), 3);
    assert.equal(
      await recorder.append([
        ev('CourseRegistered', ['course:c2']),
        ev('StudentSubscribed', ['course:c2', 'student:s1']),
        ev('CourseCapacityChanged', ['course:c1']),
      ]),
      6,
    );
  }

  async function readPositions(
    recorder: DCBRecorder,
    query: DCBQuery | null,
    readOptions?: Parameters<DCBRecorder['read']>[1],
  ): Promise<number[]> {
    return positions((await recorder.read(query, readOptions)).events);
  }

  // --- head and positions ------------------------------------------------------------------

  it('an empty store reads no events, and its head is null', async (recorder) => {
    for (const response of [
      await recorder.read(),
      await recorder.read(null),
      await recorder.read(ALL),
      await recorder.read(item(['A'])),
      await recorder.read(null, { limit: 10 }),
      await recorder.read(null, { backwards: true }),
    ]) {
      assert.deepEqual(response.events, []);
      assert.equal(response.head, null);
    }
  });

  it('positions start at 1 and ascend, and append resolves to its last position', async (recorder) => {
    assert.equal(await recorder.append([ev('A')]), 1);
    assert.equal(await recorder.append([ev('B'), ev('C')]), 3);
    assert.equal(await recorder.append([ev('D')]), 4);
    const { events, head } = await recorder.read();
    assert.deepEqual(positions(events), [1, 2, 3, 4]);
    assert.deepEqual(
      events.map((e) => e.event.type),
      ['A', 'B', 'C', 'D'],
    );
    assert.equal(head, 4);
  });

  it("head is the store's last position without a limit, the greatest returned with one, null when none is", async (recorder) => {
    await courses(recorder);
    // Without a limit: the store's last position, whatever matched.
    assert.equal((await recorder.read()).head, 6);
    assert.equal((await recorder.read(item(['StudentRegistered']))).head, 6);
    assert.equal((await recorder.read(item(['Nothing']))).head, 6);
    assert.equal((await recorder.read(null, { after: 6 })).head, 6);
    assert.equal((await recorder.read(null, { after: 100 })).head, 6);
    assert.equal((await recorder.read(null, { backwards: true })).head, 6);
    // With a limit: the last position returned, or null.
    assert.equal((await recorder.read(null, { limit: 2 })).head, 2);
    assert.equal((await recorder.read(item(['CourseRegistered']), { limit: 1 })).head, 1);
    assert.equal((await recorder.read(item(['CourseRegistered']), { limit: 5 })).head, 4);
    assert.equal((await recorder.read(null, { limit: 0 })).head, null);
    assert.equal((await recorder.read(item(['Nothing']), { limit: 10 })).head, null);
    assert.equal((await recorder.read(null, { after: 6, limit: 10 })).head, null);
    assert.equal((await recorder.read(null, { after: 2, limit: 2 })).head, 4);
    // Backwards with a limit: the greatest position returned, the one to append after.
    assert.equal((await recorder.read(null, { backwards: true, limit: 2 })).head, 6);
    assert.equal((await recorder.read(null, { backwards: true, limit: 2, after: 1 })).head, 6);
  });

  // --- queries ---------------------------------------------------------------------------

  it('a query by type returns the events of that type, in ascending order', async (recorder) => {
    await courses(recorder);
    assert.deepEqual(await readPositions(recorder, item(['CourseRegistered'])), [1, 4]);
    assert.deepEqual(await readPositions(recorder, item(['StudentSubscribed'])), [3, 5]);
    assert.deepEqual(await readPositions(recorder, item(['Nothing'])), []);
  });

  it('a query by tag returns the events carrying that tag', async (recorder) => {
    await courses(recorder);
    assert.deepEqual(await readPositions(recorder, item([], ['course:c1'])), [1, 3, 6]);
    assert.deepEqual(await readPositions(recorder, item([], ['student:s1'])), [2, 3, 5]);
    assert.deepEqual(await readPositions(recorder, item([], ['course:c9'])), []);
  });

  it('a query by type and tag returns the events of that type carrying that tag', async (recorder) => {
    await courses(recorder);
    assert.deepEqual(
      await readPositions(recorder, item(['StudentSubscribed'], ['course:c1'])),
      [3],
    );
    assert.deepEqual(await readPositions(recorder, item(['CourseRegistered'], ['course:c2'])), [4]);
    assert.deepEqual(await readPositions(recorder, item(['StudentRegistered'], ['course:c1'])), []);
  });

  it('several tags in one item are all required', async (recorder) => {
    await courses(recorder);
    assert.deepEqual(await readPositions(recorder, item([], ['course:c1', 'student:s1'])), [3]);
    assert.deepEqual(await readPositions(recorder, item([], ['student:s1', 'course:c2'])), [5]);
    assert.deepEqual(await readPositions(recorder, item([], ['course:c1', 'course:c2'])), []);
    assert.deepEqual(
      await readPositions(recorder, item(['StudentSubscribed'], ['course:c2', 'student:s1'])),
      [5],
    );
  });

  it('several types in one item match any of them', async (recorder) => {
    await courses(recorder);
    assert.deepEqual(
      await readPositions(recorder, item(['CourseRegistered', 'CourseCapacityChanged'])),
      [1, 4, 6],
    );
    assert.deepEqual(
      await readPositions(
        recorder,
        item(['CourseRegistered', 'CourseCapacityChanged'], ['course:c1']),
      ),
      [1, 6],
    );
  });

  it('several items match events that match any of them, each event once', async (recorder) => {
    await courses(recorder);
    // The course-subscription boundary of Python's test: course c1 exists, its capacity, and
    // its subscriptions.
    const boundary: DCBQuery = {
      items: [
        { types: ['CourseRegistered', 'CourseCapacityChanged'], tags: ['course:c1'] },
        { types: ['StudentSubscribed'], tags: ['course:c1'] },
      ],
    };
    assert.deepEqual(await readPositions(recorder, boundary), [1, 3, 6]);
    // Items that overlap: events matching both are returned once.
    const overlapping: DCBQuery = {
      items: [
        { types: [], tags: ['student:s1'] },
        { types: ['StudentSubscribed'], tags: [] },
        { types: ['CourseRegistered'], tags: ['course:c2'] },
      ],
    };
    assert.deepEqual(await readPositions(recorder, overlapping), [2, 3, 4, 5]);
    // Any mix of shapes: a type-only item beside a tag-only item.
    const mixed: DCBQuery = {
      items: [
        { types: ['CourseCapacityChanged'], tags: [] },
        { types: [], tags: ['course:c2'] },
      ],
    };
    assert.deepEqual(await readPositions(recorder, mixed), [4, 5, 6]);
    assert.deepEqual(await readPositions(recorder, mixed, { backwards: true }), [6, 5, 4]);
  });

  it('an empty query (no items, null, or none) matches every event', async (recorder) => {
    await courses(recorder);
    const every = [1, 2, 3, 4, 5, 6];
    assert.deepEqual(await readPositions(recorder, ALL), every);
    assert.deepEqual(await readPositions(recorder, null), every);
    assert.deepEqual(positions((await recorder.read()).events), every);
    assert.deepEqual(positions((await recorder.read(undefined, { after: 4 })).events), [5, 6]);
    // An item with no types and no tags matches every event too.
    assert.deepEqual(await readPositions(recorder, item([], [])), every);
  });

  // --- read options ----------------------------------------------------------------------

  it('read after a position returns only later events', async (recorder) => {
    await courses(recorder);
    assert.deepEqual(await readPositions(recorder, null, { after: 3 }), [4, 5, 6]);
    assert.deepEqual(await readPositions(recorder, item([], ['course:c1']), { after: 1 }), [3, 6]);
    assert.deepEqual(await readPositions(recorder, null, { after: 0 }), [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(await readPositions(recorder, null, { after: null }), [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(await readPositions(recorder, null, { after: 6 }), []);
  });

  it('read with a limit returns at most that many events, the first ones', async (recorder) => {
    await courses(recorder);
    assert.deepEqual(await readPositions(recorder, null, { limit: 2 }), [1, 2]);
    assert.deepEqual(await readPositions(recorder, item([], ['student:s1']), { limit: 2 }), [2, 3]);
    assert.deepEqual(await readPositions(recorder, null, { after: 4, limit: 10 }), [5, 6]);
    assert.deepEqual(await readPositions(recorder, null, { limit: 0 }), []);
    assert.deepEqual(await readPositions(recorder, null, { limit: null }), [1, 2, 3, 4, 5, 6]);
  });

  it('read backwards returns events newest first, with after and limit', async (recorder) => {
    await courses(recorder);
    assert.deepEqual(await readPositions(recorder, null, { backwards: true }), [6, 5, 4, 3, 2, 1]);
    assert.deepEqual(
      await readPositions(recorder, item([], ['course:c1']), { backwards: true }),
      [6, 3, 1],
    );
    assert.deepEqual(await readPositions(recorder, null, { backwards: true, after: 3 }), [6, 5, 4]);
    assert.deepEqual(await readPositions(recorder, null, { backwards: true, limit: 2 }), [6, 5]);
    assert.deepEqual(
      await readPositions(recorder, null, { backwards: true, after: 2, limit: 10 }),
      [6, 5, 4, 3],
    );
    assert.deepEqual(await readPositions(recorder, null, { backwards: false }), [1, 2, 3, 4, 5, 6]);
  });

  it('read backwards with limit 1 returns the last matching event (the next invoice number)', async (recorder) => {
    const invoice = (n: number) => ev('InvoiceCreated', [`invoice:${n}`], JSON.stringify({ n }));
    await recorder.append([invoice(1)]);
    await recorder.append([ev('Other', ['x'])]);
    await recorder.append([invoice(2)]);
    await recorder.append([ev('Other', ['y'])]);
    const last = await recorder.read(item(['InvoiceCreated']), { backwards: true, limit: 1 });
    assert.equal(last.events.length, 1);
    assert.equal(last.events[0]!.position, 3);
    assert.deepEqual(JSON.parse(decoder.decode(last.events[0]!.event.data)), { n: 2 });
    assert.equal(last.head, 3);
    // The next invoice, under the condition that no invoice was created after the one read.
    const condition = { failIfEventsMatch: item(['InvoiceCreated']), after: last.head };
    assert.equal(await recorder.append([invoice(3)], condition), 5);
    await assert.rejects(recorder.append([invoice(3)], condition), IntegrityError);
    const none = await recorder.read(item(['Nothing']), { backwards: true, limit: 1 });
    assert.deepEqual(none, { events: [], head: null });
  });

  // --- conditions ------------------------------------------------------------------------

  it('every shape of failing condition is an IntegrityError and stores nothing', async (recorder) => {
    await courses(recorder);
    const failing: Array<[string, DCBAppendCondition]> = [
      ['by type', { failIfEventsMatch: item(['CourseRegistered']) }],
      ['by type, after null', { failIfEventsMatch: item(['CourseRegistered']), after: null }],
      ['by type, after before it', { failIfEventsMatch: item(['CourseRegistered']), after: 3 }],
      ['by tag', { failIfEventsMatch: item([], ['course:c1']) }],
      ['by tag, after before it', { failIfEventsMatch: item([], ['course:c1']), after: 5 }],
      ['by type and tag', { failIfEventsMatch: item(['StudentSubscribed'], ['course:c2']) }],
      ['by several tags', { failIfEventsMatch: item([], ['course:c1', 'student:s1']), after: 2 }],
      ['by several types', { failIfEventsMatch: item(['Nothing', 'CourseCapacityChanged']) }],
      [
        'by several items, one matching',
        {
          failIfEventsMatch: {
            items: [
              { types: ['Nothing'], tags: [] },
              { types: [], tags: ['student:s1'] },
            ],
          },
          after: 4,
        },
      ],
      ['an empty query (any event)', { failIfEventsMatch: ALL }],
      ['an empty query (any event) after 5', { failIfEventsMatch: ALL, after: 5 }],
      ['an empty item (any event)', { failIfEventsMatch: item([], []), after: 0 }],
    ];
    for (const [shape, condition] of failing) {
      await assert.rejects(
        recorder.append([ev('New', ['course:c1', 'student:s1'])], condition),
        IntegrityError,
        `a condition ${shape} should fail`,
      );
    }
    const { events, head } = await recorder.read();
    assert.equal(head, 6, 'a failed append stores nothing');
    assert.equal(events.length, 6);
    assert.deepEqual(await readPositions(recorder, item(['New'])), []);
  });

  it('a condition passes when nothing after its after matches, and the events are stored', async (recorder) => {
    await courses(recorder);
    const passing: Array<[string, DCBAppendCondition]> = [
      [
        'by type, after the last of that type',
        { failIfEventsMatch: item(['CourseRegistered']), after: 4 },
      ],
      ['by type, after past the end', { failIfEventsMatch: item(['CourseRegistered']), after: 99 }],
      ['by a type never stored', { failIfEventsMatch: item(['Nothing']) }],
      [
        'by tag, at the conflicting event',
        { failIfEventsMatch: item([], ['course:c2']), after: 5 },
      ],
      [
        'by type and tag not together',
        { failIfEventsMatch: item(['StudentRegistered'], ['course:c1']) },
      ],
      ['by several tags not together', { failIfEventsMatch: item([], ['course:c1', 'course:c2']) }],
      [
        'by several items, none matching',
        {
          failIfEventsMatch: {
            items: [
              { types: ['Nothing'], tags: [] },
              { types: [], tags: ['course:c9'] },
            ],
          },
        },
      ],
    ];
    let head = 6;
    for (const [shape, condition] of passing) {
      head = await recorder.append([ev('Passed', [`shape:${shape}`])], condition);
    }
    assert.equal(head, 6 + passing.length);
    // An empty query passes only after the head (nothing has happened since).
    assert.equal(
      await recorder.append([ev('Passed')], { failIfEventsMatch: ALL, after: head }),
      head + 1,
    );
  });

  it('a condition on an empty store passes', async (recorder) => {
    assert.equal(await recorder.append([ev('First')], { failIfEventsMatch: ALL }), 1);
    await assert.rejects(
      recorder.append([ev('Second')], { failIfEventsMatch: ALL }),
      IntegrityError,
    );
    assert.equal(await recorder.append([ev('Second')], { failIfEventsMatch: ALL, after: 1 }), 2);
  });

  it('a condition after, before, at and after the conflicting event', async (recorder) => {
    await recorder.append([ev('A', ['t'])]); // 1
    await recorder.append([ev('B', ['t'])]); // 2, the conflicting event
    await recorder.append([ev('A', ['u'])]); // 3
    const on = (after: number | null): DCBAppendCondition => ({
      failIfEventsMatch: item(['B'], ['t']),
      after,
    });
    await assert.rejects(recorder.append([ev('X')], on(null)), IntegrityError);
    await assert.rejects(recorder.append([ev('X')], on(1)), IntegrityError);
    assert.equal(await recorder.append([ev('X')], on(2)), 4);
    assert.equal(await recorder.append([ev('X')], on(3)), 5);
  });

  it('a failed condition is an IntegrityError with the same message on every backend', async (recorder) => {
    await recorder.append([ev('A', ['t'])]); // 1
    await recorder.append([ev('B', ['t', 'u'])]); // 2
    const cases: Array<[DCBAppendCondition, number, string]> = [
      [{ failIfEventsMatch: item(['B'], ['t']), after: 1 }, 2, 'B'],
      [{ failIfEventsMatch: item([], ['t']), after: null }, 1, 'A'],
      [{ failIfEventsMatch: ALL }, 1, 'A'],
      [{ failIfEventsMatch: item(['B']), after: 0 }, 2, 'B'],
      [
        { failIfEventsMatch: { items: [item(['C']).items[0]!, item([], ['u']).items[0]!] } },
        2,
        'B',
      ],
    ];
    for (const [condition, position, type] of cases) {
      await assert.rejects(recorder.append([ev('X')], condition), (error: unknown) => {
        assert.ok(error instanceof IntegrityError, String(error));
        assert.equal(error.message, dcbConditionFailed(position, { type }, condition).message);
        return true;
      });
    }
    assert.equal((await recorder.read()).head, 2, 'nothing was appended');
  });

  // --- bad arguments ---------------------------------------------------------------------

  it('an append of no events is a ProgrammingError and stores nothing', async (recorder) => {
    await assert.rejects(recorder.append([]), ProgrammingError);
    await assert.rejects(recorder.append([], { failIfEventsMatch: ALL }), ProgrammingError);
    assert.equal((await recorder.read()).head, null);
  });

  it('a read of a bad query is a TypeError that says what was wrong', async (recorder) => {
    await recorder.append([ev('A')]);
    const bad: unknown[] = [
      {},
      { items: 'A' },
      ['A'],
      'A',
      { items: [null] },
      { items: [{ types: 'A', tags: [] }] },
      { items: [{ types: ['A'] }] },
      { items: [{ tags: ['t'] }] },
      { items: [{ types: [1], tags: [] }] },
      { items: [{ types: [], tags: [null] }] },
    ];
    for (const query of bad) {
      await assert.rejects(
        recorder.read(query as DCBQuery),
        (error: unknown) =>
          error instanceof TypeError &&
          /DCB query/.test(error.message) &&
          /expected/.test(error.message),
        `read(${JSON.stringify(query)}) should reject with a TypeError`,
      );
      await assert.rejects(
        recorder.append([ev('B')], { failIfEventsMatch: query as DCBQuery }),
        TypeError,
      );
      assert.throws(() => recorder.subscribe(query as DCBQuery), TypeError);
    }
    assert.throws(() => recorder.subscribe(null, 'after' as never), /DCB subscribe options/);
    assert.throws(() => recorder.subscribe(null, { after: 1.5 }), /DCB option after/);
    for (const readOptions of [
      5,
      { limit: -1 },
      { limit: 1.5 },
      { after: 'x' },
      { backwards: 'yes' },
    ]) {
      await assert.rejects(recorder.read(null, readOptions as never), TypeError);
    }
    await assert.rejects(recorder.append([ev('B')], { after: 0 } as never), TypeError);
    await assert.rejects(
      recorder.append([ev('B')], { failIfEventsMatch: ALL, after: 'x' } as never),
      TypeError,
    );
    assert.equal((await recorder.read()).head, 1, 'nothing was appended');
  });

  it('a malformed event is a DataError and stores nothing of its append', async (recorder) => {
    const good = ev('A');
    const bad: unknown[] = [
      null,
      { type: 1, data: new Uint8Array(), tags: [] },
      { type: 'A', data: 'text', tags: [] },
      { type: 'A', data: new Uint8Array(), tags: 't' },
      { type: 'A', data: new Uint8Array(), tags: [1] },
      { type: 'A', data: new Uint8Array(), tags: [], id: 'not-a-uuid' },
      // PostgreSQL text cannot hold NUL characters, so no backend takes them.
      { type: 'A\u0000B', data: new Uint8Array(), tags: [] },
      { type: 'A', data: new Uint8Array(), tags: ['t', 'x\u0000'] },
      // Nor lone surrogates (they cannot be stored faithfully).
      { type: 'A', data: new Uint8Array(), tags: ['\ud800'] },
    ];
    for (const event of bad) {
      await assert.rejects(
        recorder.append([good, event as DCBEvent]),
        (error: unknown) =>
          error instanceof DataError && /DCB event at index 1/.test(error.message),
        `append of ${JSON.stringify(event)} should reject with a DataError`,
      );
    }
    const id = randomUUID();
    await assert.rejects(
      recorder.append([
        { ...ev('A'), id },
        { ...ev('B'), id },
      ]),
      DataError,
      'two events of one append with the same id',
    );
    assert.equal((await recorder.read()).head, null);
  });

  // --- idempotent retries ----------------------------------------------------------------

  it('retrying an append that succeeded (same ids, same condition) resolves to its original position and stores nothing', async (recorder) => {
    await recorder.append([ev('CourseRegistered', ['course:c1'])]);
    const condition = { failIfEventsMatch: item([], ['student:s1']), after: 1 };
    const events = [
      { ...ev('StudentRegistered', ['student:s1']), id: randomUUID() },
      { ...ev('StudentSubscribed', ['student:s1', 'course:c1']), id: randomUUID() },
    ];
    assert.equal(await recorder.append(events, condition), 3);
    await recorder.append([ev('Unrelated', ['other'])]); // 4
    assert.equal(await recorder.append(events, condition), 3, 'the retry resolves to 3');
    // Ids are UUIDs in any case; they read back lower-case.
    const upper = events.map((e) => ({ ...e, id: e.id.toUpperCase() }));
    assert.equal(await recorder.append(upper, condition), 3);
    const { events: stored, head } = await recorder.read();
    assert.equal(head, 4, 'nothing more was stored');
    assert.deepEqual(
      stored.map((e) => e.event.id),
      [null, events[0]!.id, events[1]!.id, null],
    );
  });

  it('a retry still fails when another event conflicts, or when an event has no id or a new one', async (recorder) => {
    const condition = { failIfEventsMatch: item([], ['student:s1']), after: null };
    const events = [
      { ...ev('StudentRegistered', ['student:s1']), id: randomUUID() },
      { ...ev('StudentRenamed', ['student:s1']), id: randomUUID() },
    ];
    assert.equal(await recorder.append(events, condition), 2);
    // One event without an id, or with an id that is not stored: not a retry.
    await assert.rejects(
      recorder.append([events[0]!, { ...events[1]!, id: null }], condition),
      IntegrityError,
    );
    await assert.rejects(
      recorder.append([events[0]!, { ...events[1]!, id: randomUUID() }], condition),
      IntegrityError,
    );
    // Part of the append: the other stored event conflicts, so it is not a retry.
    await assert.rejects(recorder.append([events[0]!], condition), IntegrityError);
    // Another writer's event conflicts too: the retry fails, as the decision may be stale.
    await recorder.append([ev('StudentRenamed', ['student:s1'])]); // 3
    await assert.rejects(recorder.append(events, condition), IntegrityError);
    assert.equal((await recorder.read()).head, 3);
  });

  it('event ids are unique in the store: an append (no condition) of stored ids resolves to their original position and stores nothing', async (recorder) => {
    const events = [
      { ...ev('StudentRegistered', ['student:s1']), id: randomUUID() },
      { ...ev('StudentRenamed', ['student:s1']), id: randomUUID() },
    ];
    assert.equal(await recorder.append(events), 2);
    await recorder.append([ev('Unrelated', ['other'])]); // 3
    assert.equal(await recorder.append(events), 2, 'the retry resolves to 2');
    // Ids alone say what is stored: an event whose id is stored is that event.
    assert.equal(await recorder.append([{ ...ev('Anything'), id: events[0]!.id }]), 1);
    assert.equal(await recorder.append([events[1]!, events[0]!]), 2, 'in any order');
    const { events: stored, head } = await recorder.read();
    assert.equal(head, 3, 'nothing more was stored');
    assert.deepEqual(
      stored.map((e) => e.event.id ?? null),
      [events[0]!.id, events[1]!.id, null],
    );
  });

  it('retrying a conditional append resolves to its original position whether the condition now passes or fails only because of its own events', async (recorder) => {
    await recorder.append([ev('CourseRegistered', ['course:c1'])]); // 1
    const events = [{ ...ev('StudentSubscribed', ['student:s1', 'course:c1']), id: randomUUID() }];
    // A condition its own events do not match: the retry's condition passes.
    const passing = { failIfEventsMatch: item(['CourseClosed'], ['course:c1']), after: 1 };
    assert.equal(await recorder.append(events, passing), 2);
    assert.equal(await recorder.append(events, passing), 2);
    // A condition its own events match: the retry's condition fails only because of them.
    const own = { failIfEventsMatch: item(['StudentSubscribed'], ['student:s1']), after: 1 };
    assert.equal(await recorder.append(events, own), 2);
    assert.equal(await recorder.append(events, { failIfEventsMatch: ALL, after: 1 }), 2);
    assert.equal((await recorder.read()).head, 2, 'nothing more was stored');
  });

  it('an append whose ids are only partly stored is an IntegrityError and stores nothing', async (recorder) => {
    const events = [
      { ...ev('StudentRegistered', ['student:s1']), id: randomUUID() },
      { ...ev('StudentRenamed', ['student:s1']), id: randomUUID() },
    ];
    assert.equal(await recorder.append(events), 2);
    const partly = (error: unknown) =>
      error instanceof IntegrityError &&
      error.message === dcbIdsPartlyStored().message &&
      /already stored, but not all/.test(error.message);
    // The retry with one more, new event; or with an event without an id.
    const extra = { ...ev('StudentSubscribed', ['student:s1', 'course:c1']), id: randomUUID() };
    await assert.rejects(recorder.append([...events, extra]), partly);
    await assert.rejects(recorder.append([...events, ev('NoId')]), partly);
    await assert.rejects(recorder.append([extra, events[0]!]), partly);
    // The same under a condition that passes.
    const passing = { failIfEventsMatch: item([], ['nothing']), after: null };
    await assert.rejects(recorder.append([...events, extra], passing), partly);
    // Under a condition that fails, the condition's error (it is not a retry either).
    const failing = { failIfEventsMatch: item([], ['student:s1']), after: null };
    await assert.rejects(
      recorder.append([...events, extra], failing),
      (error: unknown) =>
        error instanceof IntegrityError && /append condition failed/.test(error.message),
    );
    assert.equal((await recorder.read()).head, 2, 'nothing was stored');
    // The new event alone is appended.
    assert.equal(await recorder.append([extra]), 3);
  });

  it('two identical appends with ids at once (an append and its retry) resolve to the same position and store the events once', async (recorder) => {
    await withAnother(recorder, async (other) => {
      const events = (n: number) =>
        Array.from({ length: n }, (_, i) => ({
          ...ev('Registered', [`student:${i}`]),
          id: randomUUID(),
        }));
      const unconditional = events(3);
      const [a, b] = await Promise.all([
        recorder.append(unconditional),
        other.append(unconditional),
      ]);
      assert.equal(a, 3);
      assert.equal(b, 3);
      const conditional = events(2);
      const condition = { failIfEventsMatch: item(['Registered']), after: 3 };
      const [c, d] = await Promise.all([
        other.append(conditional, condition),
        recorder.append(conditional, condition),
      ]);
      assert.equal(c, 5);
      assert.equal(d, 5);
      const { events: stored, head } = await recorder.read();
      assert.equal(head, 5, 'each event stored once');
      assert.deepEqual(
        stored.map((e) => e.event.id),
        [...unconditional, ...conditional].map((e) => e.id),
      );
    });
  });

  // --- subscriptions ---------------------------------------------------------------------

  it('a subscription from after with a query yields the existing then the new matching events, and stops cleanly', async (recorder) => {
    await courses(recorder);
    const subscription = recorder.subscribe(item([], ['course:c1']), { after: 1 });
    const received: number[] = [];
    const iterator = subscription[Symbol.asyncIterator]();
    received.push((await iterator.next()).value!.position);
    received.push((await iterator.next()).value!.position);
    assert.deepEqual(received, [3, 6]);
    // The next one waits for an append.
    const pending = iterator.next();
    await recorder.append([ev('Other', ['course:c2'])]); // 7, not matching
    await recorder.append([ev('StudentSubscribed', ['course:c1', 'student:s2'])]); // 8
    const next = await pending;
    assert.equal(next.done, false);
    assert.equal(next.value!.position, 8);
    assert.deepEqual(next.value!.event.tags, ['course:c1', 'student:s2']);
    assert.equal(next.value!.event.type, 'StudentSubscribed');
    const waiting = iterator.next();
    subscription.stop();
    assert.deepEqual(await waiting, { done: true, value: undefined });
    subscription.stop(); // harmless
  });

  it('a subscription without after starts from the start; break, abort and disposal stop it', async (recorder) => {
    await recorder.append([ev('A'), ev('B')]);
    const seen: number[] = [];
    for await (const event of recorder.subscribe()) {
      seen.push(event.position);
      if (seen.length === 2) break;
    }
    assert.deepEqual(seen, [1, 2]);
    const controller = new AbortController();
    const aborted = recorder.subscribe(null, { after: 2, signal: controller.signal });
    const pending = aborted[Symbol.asyncIterator]().next();
    controller.abort();
    assert.equal((await pending).done, true);
    const disposed = recorder.subscribe(ALL, { after: 0 });
    assert.equal((await disposed[Symbol.asyncIterator]().next()).value!.position, 1);
    await disposed[Symbol.asyncDispose]();
    assert.equal((await disposed[Symbol.asyncIterator]().next()).done, true);
  });

  it('closing the recorder ends its subscriptions', async (recorder) => {
    const subscription = recorder.subscribe();
    const pending = subscription[Symbol.asyncIterator]().next();
    await recorder.close();
    assert.equal((await pending).done, true);
  });

  // --- data ------------------------------------------------------------------------------

  it('data bytes, types, tags and ids round-trip exactly, and neither side can change what is stored', async (recorder) => {
    const every = new Uint8Array(256).map((_, i) => i);
    const id = randomUUID();
    const events: DCBEvent[] = [
      { type: 'Bytes', data: every, tags: ['ü', '日本', '😀', 'with space', ''], id },
      { type: 'Empty ✓', data: new Uint8Array(0), tags: [] },
      { type: '', data: new Uint8Array([0, 0, 0]), tags: ['a', 'a'] },
    ];
    assert.equal(await recorder.append(events), 3);
    every[0] = 99; // the caller changes its bytes after the append
    (events[0]!.tags as string[]).push('later');
    const read = async () => (await recorder.read()).events;
    const first = await read();
    assert.deepEqual([...first[0]!.event.data], [...new Uint8Array(256).map((_, i) => i)]);
    assert.ok(first[0]!.event.data instanceof Uint8Array);
    assert.deepEqual(first[0]!.event.tags, ['ü', '日本', '😀', 'with space', '']);
    assert.equal(first[0]!.event.type, 'Bytes');
    assert.equal(first[0]!.event.id, id);
    assert.equal(first[1]!.event.data.length, 0);
    assert.equal(first[1]!.event.type, 'Empty ✓');
    assert.deepEqual(first[1]!.event.tags, []);
    assert.equal(first[1]!.event.id ?? null, null);
    assert.equal(first[2]!.event.type, '');
    assert.deepEqual([...first[2]!.event.data], [0, 0, 0]);
    first[0]!.event.data[1] = 42; // the reader changes what it read
    const second = await read();
    assert.equal(second[0]!.event.data[1], 1);
    // Tags are found by their exact text.
    assert.deepEqual(await readPositions(recorder, item([], ['😀', '日本'])), [1]);
    assert.deepEqual(await readPositions(recorder, item([], ['u'])), []);
    assert.deepEqual(await readPositions(recorder, item([], [''])), [1]);
    assert.deepEqual(await readPositions(recorder, item([''], ['a'])), [3]);
  });

  // --- concurrency -----------------------------------------------------------------------

  it("two writers each appending 10,000 events: one append's positions are contiguous, never interleaved", async (recorder) => {
    await withAnother(recorder, async (other) => {
      const perAppend = 20;
      const appends = 500;
      const write = async (writer: DCBRecorder, name: string) => {
        const lasts: number[] = [];
        for (let a = 0; a < appends; a++) {
          const events = Array.from({ length: perAppend }, (_, i) =>
            ev('Written', [`writer:${name}`], `${name}:${a}:${i}`),
          );
          lasts.push(await writer.append(events));
        }
        return lasts;
      };
      const [a, b] = await Promise.all([write(recorder, 'a'), write(other, 'b')]);
      const { events, head } = await recorder.read();
      assert.equal(head, 2 * perAppend * appends);
      assert.equal(events.length, 2 * perAppend * appends);
      const byPosition = new Map(events.map((e) => [e.position, decoder.decode(e.event.data)]));
      for (const [name, lasts] of [
        ['a', a!],
        ['b', b!],
      ] as const) {
        for (let k = 0; k < appends; k++) {
          const last = lasts[k]!;
          for (let i = 0; i < perAppend; i++) {
            const position = last - perAppend + 1 + i;
            assert.equal(
              byPosition.get(position),
              `${name}:${k}:${i}`,
              `append ${k} of writer ${name} should be at ${last - perAppend + 1}..${last}`,
            );
          }
        }
      }
    });
  }, 4);

  it("two writers appending under the same condition after the same head: exactly one fails, and all the other's events are stored", async (recorder) => {
    await recorder.append([ev('Opened', ['contested'])]);
    const { head } = await recorder.read(item([], ['contested']));
    assert.equal(head, 1);
    await withAnother(recorder, async (other) => {
      const condition = { failIfEventsMatch: item([], ['contested']), after: head };
      const batch = (name: string) =>
        Array.from({ length: 10_000 }, (_, i) =>
          ev('Claimed', ['contested', `writer:${name}`], `${name}:${i}`),
        );
      const results = await Promise.allSettled([
        recorder.append(batch('a'), condition),
        other.append(batch('b'), condition),
      ]);
      const failed = results.filter((r) => r.status === 'rejected');
      const won = results.filter((r) => r.status === 'fulfilled');
      assert.equal(failed.length, 1, 'exactly one writer fails');
      assert.ok((failed[0] as PromiseRejectedResult).reason instanceof IntegrityError);
      assert.equal((won[0] as PromiseFulfilledResult<number>).value, 10_001);
      const winner = results[0]!.status === 'fulfilled' ? 'a' : 'b';
      const loser = winner === 'a' ? 'b' : 'a';
      const stored = await recorder.read();
      assert.equal(stored.head, 10_001);
      assert.equal((await recorder.read(item([], [`writer:${winner}`]))).events.length, 10_000);
      assert.equal((await recorder.read(item([], [`writer:${loser}`]))).events.length, 0);
    });
  }, 4);

  it('20 writers deciding under conditions on disjoint tags do not conflict', async (recorder) => {
    const writers = 20;
    const rounds = 5;
    let conflicts = 0;
    await withAnother(recorder, async (other) => {
      await Promise.all(
        Array.from({ length: writers }, async (_, w) => {
          const writer = w % 2 === 0 ? recorder : other;
          const boundary = item([], [`account:${w}`]);
          for (let r = 0; r < rounds; r++) {
            const { events, head } = await writer.read(boundary);
            assert.ok(events.every((e) => e.event.tags.includes(`account:${w}`)));
            try {
              await writer.append([ev('Deposited', [`account:${w}`], `${w}:${r}`)], {
                failIfEventsMatch: boundary,
                after: head,
              });
            } catch (error) {
              if (!(error instanceof IntegrityError)) throw error;
              conflicts++;
            }
          }
        }),
      );
    });
    assert.ok(
      conflicts <= (options?.disjointConflictsAllowed ?? 0),
      `${conflicts} of ${writers * rounds} appends on disjoint tags conflicted`,
    );
    const { events } = await recorder.read();
    assert.equal(events.length, writers * rounds - conflicts);
  }, 2);
}
