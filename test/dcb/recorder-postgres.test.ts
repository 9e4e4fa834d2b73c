import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { matchesQuery } from '../../src/persistence/dcb-query.js';
import type {
  DCBEvent,
  DCBQuery,
  DCBQueryItem,
  DCBRecorder,
} from '../../src/persistence/dcb-recorder.js';
import { DataError, IntegrityError, OperationalError } from '../../src/persistence/errors.js';
import { PostgresDCBRecorder } from '../../src/postgres/postgres-dcb-recorder.js';
import { PostgresFactory } from '../../src/postgres/postgres-factory.js';
import { dcbRecorderContract } from '../../src/testing/dcb-recorder-contract.js';
import { Environment } from '../../src/utils/environment.js';
import { runUntilExit } from '../helpers/run-until-exit.js';
import { baseEnv, dropPrefix, rawClient, whenPostgres } from '../postgres/helpers.js';

// The PostgreSQL DCB recorder: the shared contract with appends combined (the default) and
// each sent alone (fastPaths off), then what is PostgreSQL's own: Python's schema and functions,
// every query shape against the in-process matcher, the batch function under concurrency,
// writers in other processes, a LISTEN connection killed under a subscription, and exiting.

const encoder = new TextEncoder();

/** The factories of the recorders made for a test, closed (and their tables dropped) after. */
const made = new WeakMap<object, { factories: PostgresFactory[]; name: string }>();

function factoryOf(name: string): PostgresFactory {
  return new PostgresFactory(new Environment(name, baseEnv));
}

/** Makes a recorder on a fresh factory: the factory's own, or one with fast paths off. */
function make(fastPaths: boolean): (name: string) => PostgresDCBRecorder {
  return (name) => {
    const factory = factoryOf(name);
    const recorder = fastPaths
      ? (factory.dcbRecorder() as PostgresDCBRecorder)
      : new PostgresDCBRecorder(factory.datastore, name.toLowerCase(), { fastPaths: false });
    made.set(recorder, { factories: [factory], name });
    return recorder;
  };
}

/** Another recorder on the same tables, through another factory (another pool). */
function another(fastPaths: boolean): (recorder: PostgresDCBRecorder) => DCBRecorder {
  return (recorder) => {
    const entry = made.get(recorder)!;
    const factory = factoryOf(entry.name);
    entry.factories.push(factory);
    return new PostgresDCBRecorder(factory.datastore, entry.name.toLowerCase(), { fastPaths });
  };
}

async function dispose(recorder: PostgresDCBRecorder): Promise<void> {
  await recorder.close();
  const entry = made.get(recorder);
  if (entry === undefined) return;
  for (const factory of entry.factories) await factory.close();
  await dropPrefix(entry.name);
}

/** Runs `body` with a fresh recorder (on a fresh factory), cleaned up after. */
async function withStore(
  body: (recorder: PostgresDCBRecorder, name: string) => Promise<void>,
  fastPaths = true,
): Promise<void> {
  const name = `es_dcb_${randomBytes(5).toString('hex')}`;
  const recorder = make(fastPaths)(name);
  try {
    await body(recorder, name);
  } finally {
    await dispose(recorder);
  }
}

function ev(type: string, tags: readonly string[] = [], id?: string): DCBEvent {
  return { type, data: encoder.encode(`${type}:${tags.join(',')}`), tags: [...tags], id };
}

function item(types: readonly string[], tags: readonly string[] = []): DCBQuery {
  return { items: [{ types: [...types], tags: [...tags] }] };
}

/** A deterministic pseudo-random generator (mulberry32), so that failures can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

whenPostgres(() => {
  describe('PostgresDCBRecorder, appends combined (fast paths)', () => {
    dcbRecorderContract(make(true), { dispose, another: another(true) });
  });

  describe('PostgresDCBRecorder, each append alone (fast paths off)', () => {
    dcbRecorderContract(make(false), { dispose, another: another(false) });
  });

  describe('PostgresDCBRecorder', () => {
    test("Python's tables, indexes, types and functions exist after creation, and Python's functions append", async () => {
      await withStore(async (recorder, name) => {
        await recorder.ready();
        const prefix = name.toLowerCase();
        const client = await rawClient();
        try {
          const names = async (sql: string, values: unknown[]) =>
            ((await client.query({ text: sql, values, rowMode: 'array' })).rows as string[][])
              .map((row) => row[0]!)
              .sort();
          assert.deepEqual(
            await names(
              "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE $1",
              [`${prefix}%`],
            ),
            [`${prefix}_events_tt_main`, `${prefix}_events_tt_tag`],
          );
          assert.deepEqual(
            await names(
              "SELECT indexname FROM pg_indexes WHERE schemaname = 'public' AND indexname LIKE $1",
              [`${prefix}%`],
            ),
            [
              `${prefix}_events_tt_main_idx_id_type`,
              `${prefix}_events_tt_main_idx_uuid`,
              `${prefix}_events_tt_tag_idx_tag_main_id`,
            ],
          );
          assert.deepEqual(
            await names(
              "SELECT typname FROM pg_type WHERE typname IN ('dcb_event_tt', 'dcb_query_item_tt')",
              [],
            ),
            ['dcb_event_tt', 'dcb_query_item_tt'],
          );
          assert.deepEqual(
            await names(
              'SELECT DISTINCT proname::text FROM pg_proc WHERE proname = ANY ($1::text[])',
              [
                [
                  'dcb_conditional_append_tt',
                  'dcb_unconditional_append_tt',
                  `${prefix}_events_tt_append`,
                  `${prefix}_events_tt_append_batch`,
                ],
              ],
            ),
            [
              'dcb_conditional_append_tt',
              'dcb_unconditional_append_tt',
              `${prefix}_events_tt_append`,
              `${prefix}_events_tt_append_batch`,
            ].sort(),
          );
          // Python's functions, as a Python process calls them, write to the same tables.
          const unconditional = await client.query({
            text: 'SELECT * FROM dcb_unconditional_append_tt(ARRAY[ROW($1, $2, $3)]::dcb_event_tt[])',
            values: ['FromPython', Buffer.from('py'), ['course:c1']],
            rowMode: 'array',
          });
          assert.deepEqual(unconditional.rows, [['1']]);
          const conditional = (after: number) =>
            client.query({
              text:
                'SELECT * FROM dcb_conditional_append_tt(ARRAY[ROW($1, $2)]::dcb_query_item_tt[], ' +
                '$3, ARRAY[ROW($4, $5, $6)]::dcb_event_tt[])',
              values: [[], ['course:c1'], after, 'FromPython', Buffer.from('py'), ['course:c1']],
              rowMode: 'array',
            });
          assert.deepEqual((await conditional(0)).rows, [], 'the condition fails: no row');
          assert.deepEqual((await conditional(1)).rows, [['2']]);
        } finally {
          await client.end();
        }
        const { events, head } = await recorder.read(item([], ['course:c1']));
        assert.equal(head, 2);
        assert.deepEqual(
          events.map((e) => [e.position, e.event.type, e.event.id]),
          [
            [1, 'FromPython', null],
            [2, 'FromPython', null],
          ],
        );
      });
    });

    test("a main table made by Python 9.5 (no uuid column) gets this library's uuid column", async () => {
      await withStore(async (recorder, name) => {
        const main = `"public"."${name.toLowerCase()}_events_tt_main"`;
        const client = await rawClient();
        try {
          await client.query(
            `CREATE TABLE ${main} (id bigserial, type text NOT NULL, data bytea, tags text[] NOT NULL)`,
          );
          await client.query(`INSERT INTO ${main} (type, data, tags) VALUES ('Old', '', '{}')`);
        } finally {
          await client.end();
        }
        const id = randomUUID();
        assert.equal(await recorder.append([ev('New', ['t'], id)]), 2);
        assert.deepEqual(
          (await recorder.read()).events.map((e) => [e.position, e.event.type, e.event.id]),
          [
            [1, 'Old', null],
            [2, 'New', id],
          ],
        );
      });
    });

    test('every query shape (those Python refuses too) reads and conditions as the in-process matcher says', async () => {
      await withStore(async (recorder) => {
        const next = random(15);
        const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)]!;
        const types = ['A', 'B', 'C', 'D'];
        const tags = ['t1', 't2', 't3', 't4', 't5'];
        const some = <T>(values: readonly T[], max: number): T[] => {
          const chosen = new Set<T>();
          const n = Math.floor(next() * (max + 1));
          for (let i = 0; i < n; i++) chosen.add(pick(values));
          return [...chosen];
        };
        const stored: DCBEvent[] = [];
        for (let a = 0; a < 30; a++) {
          const events = Array.from({ length: 1 + Math.floor(next() * 3) }, () =>
            ev(pick(types), some(tags, 3)),
          );
          await recorder.append(events);
          stored.push(...events);
        }
        const randomItem = (): DCBQueryItem => ({ types: some(types, 2), tags: some(tags, 2) });
        const queries: DCBQuery[] = [
          { items: [] },
          item(['A']),
          item(['A', 'B']),
          item([], ['t1']),
          item([], ['t1', 't2']),
          item(['A'], ['t1']),
          item(['A', 'C'], ['t1', 't2']),
          {
            items: [
              { types: ['A'], tags: [] },
              { types: ['B'], tags: [] },
            ],
          },
          {
            items: [
              { types: ['A'], tags: [] },
              { types: [], tags: ['t3'] },
            ],
          },
          {
            items: [
              { types: [], tags: ['t1'] },
              { types: ['B'], tags: ['t2', 't4'] },
            ],
          },
          {
            items: [
              { types: ['D'], tags: [] },
              { types: [], tags: [] },
            ],
          },
        ];
        for (let i = 0; i < 60; i++) {
          queries.push({ items: Array.from({ length: 1 + Math.floor(next() * 3) }, randomItem) });
        }
        for (const query of queries) {
          const head = stored.length;
          const expected = stored.flatMap((event, i) =>
            matchesQuery(event, query) ? [i + 1] : [],
          );
          const label = JSON.stringify(query);
          const read = await recorder.read(query);
          assert.deepEqual(
            read.events.map((e) => e.position),
            expected,
            label,
          );
          assert.equal(read.head, head, label);
          const after = Math.floor(next() * head);
          const limit = Math.floor(next() * 5);
          const later = expected.filter((p) => p > after);
          assert.deepEqual(
            (await recorder.read(query, { after, limit })).events.map((e) => e.position),
            later.slice(0, limit),
            `${label} after ${after} limit ${limit}`,
          );
          assert.deepEqual(
            (await recorder.read(query, { after, backwards: true, limit })).events.map(
              (e) => e.position,
            ),
            [...later].reverse().slice(0, limit),
            `${label} backwards after ${after} limit ${limit}`,
          );
          // As a condition: it fails exactly when some event after `after` matches.
          const outcome = await recorder
            .append([ev('Probe', ['probe'])], { failIfEventsMatch: query, after })
            .then(
              (position) => position,
              (error: unknown) => error,
            );
          if (later.length > 0) {
            assert.ok(outcome instanceof IntegrityError, `${label} after ${after} should fail`);
            assert.match(outcome.message, new RegExp(`position ${later[0]}\\b`));
          } else {
            assert.equal(typeof outcome, 'number', `${label} after ${after} should pass`);
            // Keep the store as the matcher knows it.
            stored.push(ev('Probe', ['probe']));
            assert.equal(outcome, stored.length);
          }
        }
      });
    });

    for (const fastPaths of [true, false]) {
      const path = fastPaths ? 'combined' : 'alone';
      test(`64 concurrent conditional appends on disjoint tags all commit (${path})`, async () => {
        await withStore(async (recorder) => {
          const before = recorder.appendCalls;
          const positions = await Promise.all(
            Array.from({ length: 64 }, (_, i) =>
              recorder.append([ev('Deposited', [`account:${i}`])], {
                failIfEventsMatch: item([], [`account:${i}`]),
                after: null,
              }),
            ),
          );
          assert.deepEqual(
            [...positions].sort((a, b) => a - b),
            Array.from({ length: 64 }, (_, i) => i + 1),
          );
          const calls = recorder.appendCalls - before;
          if (fastPaths) assert.ok(calls < 64, `${calls} calls for 64 appends: none combined`);
          else assert.equal(calls, 64);
          const { events } = await recorder.read();
          for (const { event, position } of events) {
            assert.equal(positions[Number(event.tags[0]!.slice('account:'.length))], position);
          }
        }, fastPaths);
      });

      test(`concurrent appends whose conditions conflict with each other: exactly the right ones fail (${path})`, async () => {
        await withStore(async (recorder) => {
          await recorder.append([ev('Opened', ['seat:0'])]);
          // 48 appends in flight on 16 seats, 3 per seat, all deciding after the same head: one
          // per seat wins, whichever commits first; the others see its event and fail.
          const outcomes = await Promise.allSettled(
            Array.from({ length: 48 }, (_, i) =>
              recorder.append([ev('Booked', [`seat:${i % 16}`, `by:${i}`])], {
                failIfEventsMatch: item(['Booked'], [`seat:${i % 16}`]),
                after: 1,
              }),
            ),
          );
          const winners = new Map<number, number>();
          outcomes.forEach((outcome, i) => {
            if (outcome.status === 'fulfilled') {
              assert.ok(!winners.has(i % 16), `two winners for seat ${i % 16}`);
              winners.set(i % 16, i);
            } else {
              assert.ok(outcome.reason instanceof IntegrityError, String(outcome.reason));
            }
          });
          assert.equal(winners.size, 16, 'one winner per seat');
          const { events, head } = await recorder.read(item(['Booked']));
          assert.equal(head, 17);
          assert.deepEqual(
            events.map((e) => e.event.tags[1]).sort(),
            [...winners.values()].map((i) => `by:${i}`).sort(),
          );
          // A condition on the whole store conflicts with every earlier append of its batch.
          const all = await Promise.allSettled([
            recorder.append([ev('X', ['x:1'])], { failIfEventsMatch: { items: [] }, after: 17 }),
            recorder.append([ev('X', ['x:2'])], { failIfEventsMatch: { items: [] }, after: 17 }),
            recorder.append([ev('X', ['x:3'])], { failIfEventsMatch: item(['X']), after: 17 }),
            recorder.append([ev('Y', ['y:1'])], { failIfEventsMatch: item(['Y']), after: 17 }),
          ]);
          // Sent together, they are checked in order; sent alone, in the order they lock.
          if (fastPaths) {
            assert.deepEqual(
              all.map((o) => o.status),
              ['fulfilled', 'rejected', 'rejected', 'fulfilled'],
            );
          }
        }, fastPaths);
      });

      test(`idempotent retries in flight together resolve to one position (${path})`, async () => {
        await withStore(async (recorder) => {
          const events = [ev('Registered', ['student:s1'], randomUUID())];
          const condition = { failIfEventsMatch: item([], ['student:s1']), after: null };
          const positions = await Promise.all([
            recorder.append(events, condition),
            recorder.append(events, condition),
            recorder.append(events),
          ]);
          assert.deepEqual(positions, [1, 1, 1]);
          assert.equal((await recorder.read()).head, 1);
          // Ids partly stored are refused, alone, and nothing of them is stored.
          const outcome = await Promise.allSettled([
            recorder.append([events[0]!, ev('Other', [], randomUUID())]),
            recorder.append([ev('Fine')]),
          ]);
          assert.ok(
            outcome[0].status === 'rejected' && outcome[0].reason instanceof IntegrityError,
          );
          assert.deepEqual(outcome[1], { status: 'fulfilled', value: 2 });
        }, fastPaths);
      });
    }

    test('a combined call rejected for one bad value is sent again append by append: the others commit, the bad one rejects with a clear DataError', async () => {
      await withStore(async (recorder) => {
        await recorder.ready();
        const before = recorder.appendCalls;
        // A tag too large for the tag table's index (random, so it does not compress): PostgreSQL
        // refuses the whole combined call; a NUL is refused before anything is sent.
        const huge = randomBytes(6000).toString('base64');
        const outcomes = await Promise.allSettled([
          recorder.append([ev('Good', ['a'])]),
          recorder.append([ev('Bad', ['b', huge])], { failIfEventsMatch: item(['Bad']) }),
          recorder.append([ev('Nul', ['x\u0000'])]),
          recorder.append([ev('Good', ['c'], randomUUID())], {
            failIfEventsMatch: item([], ['c']),
          }),
        ]);
        // (A failed call draws ids from the sequence too: positions may skip them.)
        const first = outcomes[0];
        const last = outcomes[3];
        assert.ok(first.status === 'fulfilled' && last.status === 'fulfilled', String(outcomes));
        assert.ok(first.value < last.value);
        const bad = outcomes[1];
        assert.ok(bad.status === 'rejected' && bad.reason instanceof DataError, String(bad));
        assert.match(bad.reason.message, /refused a value of the DCB append as too large/);
        assert.match(bad.reason.message, /index row/);
        const nul = outcomes[2];
        assert.ok(nul.status === 'rejected' && nul.reason instanceof DataError, String(nul));
        assert.match(nul.reason.message, /NUL character/);
        // One combined call of three, then each of the three alone.
        assert.equal(recorder.appendCalls - before, 4);
        const { events, head } = await recorder.read();
        assert.equal(head, last.value);
        assert.deepEqual(
          events.map((e) => [e.position, e.event.tags]),
          [
            [first.value, ['a']],
            [last.value, ['c']],
          ],
        );
        // The recorder goes on combining.
        const more = await Promise.all([
          recorder.append([ev('More')]),
          recorder.append([ev('More')]),
        ]);
        assert.deepEqual(more, [last.value + 1, last.value + 2]);
      });
    });

    test('a subscription rides out ~3 s of terminated connections while events are appended, then receives every event once, in order', async () => {
      const name = `es_dcb_${randomBytes(5).toString('hex')}`;
      const reported: Array<{ error: unknown; source: string }> = [];
      const factory = new PostgresFactory(new Environment(name, baseEnv), {
        onError: (error, source) => reported.push({ error, source }),
      });
      const writerFactory = factoryOf(name);
      const killer = await rawClient();
      try {
        // The subscribing factory's pooled connections, by backend pid: only these and its
        // LISTEN connection are terminated, never another test's.
        const pool = factory.datastore.pool as unknown as {
          on(event: 'connect' | 'remove', fn: (client: { processID: number }) => void): void;
        };
        const pids = new Set<number>();
        pool.on('connect', (client) => pids.add(client.processID));
        pool.on('remove', (client) => pids.delete(client.processID));
        const recorder = factory.dcbRecorder() as PostgresDCBRecorder;
        const writer = writerFactory.dcbRecorder();
        await recorder.ready();
        await writer.append([ev('Appended', ['n:0'])]);

        const received: number[] = [];
        const tags: string[] = [];
        let ended: unknown = null;
        const subscription = recorder.subscribe(item(['Appended']));
        const consuming = (async () => {
          for await (const event of subscription) {
            received.push(event.position);
            tags.push(event.event.tags[0]!);
          }
        })().catch((error: unknown) => {
          ended = error;
        });

        let writing = true;
        let written = 1;
        const appending = (async () => {
          while (writing) {
            await writer.append([ev('Appended', [`n:${written}`])]);
            written++;
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
        })();
        await until('the first events received', () => received.length >= 3);

        // The outage: the main table locked (the subscription's reads wait on it, and the
        // writer's appends too, committing after), and the subscribing factory's connections
        // terminated every 50 ms, so that every read fails, for longer than a read's own
        // retries last.
        await killer.query('BEGIN');
        await killer.query(`LOCK TABLE ${recorder.mainTableName} IN ACCESS EXCLUSIVE MODE`);
        const end = Date.now() + 3500;
        let terminated = 0;
        while (Date.now() < end) {
          const listening = await killer.query({
            text: 'SELECT pid FROM pg_stat_activity WHERE query = $1 AND datname = current_database()',
            values: [`LISTEN "${recorder.channel}"`],
            rowMode: 'array',
          });
          const victims = [...pids, ...(listening.rows as number[][]).map((row) => row[0]!)];
          const result = await killer.query({
            text: 'SELECT count(*)::int FROM unnest($1::int[]) AS p(pid) WHERE pg_terminate_backend(p.pid)',
            values: [victims],
            rowMode: 'array',
          });
          terminated += (result.rows[0] as number[])[0]!;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        await killer.query('COMMIT');
        assert.ok(terminated > 0, 'connections were terminated');
        await new Promise((resolve) => setTimeout(resolve, 300));
        writing = false;
        await appending;

        await until('every event received', () => ended !== null || received.length >= written);
        assert.equal(ended, null, 'the subscription did not end with an error');
        assert.deepEqual(
          received,
          Array.from({ length: written }, (_, i) => i + 1),
          'every event once, in order',
        );
        assert.deepEqual(
          tags,
          Array.from({ length: written }, (_, i) => `n:${i}`),
        );
        const failures = reported.filter((r) => r.source === 'subscription');
        assert.ok(failures.length > 0, 'the subscription reported failed reads, and retried');
        for (const { error } of failures) {
          assert.ok(error instanceof OperationalError, String(error));
        }
        subscription.stop();
        await consuming;
        assert.equal(recorder.listenerCount, 0);
      } finally {
        await killer.end();
        await writerFactory.close();
        await factory.close();
        await dropPrefix(name);
      }
    });

    test('two processes appending under the same condition: exactly one wins, and each exits by itself after close', async () => {
      await withStore(async (recorder, name) => {
        await recorder.append([ev('Opened', ['contested'])]);
        const child = fileURLToPath(new URL('./fixtures/postgres-dcb-child.ts', import.meta.url));
        const env = { ...process.env, ...baseEnv };
        const results = (await Promise.all([
          runUntilExit(child, [name, 'contested', '1'], env),
          runUntilExit(child, [name, 'contested', '1'], env),
        ])) as Array<{
          outcome: { position?: number; error?: string };
          firstPosition: number;
          stopped: boolean;
        }>;
        const won = results.filter((r) => r.outcome.position !== undefined);
        const lost = results.filter((r) => r.outcome.error !== undefined);
        assert.equal(won.length, 1, JSON.stringify(results));
        assert.equal(won[0]!.outcome.position, 2);
        assert.deepEqual(
          lost.map((r) => r.outcome.error),
          ['IntegrityError'],
        );
        for (const result of results) {
          assert.equal(result.firstPosition, 1);
          assert.equal(result.stopped, true);
        }
        assert.equal((await recorder.read(item(['Claimed']))).events.length, 1);
      });
    });

    test('a subscription keeps receiving after its LISTEN connection is terminated', async () => {
      await withStore(async (recorder, name) => {
        const writerFactory = factoryOf(name);
        const writer = writerFactory.dcbRecorder();
        try {
          const subscription = recorder.subscribe(item(['Seen']));
          const iterator = subscription[Symbol.asyncIterator]();
          const first = iterator.next();
          const listener = made.get(recorder)!.factories[0]!.datastore.listener(recorder.channel);
          await until('listening', () => listener.isListening);
          await writer.append([ev('Seen', ['before'])]);
          const received = [(await first).value!.event.tags[0]];
          const client = await rawClient();
          try {
            const pids = await client.query({
              text: 'SELECT pid FROM pg_stat_activity WHERE query = $1 AND datname = current_database()',
              values: [`LISTEN "${recorder.channel}"`],
              rowMode: 'array',
            });
            assert.equal(pids.rows.length, 1);
            await client.query({
              text: 'SELECT pg_terminate_backend($1)',
              values: [(pids.rows[0] as number[])[0]],
            });
          } finally {
            await client.end();
          }
          // Written while (or just after) the LISTEN connection is down: polling delivers it.
          await writer.append([ev('Seen', ['during'])]);
          received.push((await iterator.next()).value!.event.tags[0]);
          await until('reconnected', () => listener.connectionCount >= 2 && listener.isListening);
          await writer.append([ev('Seen', ['after'])]);
          received.push((await iterator.next()).value!.event.tags[0]);
          assert.deepEqual(received, ['before', 'during', 'after']);
          subscription.stop();
          assert.equal(recorder.listenerCount, 0);
        } finally {
          await writerFactory.close();
        }
      });
    });

    test('the factory makes one DCB recorder, named after the application (dcb when unnamed)', async () => {
      const factory = new PostgresFactory(new Environment('', baseEnv));
      const recorder = factory.dcbRecorder() as PostgresDCBRecorder;
      assert.ok(recorder instanceof PostgresDCBRecorder);
      assert.equal(factory.dcbRecorder(), recorder);
      assert.equal(recorder.mainTableName, 'dcb_events_tt_main');
      assert.equal(recorder.tagTableName, 'dcb_events_tt_tag');
      assert.equal(recorder.channel, 'dcb_events_tt_main');
      await factory.close();
      const named = new PostgresFactory(new Environment('CourseSubscriptions', baseEnv));
      assert.equal(
        (named.dcbRecorder() as PostgresDCBRecorder).mainTableName,
        'coursesubscriptions_events_tt_main',
      );
      await named.close();
    });
  });
});

async function until(what: string, condition: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await condition())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
