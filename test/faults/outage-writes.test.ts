import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { OperationalError } from '../../src/persistence/errors.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';
import { baseEnv, dropPrefix, whenPostgres } from '../postgres/helpers.js';
import { FaultApp, newItem } from './fixtures/fault-app.js';

// test/postgres/outage.test.ts cuts a subscriber's connections while a writer saves directly;
// here the writes go through the cut proxy too, for longer than the reads' retry window
// (10 tries, 200 ms apart), while a subscription through the same proxy reads on.

const prefix = `es_outage_writes_${randomBytes(4).toString('hex')}`;
const OUTAGE_MS = 5000;
const CONNECT_TIMEOUT_S = 2;

/** A save made during the test: when it started and settled, and how. */
interface Save {
  readonly keys: string[];
  readonly started: number;
  settled: number;
  ids: number[] | null;
  error: unknown;
}

whenPostgres(() => {
  after(() => dropPrefix(prefix));

  describe('a PostgreSQL outage during writes and a subscription', () => {
    test('saves during the outage fail soon with a clear OperationalError, saves after it succeed, and the subscription delivers every committed event once, in order', async (t) => {
      const name = `${prefix}_app`;
      const proxy = new TcpProxy(baseEnv.POSTGRES_HOST, Number(baseEnv.POSTGRES_PORT));
      await proxy.start();
      const env = {
        ...baseEnv,
        PERSISTENCE_MODULE: 'postgres',
        POSTGRES_PORT: String(proxy.port),
        POSTGRES_CONNECT_TIMEOUT: String(CONNECT_TIMEOUT_S),
      };
      const app = new FaultApp({ name, env, onError: () => {} });
      // What is committed is read afterwards on a direct connection, not through the proxy.
      const direct = new FaultApp({ name, env: { ...baseEnv, PERSISTENCE_MODULE: 'postgres' } });
      try {
        await app.recorder.ready?.();
        const received: number[] = [];
        const subscription = app.recorder.subscribe();
        const consuming = (async () => {
          for await (const notification of subscription) received.push(notification.id);
        })();

        const saves: Save[] = [];
        let writing = true;
        const writer = async () => {
          for (let i = 0; i < 5000 && writing; i++) {
            const item = newItem('o', Math.floor(Math.random() * 3));
            const keys = item.pendingEvents.map((e) => `${item.id}/${e.originatorVersion}`);
            const save: Save = { keys, started: Date.now(), settled: 0, ids: null, error: null };
            saves.push(save);
            try {
              save.ids = (await app.save(item)).map((r) => r.notification.id);
            } catch (error) {
              save.error = error;
            }
            save.settled = Date.now();
            await sleep(save.error === null ? 5 : 50);
          }
        };
        const writing$ = Promise.all(Array.from({ length: 8 }, writer));

        await sleep(1500);
        const cutAt = Date.now();
        await proxy.cut();
        await sleep(OUTAGE_MS);
        await proxy.restore();
        const restoredAt = Date.now();
        await sleep(2000);
        writing = false;
        await writing$;

        const before = saves.filter((s) => s.settled < cutAt);
        const during = saves.filter((s) => s.started >= cutAt && s.settled <= restoredAt);
        const afterwards = saves.filter((s) => s.started >= restoredAt);
        assert.ok(before.length > 50, `${before.length} saves before the outage`);
        assert.ok(during.length > 20, `${during.length} saves during the outage`);
        assert.ok(afterwards.length > 50, `${afterwards.length} saves after the outage`);
        for (const save of before) assert.equal(save.error, null);
        for (const save of during) {
          assert.ok(save.error instanceof OperationalError, String(save.error));
          assert.match(
            save.error.message,
            /Cannot connect to PostgreSQL|Timed out connecting|Lost the connection|outcome is unknown/,
          );
        }
        for (const save of afterwards) assert.equal(save.error, null, String(save.error));
        // No save hangs: each settled within the connect timeout (and a margin for this machine).
        const longest = Math.max(...saves.map((s) => s.settled - s.started));
        assert.ok(longest < CONNECT_TIMEOUT_S * 1000 + 1500, `a save took ${longest} ms`);

        // What is stored: each resolved save whole under its ids; each failed one whole or not.
        const stored = await direct.recorder.selectNotifications(1, 100_000);
        const byKey = new Map(stored.map((n) => [`${n.originatorId}/${n.originatorVersion}`, n]));
        let claimed = 0;
        let failedStored = 0;
        for (const save of saves) {
          const found = save.keys.map((k) => byKey.get(k));
          const count = found.filter((f) => f !== undefined).length;
          assert.ok(count === 0 || count === save.keys.length, `a save is partly stored: ${count}`);
          claimed += count;
          if (save.ids !== null)
            assert.deepEqual(
              found.map((f) => f?.id),
              save.ids,
            );
          else if (count > 0) failedStored++;
        }
        assert.equal(claimed, stored.length, 'events are stored that no save made');

        // The subscription, through the proxy, catches up with every committed event once.
        const lastId = stored.at(-1)!.id;
        for (let i = 0; i < 500 && (received.at(-1) ?? 0) < lastId; i++) await sleep(20);
        subscription.stop();
        await consuming;
        assert.deepEqual(
          received,
          stored.map((n) => n.id),
        );
        t.diagnostic(
          `${saves.length} saves: ${before.length} before the outage, ${during.length} during it ` +
            `(all failed), ${afterwards.length} after it (all stored); ${failedStored} failed ` +
            `saves stored whole; longest save ${longest} ms; ${stored.length} events received ` +
            'by the subscription',
        );
      } finally {
        await app.close();
        await direct.close();
        await proxy.close();
      }
    });
  });
});
