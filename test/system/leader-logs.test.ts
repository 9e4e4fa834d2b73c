// ConcurrentRunner's leaderLogs: followers read a leader that runs elsewhere from its
// notification log instead of its recorder. Here the "remote" leader is another application in
// this process whose log has no subscribe, so the follower polls it; the HTTP suites
// (test/interface/http-*.test.ts) follow a leader over a real server and its stream.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NotificationLog } from '../../src/application/notification-log.js';
import type { DomainEventLike } from '../../src/domain/protocols.js';
import type { Tracking } from '../../src/persistence/stored-event.js';
import { ConcurrentRunner } from '../../src/system/concurrent-runner.js';
import { Follower } from '../../src/system/follower.js';
import { System } from '../../src/system/system.js';
import { BankAccount, BankAccounts, EmailProcess } from './fixtures/bank.js';

const TIMEOUT = 10_000;

/** Records the events it is given, with their notification ids. */
class OpenedAccounts extends Follower {
  static override readonly topics = ['system-tests:BankAccount.Opened'];
  readonly seen: { id: number; event: DomainEventLike }[] = [];

  override policy(event: DomainEventLike, processing: { tracking: Tracking | null }): void {
    this.seen.push({ id: processing.tracking?.notificationId ?? -1, event });
  }
}

/** The log only: no `subscribe`, so a follower reading it polls. */
function logOnly(log: NotificationLog): NotificationLog {
  return { get: (id) => log.get(id), select: (...args) => log.select(...args) };
}

describe('ConcurrentRunner leaderLogs', () => {
  it('a follower reads a leader that runs elsewhere from its log, polling a log that cannot push', async () => {
    await using elsewhere = new BankAccounts();
    const opened: string[] = [];
    for (let i = 0; i < 12; i++) opened.push(await elsewhere.openAccount(`A${i}`, 'x@x'));
    await using runner = new ConcurrentRunner(new System([[BankAccounts, OpenedAccounts]]), {
      leaderLogs: { BankAccounts: logOnly(elsewhere.notificationLog) },
      pollInterval: 20,
    });
    await runner.start();
    const follower = runner.get(OpenedAccounts);
    await follower.recorder.wait('BankAccounts', 12, { timeout: TIMEOUT });
    // Credits are filtered out by topics; new accounts are found by polling.
    await elsewhere.credit(opened[0] ?? '', 5);
    // The tracking passes an event of another topic too.
    await follower.recorder.wait('BankAccounts', 13, { timeout: TIMEOUT });
    opened.push(await elsewhere.openAccount('B', 'x@x'));
    await follower.recorder.wait('BankAccounts', 14, { timeout: TIMEOUT });
    assert.deepEqual(
      follower.seen.map((s) => s.id),
      [...Array.from({ length: 12 }, (_, i) => i + 1), 14],
    );
    assert.deepEqual(
      follower.seen.map((s) => s.event.originatorId),
      opened,
    );
    assert.ok(follower.seen.every((s) => s.event instanceof BankAccount.Opened));
    assert.equal(await runner.get(BankAccounts).recorder.maxNotificationId(), null);
  });

  it('stopping while a read of the remote log is under way is no error', async () => {
    const reported: unknown[] = [];
    let reading = false;
    // A log whose reads end only when aborted (a server that does not answer).
    const silent: NotificationLog = {
      get: () => new Promise(() => {}),
      select: (_start, _limit, options) =>
        new Promise((_resolve, reject) => {
          reading = true;
          options?.signal?.addEventListener('abort', () => reject(new Error('read aborted')));
        }),
    };
    const runner = new ConcurrentRunner(new System([[BankAccounts, OpenedAccounts]]), {
      leaderLogs: { BankAccounts: silent },
      onError: (error) => reported.push(error),
    });
    await runner.start();
    for (let i = 0; i < 100 && !reading; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(reading, true);
    await runner.stop();
    assert.equal(runner.hasErrored, false);
    assert.deepEqual(reported, []);
  });

  it('a name that is not a leader of the system is a TypeError naming the leaders', () => {
    const elsewhere = new BankAccounts();
    assert.throws(
      () =>
        new ConcurrentRunner(new System([[BankAccounts, EmailProcess]]), {
          leaderLogs: { EmailProcess: elsewhere.notificationLog },
        }),
      {
        name: 'TypeError',
        message:
          'leaderLogs: EmailProcess is not a leader of the system (its leaders: BankAccounts).',
      },
    );
  });

  it('a value that is not a notification log is a TypeError', () => {
    assert.throws(
      () =>
        new ConcurrentRunner(new System([[BankAccounts, EmailProcess]]), {
          leaderLogs: {
            BankAccounts: 'http://example/notifications' as unknown as NotificationLog,
          },
        }),
      /leaderLogs\.BankAccounts must be a NotificationLog \(e\.g\. a NotificationLogJSONClient\), got http:/,
    );
  });
});
