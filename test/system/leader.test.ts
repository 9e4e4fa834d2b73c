// A Leader prompts its receivers with a RecordingEvent per save that stored events (Python's
// test_processapplication leader tests); none for an empty save or for events notifyTopics
// filters out; save awaits what a receiver returns, record does not.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProcessingEvent } from '../../src/application/processing-event.js';
import { getTopic } from '../../src/domain/topics.js';
import type { PromptReceiver, RecordingEvent } from '../../src/system/leader.js';
import { BankAccount, BankAccounts } from './fixtures/bank.js';

class Receiver implements PromptReceiver {
  readonly prompts: Array<[string, RecordingEvent]> = [];
  receivePrompt(leaderName: string, recordingEvent: RecordingEvent): void {
    this.prompts.push([leaderName, recordingEvent]);
  }
}

describe('Leader', () => {
  it('prompts each receiver once per save that stored events, and not for an empty save', async () => {
    await using app = new BankAccounts();
    const receiver = new Receiver();
    app.lead(receiver);
    app.lead(receiver);
    await app.save();
    assert.equal(receiver.prompts.length, 0);
    const id = await app.openAccount('Alice', 'alice@example.com');
    assert.equal(receiver.prompts.length, 1);
    const [name, recordingEvent] = receiver.prompts[0]!;
    assert.equal(name, 'BankAccounts');
    assert.equal(recordingEvent.applicationName, 'BankAccounts');
    assert.equal(recordingEvent.recordings.length, 1);
    assert.equal(recordingEvent.recordings[0]!.domainEvent.originatorId, id);
    assert.equal(recordingEvent.recordings[0]!.notification.id, 1);
    assert.equal(recordingEvent.previousMaxNotificationId, 0);
    await app.credit(id, 10);
    assert.equal(receiver.prompts.length, 2);
    assert.equal(receiver.prompts[1]![1].previousMaxNotificationId, 1);
  });

  it('sends nothing when notifyTopics filters out every event saved', async () => {
    class Filtered extends BankAccounts {
      static override notifyTopics = [getTopic(BankAccount.Credited)];
    }
    await using app = new Filtered();
    const receiver = new Receiver();
    app.lead(receiver);
    const id = await app.openAccount('Alice', 'alice@example.com');
    assert.equal(receiver.prompts.length, 0);
    await app.credit(id, 10);
    assert.equal(receiver.prompts.length, 1);
    assert.equal(receiver.prompts[0]![1].recordings.length, 1);
    assert.equal(receiver.prompts[0]![1].recordings[0]!.notification.id, 2);
  });

  it('save awaits what a receiver returns; record does not', async () => {
    await using app = new BankAccounts();
    let release = (): void => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let prompts = 0;
    app.lead({
      receivePrompt: () => {
        prompts++;
        return held;
      },
    });
    const account = new BankAccount('Alice', 'alice@example.com');
    const processing = new ProcessingEvent();
    processing.collectEvents(account);
    await app.record(processing);
    assert.equal(prompts, 1);
    let saved = false;
    const saving = app.credit(account.id, 5).then(() => {
      saved = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(prompts, 2);
    assert.equal(saved, false);
    release();
    await saving;
    assert.equal(saved, true);
  });

  it('refuses a receiver without receivePrompt', async () => {
    await using app = new BankAccounts();
    assert.throws(() => app.lead({} as PromptReceiver), /needs a prompt receiver/);
  });
});
