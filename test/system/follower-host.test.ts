// FollowerHost when ownership is lost mid-processing: the error met then (here an
// IntegrityError, as when the new owner's tracking is already recorded) is reported as
// retried, not the runner's error, and processing goes on from the recorded tracking once
// the lock is taken again. The lock is a stand-in (ours; the real ones are tested in
// test/faults/system-ownership.test.ts); the follower's database is a real SQLite file.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ProcessingEvent } from '../../src/application/processing-event.js';
import type { DomainEventLike } from '../../src/domain/protocols.js';
import { IntegrityError } from '../../src/persistence/errors.js';
import type { FollowerLock } from '../../src/persistence/follower-lock.js';
import { FollowerHost } from '../../src/system/follower-host.js';
import { System } from '../../src/system/system.js';
import { sqliteBackend } from './backends.js';
import { BankAccounts, EmailProcess } from './fixtures/bank.js';

/** A lock that is always free; `loseIt()` aborts the signal of the current ownership. */
class StandInLock implements FollowerLock {
  acquired = 0;
  private current: AbortController | null = null;
  async tryAcquire(): Promise<AbortSignal | null> {
    this.acquired += 1;
    this.current = new AbortController();
    return this.current.signal;
  }
  loseIt(): void {
    this.current?.abort(new Error('lock connection lost (test)'));
  }
  async release(): Promise<void> {}
}

const lock = new StandInLock();

/** Loses ownership in its first policy call, then fails there as a stale owner would. */
class LosingEmailProcess extends EmailProcess {
  static override readonly name = 'EmailProcess';
  static losses = 1;
  override policy(domainEvent: DomainEventLike, processingEvent: ProcessingEvent): void {
    if (LosingEmailProcess.losses > 0) {
      LosingEmailProcess.losses -= 1;
      lock.loseIt();
      throw new IntegrityError('tracking already recorded by the new owner (test)');
    }
    super.policy(domainEvent, processingEvent);
  }
}

describe('FollowerHost', () => {
  it('retries an error met after losing ownership, and goes on once the lock is taken again', async () => {
    const system = new System([[BankAccounts, LosingEmailProcess]]);
    const told: unknown[] = [];
    const env = sqliteBackend.env(system.nodes.keys());
    await using host = new FollowerHost(system, { env, onError: (error) => told.push(error) });
    const follower = host.get(LosingEmailProcess);
    follower.factory.followerLock = () => lock;
    const accounts = host.get(BankAccounts);
    await accounts.openAccount('Alice', 'alice@example.com');
    // One event per page: no per-event recovery stands between the error and the runner.
    await host.start();
    await follower.recorder.wait('BankAccounts', 1, { timeout: 10_000 });
    await accounts.openAccount('Bob', 'bob@example.com');
    await follower.recorder.wait('BankAccounts', 2, { timeout: 10_000 });
    assert.equal(host.hasErrored, false);
    assert.ok(lock.acquired >= 2, `the lock was taken ${lock.acquired} time(s)`);
    assert.ok(
      told.some((error) => error instanceof IntegrityError),
      'onError was not told of the IntegrityError',
    );
    assert.equal(await follower.recorder.maxNotificationId(), 2);
  });
});
