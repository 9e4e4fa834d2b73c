import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Notification } from '../../src/persistence/stored-event.js';
import { int8Types } from '../../src/postgres/driver.js';
import { type PostgresApplicationRecorder, PostgresFactory } from '../../src/postgres/index.js';
import { Environment } from '../../src/utils/environment.js';
import { baseEnv, dropPrefix, pg, rawClient, whenPostgres } from './helpers.js';

const prefix = `es_listen_${randomBytes(4).toString('hex')}`;

function event(topic = 't:E') {
  return { originatorId: randomUUID(), originatorVersion: 1, topic, state: Uint8Array.of(1) };
}

async function listenBackends(channel: string): Promise<number[]> {
  const client = await rawClient();
  try {
    const result = await client.query({
      text: "SELECT pid FROM pg_stat_activity WHERE query = $1 AND application_name = 'eventsourcing'",
      values: [`LISTEN "${channel}"`],
    });
    return (result.rows as { pid: number }[]).map((r) => r.pid);
  } finally {
    await client.end();
  }
}

async function until(what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await check()) return;
    await sleep(20);
  }
  throw new Error(`gave up waiting until ${what}`);
}

whenPostgres(() => {
  after(() => dropPrefix(prefix));

  describe('subscriptions and LISTEN/NOTIFY', () => {
    test('one LISTEN connection per factory and channel, opened by the first subscription and closed after the last', async () => {
      const name = `${prefix}_one`;
      const factory = new PostgresFactory(new Environment(name, baseEnv));
      const recorder = factory.applicationRecorder();
      const listener = factory.datastore.listener(recorder.channel);
      const subscriptions = [recorder.subscribe(), recorder.subscribe(), recorder.subscribe()];
      const pending = subscriptions.map((s) => s[Symbol.asyncIterator]().next());
      await until('listening', () => listener.isListening);
      assert.equal((await listenBackends(`${name}_events`)).length, 1);
      assert.equal(listener.size, 3);
      await recorder.insertEvents([event()]);
      for (const p of pending) assert.equal((await p).done, false);
      for (const s of subscriptions) s.stop();
      assert.equal(listener.size, 0);
      await until(
        'LISTEN closed',
        async () => (await listenBackends(`${name}_events`)).length === 0,
      );
      await factory.close();
    });

    test('a subscription keeps receiving after its LISTEN connection is killed: polling, then reconnection', async () => {
      const name = `${prefix}_kill`;
      const factory = new PostgresFactory(new Environment(name, baseEnv));
      const writerFactory = new PostgresFactory(new Environment(name, baseEnv));
      const recorder = factory.applicationRecorder();
      const writer = writerFactory.applicationRecorder();
      const listener = factory.datastore.listener(recorder.channel);
      const subscription = recorder.subscribe();
      const iterator = subscription[Symbol.asyncIterator]();
      const received: Notification[] = [];
      const first = iterator.next();
      await until('listening', () => listener.isListening);
      await writer.insertEvents([event('t:Before')]);
      received.push((await first).value as Notification);
      const [pid] = await listenBackends(`${name}_events`);
      assert.ok(pid !== undefined);
      const killer = await rawClient();
      await killer.query({ text: 'SELECT pg_terminate_backend($1)', values: [pid] });
      await killer.end();
      // Written while (or just after) the LISTEN connection is down: polling delivers it.
      await writer.insertEvents([event('t:During')]);
      received.push((await iterator.next()).value as Notification);
      await until('reconnected', () => listener.connectionCount >= 2 && listener.isListening);
      await writer.insertEvents([event('t:After')]);
      received.push((await iterator.next()).value as Notification);
      assert.deepEqual(
        received.map((n) => n.topic),
        ['t:Before', 't:During', 't:After'],
      );
      subscription.stop();
      await writerFactory.close();
      await factory.close();
    });

    test('a subscription of a closed factory ends at once and opens nothing', async () => {
      const factory = new PostgresFactory(new Environment(`${prefix}_closed`, baseEnv));
      const recorder = factory.applicationRecorder();
      const pending = recorder.subscribe()[Symbol.asyncIterator]().next();
      await factory.close();
      assert.deepEqual(await pending, { done: true, value: undefined });
      assert.deepEqual(await recorder.subscribe()[Symbol.asyncIterator]().next(), {
        done: true,
        value: undefined,
      });
      assert.equal(recorder.listenerCount, 0);
    });
  });

  describe('int8 parsing', () => {
    test("ids are numbers here, while the user's own pg Pool still gets strings (no global parser)", async () => {
      const factory = new PostgresFactory(new Environment(`${prefix}_int8`, baseEnv));
      const recorder = factory.applicationRecorder();
      const [id] = await recorder.insertEvents([event()]);
      assert.equal(typeof id, 'number');
      assert.equal(typeof (await recorder.maxNotificationId()), 'number');
      const pool = new pg.Pool({
        host: baseEnv.POSTGRES_HOST,
        port: Number(baseEnv.POSTGRES_PORT),
        user: baseEnv.POSTGRES_USER,
        password: baseEnv.POSTGRES_PASSWORD,
        database: baseEnv.POSTGRES_DBNAME,
      });
      pool.on('error', () => {});
      const result = await pool.query({
        text: 'SELECT 9007199254740993::int8 AS big, 1::int8 AS one',
      });
      assert.deepEqual(result.rows[0], { big: '9007199254740993', one: '1' });
      await pool.end();
      await factory.close();
    });

    test('bytea reads back byte for byte, in hex form and in the older escape form', async () => {
      const factory = new PostgresFactory(new Environment(`${prefix}_bytea`, baseEnv));
      const recorder = factory.applicationRecorder();
      const states = [
        new Uint8Array(0),
        Uint8Array.of(0, 255, 92, 120, 10, 39, 34),
        new Uint8Array(Buffer.from('{"a":"é ☃ \\\\x00"}', 'utf8')),
        Uint8Array.from({ length: 256 }, (_, i) => i),
      ];
      const events = states.map((state, i) => ({
        originatorId: randomUUID(),
        originatorVersion: i + 1,
        topic: 't',
        state,
      }));
      await recorder.insertEvents(events);
      const read = await recorder.selectNotifications(null, 10);
      assert.deepEqual(
        read.map((n) => Buffer.from(n.state).toString('hex')),
        states.map((s) => Buffer.from(s).toString('hex')),
      );
      // A server configured for the escape form: the same bytes through pg's own parser.
      const parse = int8Types(pg).getTypeParser(17, 'text') as (value: string) => Uint8Array;
      assert.deepEqual([...parse('\\x00ff5c')], [0, 255, 92]);
      assert.deepEqual([...parse('a\\000\\\\b')], [97, 0, 92, 98]);
      await factory.close();
    });

    test('states read as escaped text while they are ASCII, as bytea once most are not', async () => {
      const factory = new PostgresFactory(new Environment(`${prefix}_states`, baseEnv));
      const recorder = factory.applicationRecorder();
      const asText = () => (recorder as unknown as { statesAsText: boolean }).statesAsText;
      const ascii = Array.from({ length: 40 }, (_, i) =>
        Buffer.from(`{"n":${i},"s":"a\\\\b \\"q\\" \\u00e9"}`, 'utf8'),
      );
      const binary = Array.from({ length: 120 }, () =>
        randomBytes(1 + Math.floor(Math.random() * 64)),
      );
      const states = [...ascii, ...binary];
      const id = randomUUID();
      await recorder.insertEvents(
        states.map((state, i) => ({
          originatorId: id,
          originatorVersion: i + 1,
          topic: 't',
          state,
        })),
      );
      const hex = (bytes: readonly Uint8Array[]) =>
        bytes.map((b) => Buffer.from(b).toString('hex'));
      // Read in pages, so that the recorder changes format part of the way through.
      const read: Uint8Array[] = [];
      let start = 1;
      for (;;) {
        const page = await recorder.selectNotifications(start, 25);
        if (page.length === 0) break;
        read.push(...page.map((n) => n.state));
        start = page[page.length - 1]!.id + 1;
      }
      assert.equal(asText(), false, 'switched to bytea after mostly binary states');
      assert.deepEqual(hex(read), hex(states));
      assert.deepEqual(hex((await recorder.selectEvents(id)).map((e) => e.state)), hex(states));
      // A new recorder starts with text, and reads the ASCII states exactly.
      const fresh = factory.aggregateRecorder();
      const first = await fresh.selectEvents(id, { lte: 40 });
      assert.deepEqual(hex(first.map((e) => e.state)), hex(ascii));
      await factory.close();
    });

    test('a stored value above Number.MAX_SAFE_INTEGER is a DataError', async () => {
      const name = `${prefix}_big`;
      const factory = new PostgresFactory(new Environment(name, baseEnv));
      const recorder: PostgresApplicationRecorder = factory.applicationRecorder();
      await recorder.ready();
      const client = await rawClient();
      await client.query(
        `SELECT setval('"public"."${name}_events_notification_id_seq"', 9007199254740993)`,
      );
      await client.end();
      await assert.rejects(recorder.insertEvents([event()]), /above Number.MAX_SAFE_INTEGER/);
      await assert.rejects(recorder.maxNotificationId(), /DataError|above Number.MAX_SAFE_INTEGER/);
      await assert.rejects(
        recorder.selectNotifications(null, 10),
        (e: Error) => e.name === 'DataError',
      );
      await factory.close();
    });
  });
});
