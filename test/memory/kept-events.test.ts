// The in-memory recorders keep decoded events beside their stored events (src/persistence/fast/
// kept-events.ts), so that a get does not decode the same bytes again. These tests would fail
// if that shared a mutable object between gets: every get returns an aggregate (and events)
// that the caller may change (fields, arrays, Dates, Maps, nested objects) without changing
// what is stored or what another get returns; with snapshots, with the aggregate cache on and
// off, and with the fast paths off.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Application } from '../../src/application/application.js';
import { Aggregate } from '../../src/domain/aggregate.js';
import { aggregate } from '../../src/domain/aggregate-decorator.js';
import { event } from '../../src/domain/event-decorator.js';
import { TranscodingNotRegisteredError } from '../../src/persistence/errors.js';
import { keptSlot } from '../../src/persistence/fast/kept-events.js';

@aggregate('Opened')
class Ledger extends Aggregate {
  title: string;
  entries: { note: string; at: Date; tags: string[] }[] = [];
  seen: Date[] = [];
  totals = new Map<string, number>();

  constructor(title: string) {
    super();
    this.title = title;
  }

  @event('Entered')
  enter(note: string, at: Date, tags: string[], meta: { depth: { list: number[] } }): void {
    // Stores the event's own values (a Date, an array, an object): what a cache must not share.
    this.entries.push({ note, at, tags });
    this.seen.push(at);
    this.totals.set(note, meta.depth.list.length);
    (this as unknown as { meta: unknown }).meta = meta;
  }

  @event('Noted')
  noteValue(value: unknown): void {
    (this as unknown as { value: unknown }).value = value;
  }
}

class Ledgers extends Application {}

const AT = new Date(Date.UTC(2024, 4, 5, 6, 7, 8, 9));

/** An application with one ledger of three events, read enough times for forms to be kept. */
async function ledgers(env: Record<string, string> = {}) {
  const app = new Ledgers({ env });
  const ledger = new Ledger('books');
  ledger.enter('first', AT, ['a', 'b'], { depth: { list: [1, 2] } });
  ledger.enter('second', AT, ['c'], { depth: { list: [3] } });
  await app.save(ledger);
  for (let i = 0; i < 3; i++) await app.repository.get(ledger.id);
  return { app, id: ledger.id };
}

/** Changes everything mutable that a get returned. */
function vandalise(got: Ledger): void {
  got.title = 'changed';
  got.createdOn.setTime(0);
  got.modifiedOn.setTime(0);
  got.entries[0]!.at.setTime(0);
  got.entries[0]!.tags.push('x');
  got.entries[1]!.note = 'changed';
  got.seen[1]!.setUTCFullYear(1999);
  got.totals.set('first', 99);
  (got as unknown as { meta: { depth: { list: number[] } } }).meta.depth.list.push(4);
  got.entries.push({ note: 'extra', at: new Date(0), tags: [] });
}

function assertPristine(got: Ledger): void {
  assert.equal(got.title, 'books');
  assert.equal(got.version, 3);
  assert.deepEqual(
    got.entries.map((e) => [e.note, e.at.getTime(), e.tags]),
    [
      ['first', AT.getTime(), ['a', 'b']],
      ['second', AT.getTime(), ['c']],
    ],
  );
  assert.deepEqual(
    got.seen.map((d) => d.getTime()),
    [AT.getTime(), AT.getTime()],
  );
  assert.deepEqual(
    [...got.totals],
    [
      ['first', 2],
      ['second', 1],
    ],
  );
  assert.deepEqual((got as unknown as { meta: unknown }).meta, { depth: { list: [3] } });
  assert.notEqual(got.createdOn.getTime(), 0);
  assert.notEqual(got.modifiedOn.getTime(), 0);
}

describe('decoded events kept in memory', () => {
  it('are kept once an event has been read twice, and each read makes new events', async () => {
    const { app, id } = await ledgers();
    const stored = await app.recorder.selectEvents(id);
    assert.ok(stored.every((s) => typeof keptSlot(s)?.make === 'function'));
    type Read = { timestamp: Date }[];
    const a = (await app.repository.eventStore.get(id)) as unknown as Read;
    const b = (await app.repository.eventStore.get(id)) as unknown as Read;
    for (let i = 0; i < a.length; i++) {
      assert.notEqual(a[i], b[i]);
      assert.deepStrictEqual(a[i], b[i]);
      assert.ok(Object.isFrozen(a[i]));
      assert.notEqual(a[i]!.timestamp, b[i]!.timestamp);
    }
    await app.close();
  });

  for (const [label, env] of [
    ['without a cache', {}],
    ['with the aggregate cache', { AGGREGATE_CACHE_MAXSIZE: '10' }],
    ['with the fast paths off', { EVENTSOURCING_FAST_PATHS: 'no' }],
  ] as const) {
    it(`a get's aggregate can be changed without changing the next get's (${label})`, async () => {
      const saved = process.env.EVENTSOURCING_FAST_PATHS;
      if ('EVENTSOURCING_FAST_PATHS' in env) process.env.EVENTSOURCING_FAST_PATHS = 'no';
      try {
        const { app, id } = await ledgers(env);
        for (let i = 0; i < 3; i++) {
          const got = await app.repository.get<Ledger>(id);
          assertPristine(got);
          vandalise(got);
        }
        await app.close();
      } finally {
        if (saved === undefined) delete process.env.EVENTSOURCING_FAST_PATHS;
        else process.env.EVENTSOURCING_FAST_PATHS = saved;
      }
    });
  }

  it("an event's Dates, arrays and objects can be changed without changing the next read", async () => {
    const { app, id } = await ledgers();
    for (let i = 0; i < 3; i++) {
      const events = (await app.repository.eventStore.get(id)) as unknown as Record<
        string,
        unknown
      >[];
      const entered = events[1]!;
      assert.equal((entered.at as Date).getTime(), AT.getTime());
      assert.deepEqual(entered.tags, ['a', 'b']);
      assert.deepEqual(entered.meta, { depth: { list: [1, 2] } });
      (entered.at as Date).setTime(0);
      (entered.timestamp as Date).setTime(0);
      (entered.tags as string[]).push('x');
      (entered.meta as { depth: { list: number[] } }).depth.list.length = 0;
    }
    const again = (await app.repository.eventStore.get(id)) as unknown as { timestamp: Date }[];
    assert.ok(again.every((e) => e.timestamp.getTime() > 0));
    await app.close();
  });

  it('snapshots: a get from a snapshot can be changed without changing the next one', async () => {
    const { app, id } = await ledgers({ IS_SNAPSHOTTING_ENABLED: 'y' });
    await app.takeSnapshot(id);
    for (let i = 0; i < 4; i++) {
      const got = await app.repository.get<Ledger>(id);
      assertPristine(got);
      vandalise(got);
    }
    const snapshots = await app.snapshots!.recorder.selectEvents(id);
    assert.equal(snapshots.length, 1);
    // A snapshot holds a Map (the totals), which is not kept: it is decoded every time.
    assert.equal(keptSlot(snapshots[0]!)?.make, false);
    await app.close();
  });

  it('an event holding a Map, a Set or bytes is decoded every time', async () => {
    const app = new Ledgers();
    const ledger = new Ledger('books');
    ledger.noteValue(new Map([['k', [1]]]));
    ledger.noteValue(new Set(['s']));
    ledger.noteValue(new Uint8Array([1, 2]));
    ledger.noteValue({ plain: [new Date(5)] });
    await app.save(ledger);
    for (let i = 0; i < 3; i++) {
      const got = (await app.repository.eventStore.get(ledger.id)) as unknown as {
        value?: unknown;
      }[];
      assert.deepEqual(got[1]!.value, new Map([['k', [1]]]));
      assert.deepEqual(got[2]!.value, new Set(['s']));
      assert.deepEqual(got[3]!.value, new Uint8Array([1, 2]));
      assert.deepEqual(got[4]!.value, { plain: [new Date(5)] });
      (got[1]!.value as Map<string, number[]>).get('k')!.push(2);
      (got[2]!.value as Set<string>).add('t');
      (got[3]!.value as Uint8Array)[0] = 9;
      (got[4]!.value as { plain: Date[] }).plain[0]!.setTime(0);
    }
    const kinds = (await app.recorder.selectEvents(ledger.id)).map((s) => keptSlot(s)?.make);
    assert.deepEqual(kinds.slice(1, 4), [false, false, false]);
    assert.equal(typeof kinds[4], 'function');
    await app.close();
  });

  it('a value the transcoder cannot encode still fails at save, and nothing is stored', async () => {
    const app = new Ledgers();
    const ledger = new Ledger('books');
    await app.save(ledger);
    ledger.noteValue(new (class Opaque {})());
    await assert.rejects(app.save(ledger), TranscodingNotRegisteredError);
    assert.equal((await app.recorder.selectEvents(ledger.id)).length, 1);
    await app.close();
  });
});
