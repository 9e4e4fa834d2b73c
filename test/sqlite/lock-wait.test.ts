import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { OperationalError } from '../../src/persistence/errors.js';
import { sqliteFactory, tempDbPath } from './helpers.js';

const holderScript = fileURLToPath(new URL('./fixtures/lock-holder.mjs', import.meta.url));
const state = new TextEncoder().encode('{}');
const event = (originatorId: string = randomUUID()) => ({
  originatorId,
  originatorVersion: 1,
  topic: 't:E',
  state,
});

/** Starts a process holding the file's write lock; resolves once it holds it. */
async function holdLock(path: string, holdMs: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [holderScript, path, String(holdMs)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // A holder that fails (exits) must fail the test rather than leave it waiting.
  const line = await Promise.race([
    once(child.stdout!.setEncoding('utf8'), 'data').then(([data]) => String(data)),
    once(child, 'exit').then(([code]) => `the lock holder exited with ${String(code)}`),
  ]);
  assert.equal(line.trim(), 'locked');
  return child;
}

/** Measures the largest gap between the ticks of a 10 ms interval until `stop()`. */
function watchTicks(): { stop(): number } {
  let last = performance.now();
  let largest = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    largest = Math.max(largest, now - last);
    last = now;
  }, 10);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(largest, performance.now() - last);
    },
  };
}

describe('SQLite writes waiting for another process’s write lock', () => {
  test('a save waits for a lock held 1.5 s by another process while the event loop keeps ticking, then succeeds; saves made meanwhile queue behind it in order', async () => {
    const path = tempDbPath();
    const factory = sqliteFactory(path);
    const recorder = factory.processRecorder();
    const [first] = await recorder.insertEvents([event()]);
    const holder = await holdLock(path, 1500);
    const exited = once(holder, 'exit');
    const ticks = watchTicks();
    const started = performance.now();
    const id = randomUUID();
    const saves = [
      recorder.insertEvents([event(id)]),
      recorder.insertEvents([event(), event()]),
      recorder.insertTracking({ applicationName: 'up', notificationId: 1 }),
      recorder.insertEvents([event()]),
    ];
    // Reading is never blocked (WAL), and sees only what is committed.
    assert.deepEqual(
      (await recorder.selectNotifications(null, 10)).map((n) => n.id),
      [first],
    );
    const [one, two, , three] = (await Promise.all(saves)) as number[][];
    const waited = performance.now() - started;
    const gap = ticks.stop();
    await exited;
    assert.ok(waited > 1000, `the saves waited for the lock (${waited} ms)`);
    assert.ok(gap < 200, `the largest gap between ticks was ${gap} ms`);
    // The holder's row came first; then the saves, in the order they were made.
    assert.deepEqual([...one!, ...two!, ...three!], [3, 4, 5, 6]);
    assert.equal((await recorder.selectEvents(id)).length, 1);
    assert.equal(await recorder.maxTrackingId('up'), 1);
    await factory.close();
  });

  test('with the lock never released, a save fails after the lock timeout with an OperationalError saying what to do, the loop ticking meanwhile, and nothing stored', async () => {
    const path = tempDbPath();
    const factory = sqliteFactory(path, { SQLITE_LOCK_TIMEOUT: '1' });
    const recorder = factory.processRecorder();
    await recorder.insertEvents([event()]);
    const holder = await holdLock(path, -1);
    try {
      const ticks = watchTicks();
      const started = performance.now();
      const id = randomUUID();
      const results = await Promise.allSettled([
        recorder.insertEvents([event(id)]),
        recorder.insertEvents([event(), event()], {
          tracking: { applicationName: 'up', notificationId: 7 },
        }),
      ]);
      const waited = performance.now() - started;
      const gap = ticks.stop();
      assert.ok(waited >= 1000 && waited < 3000, `waited ${waited} ms`);
      assert.ok(gap < 200, `the largest gap between ticks was ${gap} ms`);
      for (const result of results) {
        assert.equal(result.status, 'rejected');
        const error = (result as PromiseRejectedResult).reason as Error;
        assert.ok(error instanceof OperationalError, String(error));
        assert.match(error.message, /Cannot insert events into table 'stored_events'/);
        assert.match(error.message, /nothing of the batch was stored/);
        assert.match(error.message, /raise SQLITE_LOCK_TIMEOUT/);
        assert.equal((error.cause as { code?: string }).code, 'SQLITE_BUSY');
      }
      assert.deepEqual(await recorder.selectEvents(id), []);
    } finally {
      holder.kill('SIGKILL');
      await once(holder, 'exit');
    }
    // The holder's transaction died with it: only the first save is stored.
    assert.equal(await recorder.maxNotificationId(), 1);
    assert.equal(await recorder.maxTrackingId('up'), null);
    await factory.close();
  });

  test('a recorder’s first use (creating its tables) waits for the lock without blocking the event loop too', async () => {
    const path = tempDbPath();
    const creator = sqliteFactory(path);
    await creator.applicationRecorder().ready();
    await creator.close();
    const holder = await holdLock(path, 500);
    const exited = once(holder, 'exit');
    const factory = sqliteFactory(path);
    const ticks = watchTicks();
    const started = performance.now();
    const [tracking, ids] = await Promise.all([
      factory.trackingRecorder().maxTrackingId('up'),
      factory.processRecorder().insertEvents([event()]),
    ]);
    const waited = performance.now() - started;
    const gap = ticks.stop();
    await exited;
    assert.equal(tracking, null);
    assert.deepEqual(ids, [2]);
    assert.ok(waited > 300, `waited ${waited} ms`);
    assert.ok(gap < 200, `the largest gap between ticks was ${gap} ms`);
    await factory.close();
  });

  test('closing the factory rejects the saves waiting for the lock and leaves no timer behind', async () => {
    const path = tempDbPath();
    const factory = sqliteFactory(path);
    const recorder = factory.applicationRecorder();
    await recorder.ready();
    const holder = await holdLock(path, -1);
    try {
      const saving = recorder.insertEvents([event()]);
      await new Promise((resolve) => setTimeout(resolve, 50));
      await factory.close();
      await assert.rejects(saving, /was closed while a write waited for its write lock/);
    } finally {
      holder.kill('SIGKILL');
      await once(holder, 'exit');
    }
  });
});
