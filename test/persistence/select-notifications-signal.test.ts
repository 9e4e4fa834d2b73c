// selectNotifications({ signal }): an aborted read rejects with the signal's reason, on every
// backend; on PostgreSQL a read waiting for a busy pool stops waiting when the signal aborts.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { MemoryApplicationRecorder } from '../../src/memory/index.js';
import type { ApplicationRecorder } from '../../src/persistence/recorders.js';
import type { StoredEvent, Tracking } from '../../src/persistence/stored-event.js';
import {
  PostgresFactory,
  PostgresTrackingRecorder,
  type PostgresTransactionClient,
} from '../../src/postgres/index.js';
import { SQLiteApplicationRecorder, SQLiteDatastore } from '../../src/sqlite/index.js';
import { Environment } from '../../src/utils/environment.js';
import { baseEnv, dropPrefix, whenPostgres } from '../postgres/helpers.js';
import { tempDbPath } from '../sqlite/helpers.js';

const event = (): StoredEvent => ({
  originatorId: randomUUID(),
  originatorVersion: 1,
  topic: 'Noted',
  state: new Uint8Array([123, 125]),
});

async function abortedReadRejects(recorder: ApplicationRecorder): Promise<void> {
  await recorder.insertEvents([event()]);
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(recorder.selectNotifications(1, 10, { signal: controller.signal }), {
    name: 'AbortError',
  });
  const reason = new Error('no longer needed');
  await assert.rejects(
    recorder.selectNotifications(1, 10, { signal: AbortSignal.abort(reason) }),
    (error) => error === reason,
  );
  await assert.rejects(
    recorder.selectNotifications(1, 10, { signal: 'soon' as unknown as AbortSignal }),
    /signal must be an AbortSignal/,
  );
  // A signal that is not aborted changes nothing.
  const read = await recorder.selectNotifications(1, 10, { signal: new AbortController().signal });
  assert.equal(read.length, 1);
}

describe('selectNotifications with an abort signal', () => {
  test('memory: an aborted read rejects with the signal reason', () =>
    abortedReadRejects(new MemoryApplicationRecorder()));

  test('SQLite: an aborted read rejects with the signal reason', async () => {
    const datastore = new SQLiteDatastore(tempDbPath());
    try {
      await abortedReadRejects(new SQLiteApplicationRecorder(datastore));
    } finally {
      datastore.close();
    }
  });
});

/** A view whose command holds its transaction (and so a pooled connection) until released. */
class HoldingView extends PostgresTrackingRecorder {
  hold(tracking: Tracking, released: Promise<void>): Promise<void> {
    return this.transaction(tracking, async (_client: PostgresTransactionClient) => {
      await released;
    });
  }
}

whenPostgres(() => {
  const prefix = `es_abort_${randomBytes(4).toString('hex')}`;
  const factories: PostgresFactory[] = [];
  after(async () => {
    for (const factory of factories) await factory.close();
    await dropPrefix(prefix);
  });

  describe('selectNotifications with an abort signal on PostgreSQL', () => {
    test('an aborted read rejects with the signal reason', async () => {
      const factory = new PostgresFactory(new Environment(`${prefix}_a`, baseEnv));
      factories.push(factory);
      await abortedReadRejects(factory.applicationRecorder());
    });

    test('a read waiting for the only pooled connection stops waiting when aborted', async () => {
      const factory = new PostgresFactory(
        new Environment(`${prefix}_b`, {
          ...baseEnv,
          POSTGRES_POOL_SIZE: '1',
          POSTGRES_MAX_OVERFLOW: '0',
        }),
      );
      factories.push(factory);
      const recorder = factory.applicationRecorder();
      await recorder.insertEvents([event()]);
      const view = factory.trackingRecorder(HoldingView);
      await view.ready();
      let release = (): void => {};
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      const holding = view.hold({ applicationName: 'Upstream', notificationId: 1 }, released);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const started = Date.now();
      const reading = recorder.selectNotifications(1, 10, { signal: AbortSignal.timeout(200) });
      await assert.rejects(reading, { name: 'TimeoutError' });
      const waited = Date.now() - started;
      assert.ok(waited < 1500, `the read waited ${waited} ms after its signal aborted`);
      release();
      await holding;
      // The pool is healthy: the next read gets the connection.
      assert.equal((await recorder.selectNotifications(1, 10)).length, 1);
    });
  });
});
