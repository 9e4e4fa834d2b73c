// The runner contract for SingleThreadedRunner (Python's test_runner.py), run on memory,
// SQLite and PostgreSQL: env reaches every application, start() once, an awaited save returns after the
// followers processed it, two followers of a leader, a loop, events saved before start(), a
// topics filter, and a policy error surfacing as EventProcessingError.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AggregateEvent } from '../../src/domain/index.js';
import type { DomainEventLike } from '../../src/domain/protocols.js';
import { getTopic } from '../../src/domain/topics.js';
import { AESCipher } from '../../src/persistence/aes-cipher.js';
import { EventProcessingError, RunnerAlreadyStartedError } from '../../src/system/errors.js';
import { Leader } from '../../src/system/leader.js';
import { SingleThreadedRunner } from '../../src/system/single-threaded-runner.js';
import { System, type SystemAppClass } from '../../src/system/system.js';
import { freshEnv, type SystemBackend } from './backends.js';
import {
  Audit,
  BankAccount,
  BankAccounts,
  type Command,
  Commands,
  EmailProcess,
  EmailProcess2,
  FailingProcess,
  Results,
  Single,
} from './fixtures/bank.js';

export function singleThreadedRunnerSuite(backend: SystemBackend): void {
  async function runnerOf(pipes: SystemAppClass[][], extra: Record<string, string> = {}) {
    const system = new System(pipes);
    return new SingleThreadedRunner(system, {
      env: { ...(await freshEnv(backend, system.nodes.keys())), ...extra },
    });
  }

  const emails = async (app: EmailProcess) => (await app.notificationLog.get('1,10')).items.length;

  describe(`SingleThreadedRunner on ${backend.name}`, () => {
    it('constructs every application with the runner env, before start', async () => {
      await using runner = await runnerOf([[BankAccounts, EmailProcess], [Single]], {
        MY_ENV_VAR: 'my_env_val',
      });
      assert.deepEqual([...runner.apps.keys()], ['BankAccounts', 'EmailProcess', 'Single']);
      for (const app of runner.apps.values()) assert.equal(app.env.get('MY_ENV_VAR'), 'my_env_val');
      assert.ok(runner.get(BankAccounts) instanceof BankAccounts);
      assert.ok(runner.get(EmailProcess) instanceof EmailProcess);
      assert.ok(runner.get(Single) instanceof Single);
      assert.ok(!(runner.get(Single) instanceof Leader));
      assert.throws(() => runner.get(Results), /No application of class Results/);
      await runner.start();
    });

    it("decodes a leader's events with the leader's scoped cipher key", async () => {
      await using runner = await runnerOf([[BankAccounts, EmailProcess]], {
        BANKACCOUNTS_CIPHER_KEY: AESCipher.createKey(),
      });
      const accounts = runner.get(BankAccounts);
      // Saved before start(): pulled from the log and decoded with the leader's key.
      await accounts.openAccount('Bob', 'bob@example.com');
      await runner.start();
      assert.ok(accounts.mapper.cipher !== null);
      assert.equal(runner.get(EmailProcess).mapper.cipher, null);
      assert.equal(await emails(runner.get(EmailProcess)), 1);
      await accounts.openAccount('Alice', 'alice@example.com');
      assert.equal(await emails(runner.get(EmailProcess)), 2);
    });

    it('gives a follower the events its leader saved, and pulls those saved elsewhere', async () => {
      class SeenEvents extends Audit {
        static override readonly name = 'SeenEvents';
        readonly received: DomainEventLike[] = [];
        override policy(domainEvent: DomainEventLike): void {
          this.received.push(domainEvent);
        }
      }
      const system = new System([[BankAccounts, SeenEvents]]);
      const env = await freshEnv(backend, system.nodes.keys());
      await using runner = new SingleThreadedRunner(system, { env });
      await runner.start();
      const accounts = runner.get(BankAccounts);
      const seen = runner.get(SeenEvents);
      const alice = new BankAccount('Alice', 'alice@example.com');
      const [saved] = await accounts.save(alice);
      assert.equal(seen.received.length, 1);
      assert.equal(seen.received[0], saved?.domainEvent, 'not the event the leader saved');
      if (!backend.persistent) return;
      // Saved by another instance (no prompt): a gap before the next prompt's recordings.
      await using elsewhere = new BankAccounts({ env });
      const bobId = await elsewhere.openAccount('Bob', 'bob@example.com');
      const carolId = await accounts.openAccount('Carol', 'carol@example.com');
      assert.deepEqual(
        seen.received.map((event) => event.originatorId),
        [alice.id, bobId, carolId],
      );
      assert.equal(await seen.recorder.maxTrackingId('BankAccounts'), 3);
    });

    it("propagates an application constructor's error from the runner's constructor", async () => {
      class Broken extends EmailProcess {
        constructor(options?: ConstructorParameters<typeof EmailProcess>[0]) {
          super(options);
          throw new RangeError('Broken on purpose');
        }
      }
      const env = await freshEnv(backend, ['BankAccounts', 'Broken']);
      assert.throws(
        () => new SingleThreadedRunner(new System([[BankAccounts, Broken]]), { env }),
        /Broken on purpose/,
      );
    });

    it('throws RunnerAlreadyStartedError when started twice', async () => {
      await using runner = await runnerOf([[BankAccounts, EmailProcess]]);
      await runner.start();
      await assert.rejects(runner.start(), RunnerAlreadyStartedError);
    });

    it('has processed each account once its awaited save returns', async () => {
      await using runner = await runnerOf([[BankAccounts, EmailProcess]]);
      await runner.start();
      const accounts = runner.get(BankAccounts);
      const process = runner.get(EmailProcess);
      for (let i = 1; i <= 10; i++) {
        await accounts.openAccount(`A${i}`, `a${i}@example.com`);
        assert.equal(await emails(process), i);
      }
      assert.equal(await process.recorder.maxTrackingId('BankAccounts'), 10);
    });

    it('has processed concurrent saves once they all return', async () => {
      await using runner = await runnerOf([[BankAccounts, EmailProcess]]);
      await runner.start();
      const accounts = runner.get(BankAccounts);
      await Promise.all(
        Array.from({ length: 10 }, (_, i) => accounts.openAccount(`A${i}`, `a${i}@example.com`)),
      );
      assert.equal(await emails(runner.get(EmailProcess)), 10);
    });

    it('runs two followers of one leader', async () => {
      await using runner = await runnerOf([
        [BankAccounts, EmailProcess],
        [BankAccounts, EmailProcess2],
      ]);
      await runner.start();
      for (let i = 1; i <= 10; i++) {
        await runner.get(BankAccounts).openAccount(`A${i}`, `a${i}@example.com`);
      }
      assert.equal(await emails(runner.get(EmailProcess)), 10);
      assert.equal(await emails(runner.get(EmailProcess2)), 10);
    });

    it('completes the loop [[Commands, Results, Commands]]', async () => {
      await using runner = await runnerOf([[Commands, Results, Commands]]);
      await runner.start();
      const commands = runner.get(Commands);
      const ids: string[] = [];
      for (const text of ['one', 'two', 'three']) ids.push(await commands.createCommand(text));
      for (const [i, id] of ids.entries()) {
        const command = await commands.repository.get<Command>(id);
        assert.equal(command.isDone, true);
        assert.equal(command.output, ['ONE', 'TWO', 'THREE'][i]);
      }
      assert.equal(await runner.get(Results).recorder.maxTrackingId('Commands'), 6);
      assert.equal(await commands.recorder.maxTrackingId('Results'), 3);
    });

    it('processes events saved before start() when it starts', async () => {
      await using runner = await runnerOf([[BankAccounts, EmailProcess]]);
      await runner.get(BankAccounts).openAccount('Alice', 'alice@example.com');
      await runner.get(BankAccounts).openAccount('Bob', 'bob@example.com');
      const process = runner.get(EmailProcess);
      assert.equal(await process.recorder.maxTrackingId('BankAccounts'), null);
      await runner.start();
      assert.equal(await process.recorder.maxTrackingId('BankAccounts'), 2);
      assert.equal(await emails(process), 2);
    });

    it('gives a follower only the events of its topics', async () => {
      class OnlyBaseEvents extends EmailProcess {
        static override topics = [getTopic(AggregateEvent)];
      }
      await using runner = await runnerOf([[BankAccounts, OnlyBaseEvents]]);
      await runner.start();
      for (let i = 1; i <= 3; i++) {
        await runner.get(BankAccounts).openAccount(`A${i}`, `a${i}@example.com`);
      }
      const process = runner.get(OnlyBaseEvents);
      assert.equal(await emails(process), 0);
      assert.equal(await process.recorder.maxTrackingId('BankAccounts'), 3);
    });

    it('surfaces a policy error as EventProcessingError from the save and stop(), processing nothing after it', async () => {
      const runner = await runnerOf([[BankAccounts, FailingProcess]]);
      await runner.start();
      const accounts = runner.get(BankAccounts);
      await accounts.openAccount('Good', 'good@example.com');
      const failed = await accounts.openAccount('Bad', 'bad@example.com').then(
        () => assert.fail('expected the save to reject'),
        (error: unknown) => error,
      );
      assert.ok(failed instanceof EventProcessingError);
      assert.match(failed.message, /Cannot email Bad/);
      assert.ok(failed.cause instanceof RangeError);
      await assert.rejects(accounts.openAccount('Later', 'later@example.com'), failed);
      assert.equal(await runner.get(FailingProcess).recorder.maxTrackingId('BankAccounts'), 1);
      await assert.rejects(runner.stop(), (error) => error === failed);
      await assert.rejects(runner.stop(), (error) => error === failed);
    });

    it('processes nothing when stopped before start, and stop() may be called again', async () => {
      const system = new System([[BankAccounts, EmailProcess]]);
      const env = await freshEnv(backend, system.nodes.keys());
      const runner = new SingleThreadedRunner(system, { env });
      await runner.get(BankAccounts).openAccount('Alice', 'alice@example.com');
      await runner.stop();
      await runner.stop();
      if (!backend.persistent) return;
      await using process = new EmailProcess({ env });
      assert.equal(await process.recorder.maxTrackingId('BankAccounts'), null);
      await using accounts = new BankAccounts({ env });
      assert.equal(await accounts.recorder.maxNotificationId(), 1);
    });

    it('runs a follower of two leaders', async () => {
      await using runner = await runnerOf([
        [BankAccounts, Audit],
        [Commands, Audit],
      ]);
      await runner.start();
      const account = await runner.get(BankAccounts).openAccount('Alice', 'alice@example.com');
      const command = await runner.get(Commands).createCommand('x');
      const audit = runner.get(Audit);
      assert.deepEqual(audit.seen, [account, command]);
      assert.equal(await audit.recorder.maxTrackingId('BankAccounts'), 1);
      assert.equal(await audit.recorder.maxTrackingId('Commands'), 1);
    });
  });
}
