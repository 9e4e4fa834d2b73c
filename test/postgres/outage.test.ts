import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { OperationalError } from '../../src/persistence/errors.js';
import { PostgresFactory } from '../../src/postgres/index.js';
import { Environment } from '../../src/utils/environment.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';
import { baseEnv, dropPrefix, whenPostgres } from './helpers.js';

// The shared server cannot be stopped while other tests use it: the subscriber connects through
// a proxy that this test cuts (connections reset, new ones refused) for longer than the reads'
// own retry window (10 tries, 200 ms apart), while a writer on a direct connection saves on.

const prefix = `es_outage_${randomBytes(4).toString('hex')}`;
const OUTAGE_MS = 5000;

function event(topic = 't:E') {
  return { originatorId: randomUUID(), originatorVersion: 1, topic, state: Uint8Array.of(1) };
}

async function until(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (check()) return;
    await sleep(20);
  }
  throw new Error(`gave up waiting until ${what}`);
}

whenPostgres(() => {
  after(() => dropPrefix(prefix));

  describe('a PostgreSQL outage longer than the read retries', () => {
    test('a subscription waits through it and resumes, with every event once, in order, and its LISTEN connection reconnects', async () => {
      const name = `${prefix}_sub`;
      const proxy = new TcpProxy(baseEnv.POSTGRES_HOST, Number(baseEnv.POSTGRES_PORT));
      await proxy.start();
      const errors: string[] = [];
      const readerFactory = new PostgresFactory(
        new Environment(name, { ...baseEnv, POSTGRES_PORT: String(proxy.port) }),
        { onError: (_error, source) => errors.push(source), connectTimeout: 2 },
      );
      const writerFactory = new PostgresFactory(new Environment(name, baseEnv));
      try {
        const writer = writerFactory.applicationRecorder();
        const reader = readerFactory.applicationRecorder();
        await writer.ready();
        const listener = readerFactory.datastore.listener(reader.channel);

        const received: number[] = [];
        const subscription = reader.subscribe();
        const consuming = (async () => {
          for await (const notification of subscription) {
            received.push(notification.id);
            if (notification.topic === 't:Last') break;
          }
        })();
        let writing = true;
        const written: number[] = [];
        const producing = (async () => {
          while (writing) {
            written.push(...(await writer.insertEvents([event()])));
            await sleep(25);
          }
          written.push(...(await writer.insertEvents([event('t:Last')])));
        })();

        await until('listening', () => listener.isListening && received.length > 5);
        await proxy.cut();
        const receivedBeforeOutage = received.length;
        await sleep(OUTAGE_MS);
        const receivedDuringOutage = received.length - receivedBeforeOutage;
        await proxy.restore();
        await until('reconnected', () => listener.connectionCount >= 2 && listener.isListening);
        writing = false;
        await producing;
        await Promise.race([
          consuming,
          sleep(20_000).then(() => assert.fail(`subscription stuck at ${received.length}`)),
        ]);

        assert.ok(written.length > 100, `only ${written.length} events written`);
        assert.deepEqual(received, written);
        // Nothing could arrive through a cut connection (proves the outage was real).
        assert.ok(receivedDuringOutage <= 1, `${receivedDuringOutage} received during the outage`);
        assert.ok(errors.includes('subscription'), `errors reported: ${errors.join(', ')}`);
        assert.ok(errors.includes('listen'), `errors reported: ${errors.join(', ')}`);
      } finally {
        await readerFactory.close();
        await writerFactory.close();
        await proxy.close();
      }
    });

    test('a subscription still ends with the error when the failure is not one that passes', async () => {
      const sources: string[] = [];
      const factory = new PostgresFactory(
        new Environment(`${prefix}_auth`, { ...baseEnv, POSTGRES_DBNAME: `${prefix}_missing` }),
        { onError: (_error, source) => sources.push(source) },
      );
      try {
        const next = factory.applicationRecorder().subscribe()[Symbol.asyncIterator]().next();
        await assert.rejects(next, (error: unknown) => {
          assert.ok(error instanceof OperationalError);
          assert.match(error.message, /database does not exist/);
          return true;
        });
        // Not retried; the LISTEN connection's own failure may be reported ('listen').
        assert.ok(!sources.includes('subscription'), `reported: ${sources.join(', ')}`);
      } finally {
        await factory.close();
      }
    });
  });
});
