// The Follower rules (Python's test_processapplication): a tracking processed twice is an
// IntegrityError, an aggregate-id clash records neither events nor tracking, and
// pullAndProcess starts after the recorded position unless told, meeting the IntegrityError
// when told to start at or below it. Run on memory, SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getTopic } from '../../src/domain/topics.js';
import { IntegrityError } from '../../src/persistence/errors.js';
import type { Tracking } from '../../src/persistence/stored-event.js';
import { freshEnv, type SystemBackend } from './backends.js';
import { BankAccount, BankAccounts, EmailProcess } from './fixtures/bank.js';

export function followerSuite(backend: SystemBackend): void {
  async function setup(Follows: typeof EmailProcess = EmailProcess) {
    const env = await freshEnv(backend, ['BankAccounts', Follows.name]);
    const leader = new BankAccounts({ env });
    const follower = new Follows({ env });
    follower.follow(leader.name, leader.notificationLog);
    return {
      leader,
      follower,
      [Symbol.asyncDispose]: async () => {
        await follower.close();
        await leader.close();
      },
    };
  }

  const emails = async (follower: EmailProcess) =>
    (await follower.notificationLog.get('1,100')).items.length;

  describe(`Follower on ${backend.name}`, () => {
    it('processing the same tracking twice is an IntegrityError, the position unchanged', async () => {
      await using s = await setup();
      await s.leader.openAccount('Alice', 'alice@example.com');
      const [notification] = await s.leader.notificationLog.select(1, 1);
      const event = s.follower.mappers.get('BankAccounts')!.toDomainEvent(notification!);
      const tracking: Tracking = { applicationName: 'BankAccounts', notificationId: 1 };
      await s.follower.processEvent(event, tracking);
      assert.equal(await s.follower.recorder.maxTrackingId('BankAccounts'), 1);
      await assert.rejects(s.follower.processEvent(event, tracking), IntegrityError);
      assert.equal(await s.follower.recorder.maxTrackingId('BankAccounts'), 1);
      assert.equal(await emails(s.follower), 1);
    });

    it('an aggregate-id clash records neither the events nor the tracking', async () => {
      await using s = await setup();
      await s.leader.openAccount('Alice', 'same@example.com');
      await s.leader.openAccount('Alice again', 'same@example.com');
      await s.follower.pullAndProcess('BankAccounts', { stop: 1 });
      assert.equal(await s.follower.recorder.maxTrackingId('BankAccounts'), 1);
      await assert.rejects(s.follower.pullAndProcess('BankAccounts'), IntegrityError);
      assert.equal(await s.follower.recorder.maxTrackingId('BankAccounts'), 1);
      assert.equal(await emails(s.follower), 1);
    });

    it('pullAndProcess reads after its start (default: the recorded position), as Python does; a start below the recorded position is an IntegrityError', async () => {
      await using s = await setup();
      await s.leader.openAccount('Alice', 'alice@example.com');
      await s.follower.pullAndProcess('BankAccounts');
      assert.equal(await s.follower.recorder.maxTrackingId('BankAccounts'), 1);
      await assert.rejects(s.follower.pullAndProcess('BankAccounts', { start: 0 }), IntegrityError);
      await s.follower.pullAndProcess('BankAccounts', { start: 1 });
      await s.follower.pullAndProcess('BankAccounts');
      assert.equal(await emails(s.follower), 1);
      await s.leader.openAccount('Bob', 'bob@example.com');
      await s.leader.openAccount('Carol', 'carol@example.com');
      await s.follower.pullAndProcess('BankAccounts', { stop: 2 });
      assert.equal(await s.follower.recorder.maxTrackingId('BankAccounts'), 2);
      await s.follower.pullAndProcess('BankAccounts');
      assert.equal(await s.follower.recorder.maxTrackingId('BankAccounts'), 3);
      assert.equal(await emails(s.follower), 3);
    });

    it('reads pages of pullSectionSize and processes every event in order', async () => {
      class SmallPages extends EmailProcess {
        static override pullSectionSize = 3;
      }
      await using s = await setup(SmallPages);
      for (let i = 0; i < 8; i++) await s.leader.openAccount(`A${i}`, `a${i}@example.com`);
      assert.equal(s.follower.readers.get('BankAccounts')!.sectionSize, 3);
      await s.follower.pullAndProcess('BankAccounts');
      assert.equal(await s.follower.recorder.maxTrackingId('BankAccounts'), 8);
      assert.equal(await emails(s.follower), 8);
    });

    it('gives policy only the events of its topics, and records the tracking of the others', async () => {
      const seen: number[] = [];
      class CreditsOnly extends EmailProcess {
        static override topics = [getTopic(BankAccount.Credited)];
        override policy(domainEvent: { originatorVersion: number }): void {
          seen.push(domainEvent.originatorVersion);
        }
      }
      await using s = await setup(CreditsOnly);
      const id = await s.leader.openAccount('Alice', 'alice@example.com');
      await s.leader.credit(id, 5);
      await s.leader.openAccount('Bob', 'bob@example.com');
      await s.follower.pullAndProcess('BankAccounts');
      assert.deepEqual(seen, [2]);
      assert.equal(await s.follower.recorder.maxTrackingId('BankAccounts'), 3);
    });

    it('says to follow a leader before pulling from it', async () => {
      await using s = await setup();
      await assert.rejects(s.follower.pullAndProcess('Nobody'), /does not follow Nobody/);
    });
  });
}
