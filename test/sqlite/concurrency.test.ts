import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { IntegrityError, OperationalError } from '../../src/persistence/errors.js';
import type { Notification } from '../../src/persistence/stored-event.js';
import type { SqliteDatabaseConstructor } from '../../src/sqlite/index.js';
import { sqliteFactory, tempDbPath } from './helpers.js';

const Database = createRequire(import.meta.url)('better-sqlite3') as SqliteDatabaseConstructor;
const state = new TextEncoder().encode('{}');
const event = (originatorId: string = randomUUID(), version = 1, topic = 't:E') => ({
  originatorId,
  originatorVersion: version,
  topic,
  state,
});
const root = fileURLToPath(new URL('../../', import.meta.url));

function assertIncreasing(ids: readonly number[]): void {
  for (let i = 1; i < ids.length; i++) assert.ok(ids[i]! > ids[i - 1]!, `ids: ${ids.join(',')}`);
}

describe('SQLite concurrency', () => {
  test('two factories on one file (two "processes"): batches never interleave; a subscriber in one sees the other’s events by polling', async () => {
    const path = tempDbPath();
    const one = sqliteFactory(path);
    const two = sqliteFactory(path);
    const a = one.applicationRecorder();
    const b = two.applicationRecorder();
    a.pollInterval = 20;
    await a.ready();
    await b.ready();
    const rounds = 30;
    const total = rounds * 2 * 3;
    const subscription = a.subscribe();
    const reading = (async () => {
      const seen: Notification[] = [];
      for await (const n of subscription) {
        seen.push(n);
        if (seen.length === total) break;
      }
      return seen;
    })();
    const batches: number[][] = [];
    await Promise.all(
      [a, b].map(async (recorder) => {
        for (let i = 0; i < rounds; i++) {
          batches.push(await recorder.insertEvents([event(), event(), event()]));
          // Let the other "process" in.
          await new Promise((resolve) => setImmediate(resolve));
        }
      }),
    );
    const ranges = batches.map((ids) => {
      assert.equal(ids.length, 3);
      assertIncreasing(ids);
      return [ids[0]!, ids[2]!] as const;
    });
    ranges.sort((x, y) => x[0] - y[0]);
    for (let i = 1; i < ranges.length; i++) assert.ok(ranges[i]![0] > ranges[i - 1]![1]);
    const seen = await reading;
    assert.deepEqual(
      seen.map((n) => n.id),
      batches.flat().sort((x, y) => x - y),
    );
    await one.close();
    await two.close();
  });

  test('conflicting writers in two factories: exactly one wins, the other is an IntegrityError', async () => {
    const path = tempDbPath();
    const one = sqliteFactory(path);
    const two = sqliteFactory(path);
    const id = randomUUID();
    const results = await Promise.allSettled([
      one.applicationRecorder().insertEvents([event(id, 1), event()]),
      two.applicationRecorder().insertEvents([event(id, 1), event()]),
    ]);
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    assert.ok(rejected.reason instanceof IntegrityError);
    assert.match(rejected.reason.message, /Stored event already recorded: originator .* version 1/);
    assert.equal(await one.applicationRecorder().maxNotificationId(), 2);
    await one.close();
    await two.close();
  });

  test('a write waits at most the lock timeout for another connection’s write transaction, then is an OperationalError; readers are never blocked', async () => {
    const path = tempDbPath();
    const factory = sqliteFactory(path, { SQLITE_LOCK_TIMEOUT: '0' });
    const recorder = factory.processRecorder();
    const [first] = await recorder.insertEvents([event()]);
    const other = new Database(path, { timeout: 0 });
    other.exec('BEGIN IMMEDIATE');
    other
      .prepare('INSERT INTO stored_events VALUES (?,?,?,?)')
      .run(randomUUID().replaceAll('-', ''), 1, 't:Uncommitted', Buffer.from('x'));
    try {
      const id = randomUUID();
      await assert.rejects(recorder.insertEvents([event(id)]), (error: unknown) => {
        return (
          error instanceof OperationalError &&
          error.message.includes('SQLITE_LOCK_TIMEOUT') &&
          (error.cause as { code?: string }).code === 'SQLITE_BUSY'
        );
      });
      await assert.rejects(
        recorder.insertTracking({ applicationName: 'up', notificationId: 1 }),
        OperationalError,
      );
      // WAL: reading goes on, and sees only what is committed.
      const seen = await recorder.selectNotifications(null, 10);
      assert.deepEqual(
        seen.map((n) => n.id),
        [first],
      );
      assert.deepEqual(await recorder.selectEvents(id), []);
    } finally {
      other.exec('COMMIT');
      other.close();
    }
    // Once the lock is released, writes go through, after the other connection's row.
    const [next] = await recorder.insertEvents([event()]);
    assert.equal(next, first! + 2);
    await factory.close();
  });

  test('a second Node process writing the same file while this one subscribes: nothing skipped or repeated', async () => {
    const path = tempDbPath();
    const factory = sqliteFactory(path);
    const recorder = factory.applicationRecorder();
    recorder.pollInterval = 20;
    await recorder.insertEvents([event()]);
    const gt = await recorder.maxNotificationId();
    const batches = 25;
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        fileURLToPath(new URL('./fixtures/writer-child.ts', import.meta.url)),
        path,
        String(batches),
      ],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      stdout += s;
    });
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      stderr += s;
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    // This process writes too, at the same time.
    const mine: number[] = [];
    const subscription = recorder.subscribe({ gt });
    const seen: number[] = [];
    const reading = (async () => {
      for await (const n of subscription) {
        seen.push(n.id);
        if (seen.length === batches * 2 + 20) break;
      }
    })();
    for (let i = 0; i < 20; i++) {
      mine.push(...(await recorder.insertEvents([event()])));
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    assert.equal(await exited, 0, stderr);
    await reading;
    const theirs = JSON.parse(stdout.trim()) as number[];
    assert.equal(theirs.length, batches * 2);
    assert.deepEqual(
      seen,
      [...mine, ...theirs].sort((x, y) => x - y),
    );
    await factory.close();
  });
});
