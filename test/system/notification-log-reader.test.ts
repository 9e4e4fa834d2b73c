// NotificationLogReader over an application's local notification log: read follows the
// sections from a start, select gives batches of at most the section size until none is left.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getTopic } from '../../src/domain/topics.js';
import { NotificationLogReader } from '../../src/system/notification-log-reader.js';
import { BankAccount, BankAccounts } from './fixtures/bank.js';

async function accounts(n: number): Promise<BankAccounts> {
  const app = new BankAccounts();
  for (let i = 0; i < n; i++) await app.openAccount(`A${i}`, `a${i}@example.com`);
  return app;
}

describe('NotificationLogReader', () => {
  it('reads every notification from a start, following the sections', async () => {
    await using app = await accounts(25);
    const reader = new NotificationLogReader(app.notificationLog, 10);
    const ids: number[] = [];
    for await (const notification of reader.read({ start: 1 })) ids.push(notification.id);
    assert.deepEqual(
      ids,
      Array.from({ length: 25 }, (_, i) => i + 1),
    );
    const later: number[] = [];
    for await (const notification of reader.read({ start: 23 })) later.push(notification.id);
    assert.deepEqual(later, [23, 24, 25]);
  });

  it('selects batches of at most the section size, from a start up to a stop', async () => {
    await using app = await accounts(25);
    const reader = new NotificationLogReader(app.notificationLog, 10);
    const sizes: number[] = [];
    for await (const batch of reader.select({ start: 1 })) sizes.push(batch.length);
    assert.deepEqual(sizes, [10, 10, 5]);
    const ids: number[] = [];
    for await (const batch of reader.select({ start: 5, stop: 17, inclusiveOfStart: false })) {
      for (const notification of batch) ids.push(notification.id);
    }
    assert.deepEqual(ids, [6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17]);
  });

  it('selects only the given topics', async () => {
    await using app = await accounts(3);
    const reader = new NotificationLogReader(app.notificationLog);
    const all: number[] = [];
    for await (const batch of reader.select({ start: 1, topics: [getTopic(BankAccount.Opened)] })) {
      for (const notification of batch) all.push(notification.id);
    }
    assert.deepEqual(all, [1, 2, 3]);
    for await (const _ of reader.select({ start: 1, topics: ['nothing:Here'] })) {
      assert.fail('no batch expected');
    }
  });

  it('refuses a section size that is not a positive integer', () => {
    assert.throws(
      () => new NotificationLogReader(new BankAccounts().notificationLog, 0),
      /positive integer/,
    );
  });
});
