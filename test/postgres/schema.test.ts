import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { PostgresFactory } from '../../src/postgres/index.js';
import { Environment } from '../../src/utils/environment.js';
import { baseEnv, dropPrefix, rawClient, whenPostgres } from './helpers.js';

// Python 9.5's DDL, copied from its source (reference, section 1.6), to compare with ours.
const WITH =
  'WITH (autovacuum_enabled = true, autovacuum_vacuum_threshold = 100000000, ' +
  'autovacuum_vacuum_scale_factor = 0.5, autovacuum_analyze_threshold = 1000, ' +
  'autovacuum_analyze_scale_factor = 0.01)';
const pythonDdl = (schema: string, app: string, idType = 'uuid') => [
  `CREATE TABLE IF NOT EXISTS "${schema}"."${app}_events" (originator_id ${idType} NOT NULL, ` +
    'originator_version bigint NOT NULL, topic text, state bytea, notification_id bigserial, ' +
    `PRIMARY KEY (originator_id, originator_version)) ${WITH}`,
  `CREATE UNIQUE INDEX IF NOT EXISTS "${app}_events_notification_id_idx" ON "${schema}"."${app}_events" (notification_id ASC)`,
  `CREATE TABLE IF NOT EXISTS "${schema}"."${app}_snapshots" (originator_id ${idType} NOT NULL, ` +
    'originator_version bigint NOT NULL, topic text, state bytea, ' +
    `PRIMARY KEY (originator_id, originator_version)) ${WITH}`,
  `CREATE TABLE IF NOT EXISTS "${schema}"."${app}_tracking" (application_name text, ` +
    `notification_id bigint, PRIMARY KEY (application_name)) ${WITH}`,
];

interface TableShape {
  columns: unknown[];
  indexes: string[];
  options: unknown;
}

async function shape(schema: string, table: string, prefix: string): Promise<TableShape> {
  const client = await rawClient();
  try {
    const columns = await client.query({
      text:
        'SELECT column_name, data_type, is_nullable, column_default IS NOT NULL AS has_default ' +
        'FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ' +
        'ORDER BY ordinal_position',
      values: [schema, table],
    });
    const indexes = await client.query({
      text: 'SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = $2 ORDER BY indexname',
      values: [schema, table],
    });
    const options = await client.query({
      text:
        'SELECT c.reloptions FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace ' +
        'WHERE n.nspname = $1 AND c.relname = $2',
      values: [schema, table],
    });
    return {
      columns: columns.rows,
      indexes: (indexes.rows as { indexdef: string }[]).map((r) =>
        r.indexdef.split(prefix).join('PREFIX'),
      ),
      options: (options.rows[0] as { reloptions: unknown } | undefined)?.reloptions,
    };
  } finally {
    await client.end();
  }
}

whenPostgres(() => {
  const ours = `es_schema_${randomBytes(4).toString('hex')}`;
  const python = `es_python_${randomBytes(4).toString('hex')}`;
  const schema = `es_test_${randomBytes(4).toString('hex')}`;
  after(async () => {
    await dropPrefix(ours);
    await dropPrefix(python);
    const client = await rawClient();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  });

  describe('schema', () => {
    test("tables, columns, indexes and storage options are exactly Python 9.5's", async () => {
      const factory = new PostgresFactory(new Environment(ours, baseEnv));
      await factory.processRecorder().ready();
      await factory.aggregateRecorder('snapshots').ready();
      await factory.close();
      const client = await rawClient();
      for (const statement of pythonDdl('public', python)) await client.query(statement);
      await client.end();
      for (const suffix of ['_events', '_snapshots', '_tracking']) {
        const mine = await shape('public', ours + suffix, ours);
        const theirs = await shape('public', python + suffix, python);
        assert.deepEqual(mine, theirs, `table ${suffix}`);
        assert.ok(mine.columns.length >= 2);
      }
      const events = await shape('public', `${ours}_events`, ours);
      assert.deepEqual(
        events.columns.map((c) => (c as { column_name: string }).column_name),
        ['originator_id', 'originator_version', 'topic', 'state', 'notification_id'],
      );
      assert.ok(events.indexes.some((i) => i.includes('PREFIX_events_notification_id_idx')));
    });

    test('text ids, legacy multi-row tracking and POSTGRES_SCHEMA', async () => {
      const client = await rawClient();
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      await client.end();
      const factory = new PostgresFactory(
        new Environment(ours, {
          ...baseEnv,
          POSTGRES_SCHEMA: schema,
          ORIGINATOR_ID_TYPE: 'text',
          SINGLE_ROW_TRACKING: 'no',
        }),
      );
      const recorder = factory.processRecorder();
      const ids = await recorder.insertEvents(
        [{ originatorId: 'dog-1', originatorVersion: 1, topic: 't', state: Uint8Array.of(1) }],
        { tracking: { applicationName: 'up', notificationId: 1 } },
      );
      assert.equal(ids.length, 1);
      await factory.close();
      const events = await shape(schema, `${ours}_events`, ours);
      assert.equal((events.columns[0] as { data_type: string }).data_type, 'text');
      const tracking = await shape(schema, `${ours}_tracking`, ours);
      assert.ok(
        tracking.indexes.some((i) => i.includes('(application_name, notification_id)')),
        tracking.indexes.join('\n'),
      );
      // The write function lives in the same schema as the tables.
      const check = await rawClient();
      const fns = await check.query({
        text:
          'SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace ' +
          'WHERE n.nspname = $1',
        values: [schema],
      });
      await check.end();
      assert.deepEqual(
        (fns.rows as { proname: string }[]).map((r) => r.proname),
        [`${ours}_events_process_insert`],
      );
    });

    test('processes starting together create the same tables without colliding', async () => {
      const name = `${ours}_race`;
      const factories = Array.from(
        { length: 6 },
        () => new PostgresFactory(new Environment(name, baseEnv)),
      );
      await Promise.all(factories.map((f) => f.processRecorder().ready()));
      await Promise.all(factories.map((f) => f.close()));
    });
  });

  describe('Python compatibility of stored rows', () => {
    test("rows written by Python's protocol are read, and ours read as Python reads them", async () => {
      const factory = new PostgresFactory(new Environment(`${ours}_compat`, baseEnv));
      const recorder = factory.applicationRecorder();
      await recorder.ready();
      const table = `"public"."${ours}_compat_events"`;
      const subscription = recorder.subscribe();
      const iterator = subscription[Symbol.asyncIterator]();
      const pending = iterator.next();
      // Python 9.5's write: lock, notify, insert from arrays, in one transaction.
      const python = await rawClient();
      const pythonId = randomUUID();
      await python.query('BEGIN');
      await python.query("SET LOCAL lock_timeout = '0s'");
      await python.query(`LOCK TABLE ${table} IN EXCLUSIVE MODE`);
      await python.query(`NOTIFY "${ours}_compat_events"`);
      const inserted = await python.query({
        text:
          `INSERT INTO ${table} AS t (originator_id, originator_version, topic, state) SELECT * ` +
          'FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::bytea[]) RETURNING notification_id',
        values: [[pythonId], [1], ['dogs:Dog.Registered'], [Buffer.from('{"name":"Fido"}')]],
      });
      await python.query('COMMIT');
      const first = await pending;
      assert.equal(first.done, false);
      assert.equal(first.value.originatorId, pythonId);
      assert.equal(
        first.value.id,
        Number((inserted.rows[0] as { notification_id: string }).notification_id),
      );
      assert.equal(Buffer.from(first.value.state).toString(), '{"name":"Fido"}');
      subscription.stop();
      const [event] = await recorder.selectEvents(pythonId);
      assert.equal(event?.topic, 'dogs:Dog.Registered');
      // Ours, read with Python's statements (SELECT *, ids as uuid, versions as bigint).
      const tsId = randomUUID();
      await recorder.insertEvents([
        {
          originatorId: tsId,
          originatorVersion: 1,
          topic: 'dogs:Dog.Registered',
          state: Buffer.from('{}'),
        },
        {
          originatorId: tsId,
          originatorVersion: 2,
          topic: 'dogs:Dog.TrickAdded',
          state: Buffer.from('{"trick":"roll"}'),
        },
      ]);
      const rows = await python.query({
        text: `SELECT * FROM ${table} WHERE originator_id = $1 ORDER BY originator_version ASC`,
        values: [tsId],
      });
      assert.deepEqual(
        (rows.rows as Record<string, unknown>[]).map((r) => [
          r.originator_id,
          r.originator_version,
          r.topic,
          String(r.state),
        ]),
        [
          [tsId, '1', 'dogs:Dog.Registered', '{}'],
          [tsId, '2', 'dogs:Dog.TrickAdded', '{"trick":"roll"}'],
        ],
      );
      const typed = await python.query({
        text: `SELECT pg_typeof(originator_id)::text AS t FROM ${table} LIMIT 1`,
      });
      assert.equal((typed.rows[0] as { t: string }).t, 'uuid');
      await python.end();
      await factory.close();
    });
  });
});
