// Identifiers that hold dollar-quote tags, quotes, spaces and unicode: tables and the write
// function are created, events saved and read, and nothing in a name ever runs as SQL.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { dollarQuote, quoteIdent } from '../../src/postgres/identifiers.js';
import { PostgresFactory } from '../../src/postgres/index.js';
import { Environment } from '../../src/utils/environment.js';
import { baseEnv, rawClient, whenPostgres } from './helpers.js';

const run = randomBytes(3).toString('hex');

/** Fragments that broke, or could break, quoting: dollar tags, quotes, comments, unicode. */
const FRAGMENTS = [
  '$',
  '$$',
  '$BODY$',
  '$es$',
  '$es1$',
  '$es_1$',
  '$e',
  's$',
  '"',
  "'",
  ' ',
  ';',
  '--',
  '/*',
  '\\',
  '.',
  '%',
  '_',
  'é',
  'Ω',
  '日本',
  '😀',
  'a',
  'Z',
  '7',
];

/** A deterministic generator (mulberry32), so a failure names a reproducible case. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A name of fragments, at most `maxBytes` UTF-8 bytes. */
function fuzzName(next: () => number, maxBytes: number): string {
  let name = '';
  const parts = 1 + Math.floor(next() * 8);
  for (let i = 0; i < parts; i++) {
    const part = FRAGMENTS[Math.floor(next() * FRAGMENTS.length)]!;
    if (Buffer.byteLength(name + part) > maxBytes) break;
    name += part;
  }
  return name;
}

test('a dollar-quoted body gets a tag that does not occur in it', () => {
  assert.equal(dollarQuote('SELECT 1'), '$es$SELECT 1$es$');
  assert.equal(dollarQuote('"a$es$b" $es_1$'), '$es_2$"a$es$b" $es_1$$es_2$');
});

whenPostgres(() => {
  const schemas: string[] = [];
  const factories: PostgresFactory[] = [];
  after(async () => {
    for (const factory of factories) await factory.close();
    const client = await rawClient();
    for (const schema of schemas)
      await client.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
    await client.query(`DROP TABLE IF EXISTS public.${quoteIdent(`pw_${run}`)}`);
    await client.end();
  });

  async function createSchema(schema: string): Promise<void> {
    schemas.push(schema);
    const client = await rawClient();
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
    await client.end();
  }

  function factory(name: string, schema: string): PostgresFactory {
    const f = new PostgresFactory(
      new Environment(name, { ...baseEnv, POSTGRES_SCHEMA: schema, ORIGINATOR_ID_TYPE: 'text' }),
    );
    factories.push(f);
    return f;
  }

  /** Saves and reads through every recorder kind of an application with these names. */
  async function roundTrip(name: string, schema: string): Promise<void> {
    const f = factory(name, schema);
    const app = f.applicationRecorder();
    const id = `dog ${name}`;
    const ids = await app.insertEvents([
      { originatorId: id, originatorVersion: 1, topic: `T${name}`, state: Buffer.from(name) },
    ]);
    assert.equal(ids.length, 1);
    const [stored] = await app.selectEvents(id);
    assert.equal(Buffer.from(stored!.state).toString(), name);
    const [notification] = await app.selectNotifications(ids[0]!, 1);
    assert.equal(notification?.topic, `T${name}`);

    const process = f.processRecorder();
    await process.insertEvents(
      [{ originatorId: id, originatorVersion: 2, topic: 't', state: Buffer.from('x') }],
      { tracking: { applicationName: name, notificationId: 5 } },
    );
    assert.equal(await process.maxTrackingId(name), 5);
    assert.equal((await process.selectEvents(id)).length, 2);

    const snapshots = f.aggregateRecorder('snapshots');
    await snapshots.insertEvents([
      { originatorId: id, originatorVersion: 2, topic: 's', state: Buffer.from('s') },
    ]);
    assert.equal((await snapshots.selectEvents(id)).length, 1);
  }

  describe('identifiers holding dollar-quote tags, quotes and unicode', () => {
    test("an application named 'Odd$es$Name' and a schema 'tenant$BODY$2' work", async () => {
      const schema = `tenant$BODY$2_${run}`;
      await createSchema(schema);
      await roundTrip('Odd$es$Name', schema);
    });

    test('fuzzed application and schema names create tables and functions, and save and read events', async () => {
      const next = random(11);
      for (let i = 0; i < 24; i++) {
        // Room for the longest suffix: '_events_notification_id_idx' (27 bytes).
        const name = fuzzName(next, 36) || 'x';
        const schema = `${i}_${fuzzName(next, 50)}_${run}`;
        await createSchema(schema);
        await roundTrip(name, schema).catch((error: unknown) => {
          throw new Error(
            `case ${i}: name ${JSON.stringify(name)}, schema ${JSON.stringify(schema)}`,
            {
              cause: error,
            },
          );
        });
      }
    });

    test('SQL in POSTGRES_SCHEMA never runs, even with check_function_bodies off', async () => {
      const pwned = `pw_${run}`;
      // Closes a $BODY$ body where the schema first appears in it, creates a table, and reopens
      // a string that the next appearance closes: with $BODY$ quoting this DDL parsed and ran.
      const schema = `x$BODY$;CREATE TABLE IF NOT EXISTS ${pwned}();SELECT $BODY$`;
      await createSchema(schema);
      const f = factory(`app_${run}`, schema);
      const statements = [
        ...f.processRecorder().createTableStatements(),
        ...f.applicationRecorder().createTableStatements(),
      ];
      const client = await rawClient();
      try {
        await client.query('BEGIN');
        await client.query('SET LOCAL check_function_bodies = off');
        for (const statement of statements) await client.query(statement);
        await client.query('COMMIT');
        const found = await client.query({
          text: 'SELECT to_regclass($1) AS t',
          values: [`public.${pwned}`],
        });
        assert.equal((found.rows[0] as { t: unknown }).t, null, 'the injected table was created');
      } finally {
        await client.query('ROLLBACK').catch(() => {});
        await client.end();
      }
      // The function bodies are whole: writes work.
      await roundTrip(`app_${run}`, schema);
    });
  });
});
