// ConcurrentRunner: the runner contract (next-layers.md §2.5 items 4 and 5) on memory, SQLite
// (one file per application) and PostgreSQL (a schema per test), waiting for followers by
// their tracking; and a process running one that exits by itself after stop.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Application } from '../../src/application/application.js';
import type { ProcessingEvent } from '../../src/application/processing-event.js';
import type { DomainEventLike } from '../../src/domain/protocols.js';
import { IntegrityError, OperationalError } from '../../src/persistence/errors.js';
import {
  ConcurrentRunner,
  type ConcurrentRunnerOptions,
} from '../../src/system/concurrent-runner.js';
import { EventProcessingError, RunnerAlreadyStartedError } from '../../src/system/errors.js';
import type { Follower } from '../../src/system/follower.js';
import { System } from '../../src/system/system.js';
import type { EnvType } from '../../src/utils/environment.js';
import { runUntilExit } from '../helpers/run-until-exit.js';
import { whenPostgres } from '../postgres/helpers.js';
import { tempDbPath } from '../sqlite/helpers.js';
import {
  freshEnv,
  memoryBackend,
  postgresBackend,
  type SystemBackend,
  sqliteBackend,
} from './backends.js';
import {
  BankAccounts,
  type Command,
  Commands,
  EmailProcess,
  EmailProcess2,
  FailingProcess,
  Results,
  Single,
} from './fixtures/bank.js';

const TIMEOUT = 10_000;
const exitChild = fileURLToPath(new URL('./fixtures/concurrent-exit.ts', import.meta.url));

/** Follows BankAccounts for a topic no event has: processes nothing, tracks everything. */
class EmailNothing extends EmailProcess {
  static override topics = ['system-tests:NoSuchEvent'];
}

/** Fails its first policies with a lost connection (transient), then emails as EmailProcess. */
class FlakyEmailProcess extends EmailProcess {
  static failures = 0;
  override policy(domainEvent: DomainEventLike, processingEvent: ProcessingEvent): void {
    if (FlakyEmailProcess.failures > 0) {
      FlakyEmailProcess.failures -= 1;
      throw new OperationalError('Connection terminated unexpectedly (test)');
    }
    super.policy(domainEvent, processingEvent);
  }
}

/** Resolves once the follower has processed the leader's events so far. */
async function caughtUp(follower: Follower, leader: Application): Promise<number> {
  const last = (await leader.recorder.maxNotificationId()) ?? 0;
  await follower.recorder.wait(leader.name, last, { timeout: TIMEOUT });
  return last;
}

async function openAccounts(accounts: BankAccounts, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await accounts.openAccount(`Holder ${i}`, `holder${i}@example.com`);
}

const pgBackend = postgresBackend('sysconc');

function concurrentRunnerSuite(backend: SystemBackend): void {
  /** A runner of the system on fresh databases (a fresh schema on PostgreSQL). */
  async function runnerOf(
    system: System,
    extra: EnvType = {},
    options: ConcurrentRunnerOptions = {},
  ): Promise<ConcurrentRunner> {
    const env = { ...(await freshEnv(backend, system.nodes.keys())), ...extra };
    return new ConcurrentRunner(system, { ...options, env });
  }

  describe(`ConcurrentRunner (${backend.name})`, () => {
    it('gives the runner env to leaders, followers and singles', async () => {
      await using runner = await runnerOf(new System([[BankAccounts, EmailProcess], [Single]]), {
        SYSTEM_TEST_MARK: 'concurrent',
      });
      for (const cls of [BankAccounts, EmailProcess, Single]) {
        assert.equal(runner.get(cls).env.get('SYSTEM_TEST_MARK'), 'concurrent', cls.name);
      }
    });

    it('gives its onError to every application it constructs', async () => {
      const onError = (): void => {};
      await using runner = await runnerOf(
        new System([[BankAccounts, EmailProcess], [Single]]),
        {},
        { onError },
      );
      for (const cls of [BankAccounts, EmailProcess, Single]) {
        assert.equal(runner.get(cls).factory.onError, onError, cls.name);
      }
    });

    it('refuses a second start() with RunnerAlreadyStartedError', async () => {
      await using runner = await runnerOf(new System([[BankAccounts, EmailProcess]]));
      await runner.start();
      await assert.rejects(runner.start(), RunnerAlreadyStartedError);
    });

    it('turns 10 accounts opened into 10 emails', async () => {
      await using runner = await runnerOf(new System([[BankAccounts, EmailProcess]]));
      await runner.start();
      const accounts = runner.get(BankAccounts);
      const emails = runner.get(EmailProcess);
      await openAccounts(accounts, 10);
      assert.equal(await caughtUp(emails, accounts), 10);
      const section = await emails.notificationLog.get('1,10');
      assert.equal(section.items.length, 10);
      assert.equal(await emails.recorder.maxNotificationId(), 10);
      assert.equal(runner.hasErrored, false);
    });

    it('gives two followers of one leader 10 emails each', async () => {
      const system = new System([
        [BankAccounts, EmailProcess],
        [BankAccounts, EmailProcess2],
      ]);
      await using runner = await runnerOf(system);
      await runner.start();
      const accounts = runner.get(BankAccounts);
      await openAccounts(accounts, 10);
      for (const cls of [EmailProcess, EmailProcess2]) {
        const follower = runner.get(cls);
        await caughtUp(follower, accounts);
        assert.equal((await follower.notificationLog.get('1,10')).items.length, 10, cls.name);
      }
    });

    it('completes the loop [[Commands, Results, Commands]]', async () => {
      await using runner = await runnerOf(new System([[Commands, Results, Commands]]));
      await runner.start();
      const commands = runner.get(Commands);
      const results = runner.get(Results);
      const ids: string[] = [];
      for (const text of ['one', 'two', 'three']) ids.push(await commands.createCommand(text));
      await caughtUp(results, commands);
      await caughtUp(commands, results);
      for (const [i, text] of ['one', 'two', 'three'].entries()) {
        const command = await commands.repository.get<Command>(ids[i]!);
        assert.equal(command.isDone, true, text);
        assert.equal(command.output, text.toUpperCase());
      }
      // Each command once, each result once: 3 results, 3 commands each created and done.
      assert.equal(await results.recorder.maxNotificationId(), 3);
      assert.equal(await commands.recorder.maxNotificationId(), 6);
    });

    it('processes the pages of two leaders of one follower one at a time', async () => {
      const system = new System([
        [BankAccounts, EmailProcess],
        [Commands, EmailProcess],
      ]);
      await using runner = await runnerOf(system);
      await runner.start();
      const accounts = runner.get(BankAccounts);
      const commands = runner.get(Commands);
      const emails = runner.get(EmailProcess);
      await Promise.all([
        openAccounts(accounts, 10),
        (async () => {
          for (let i = 0; i < 10; i++) await commands.createCommand(`c${i}`);
        })(),
      ]);
      assert.equal(await caughtUp(emails, accounts), 10);
      assert.equal(await caughtUp(emails, commands), 10);
      assert.equal(await emails.recorder.maxNotificationId(), 10);
      assert.equal(runner.hasErrored, false);
    });

    it('processes events saved before start() after it', async () => {
      await using runner = await runnerOf(new System([[BankAccounts, EmailProcess]]));
      const accounts = runner.get(BankAccounts);
      const emails = runner.get(EmailProcess);
      await openAccounts(accounts, 2);
      assert.equal(await emails.recorder.maxTrackingId('BankAccounts'), null);
      await runner.start();
      await caughtUp(emails, accounts);
      assert.equal(await emails.recorder.maxTrackingId('BankAccounts'), 2);
      assert.equal((await emails.notificationLog.get('1,10')).items.length, 2);
    });

    it('processes only the follower topics, tracking past the others', async () => {
      await using runner = await runnerOf(new System([[BankAccounts, EmailNothing]]));
      await runner.start();
      const accounts = runner.get(BankAccounts);
      const follower = runner.get(EmailNothing);
      await openAccounts(accounts, 3);
      assert.equal(await caughtUp(follower, accounts), 3);
      assert.equal(await follower.recorder.maxNotificationId(), null);
    });

    it('resolves watchForErrors false on timeout when nothing failed', async () => {
      await using runner = await runnerOf(new System([[BankAccounts, EmailProcess]]));
      await runner.start();
      await runner.get(BankAccounts).openAccount('Alice', 'alice@example.com');
      assert.equal(await runner.watchForErrors({ timeout: 100 }), false);
      assert.equal(runner.hasErrored, false);
    });

    it('retries a transient error with backoff, telling onError, and processes each event once', async () => {
      FlakyEmailProcess.failures = 2;
      const told: [Error, string][] = [];
      await using runner = await runnerOf(
        new System([[BankAccounts, FlakyEmailProcess]]),
        {},
        { onError: (error, source) => told.push([error, source]) },
      );
      await runner.start();
      const accounts = runner.get(BankAccounts);
      const emails = runner.get(FlakyEmailProcess);
      await openAccounts(accounts, 3);
      assert.equal(await caughtUp(emails, accounts), 3);
      assert.equal(await emails.recorder.maxNotificationId(), 3);
      assert.equal(runner.hasErrored, false);
      assert.deepEqual(
        told.map(([error, source]) => [error.constructor, source]),
        [
          [OperationalError, 'system'],
          [OperationalError, 'system'],
        ],
      );
    });

    it('stops on a policy error: watchForErrors and every stop() reject with EventProcessingError', async () => {
      const system = new System([[BankAccounts, FailingProcess]]);
      const env = await freshEnv(backend, system.nodes.keys());
      const runner = new ConcurrentRunner(system, { env });
      await runner.start();
      const accounts = runner.get(BankAccounts);
      await accounts.openAccount('Good', 'good@example.com');
      await accounts.openAccount('Bad', 'bad@example.com');
      await accounts.openAccount('Later', 'later@example.com');
      let failure: unknown = null;
      await assert.rejects(runner.watchForErrors({ timeout: TIMEOUT }), (error: unknown) => {
        failure = error;
        return true;
      });
      assert.ok(failure instanceof EventProcessingError);
      assert.match(failure.message, /Cannot email Bad/);
      assert.ok(failure.cause instanceof RangeError);
      assert.equal(runner.hasErrored, true);
      await assert.rejects(runner.stop(), (error) => error === failure);
      await assert.rejects(runner.stop(), (error) => error === failure);
      if (backend.persistent) {
        // Nothing after the failed event: a new runner's follower stands at 'Good'.
        await using again = new ConcurrentRunner(system, { env });
        assert.equal(await again.get(FailingProcess).recorder.maxTrackingId('BankAccounts'), 1);
      }
    });
  });
}

/** A follower that cannot be constructed. */
class BrokenProcess extends EmailProcess {
  constructor(...args: ConstructorParameters<typeof EmailProcess>) {
    super(...args);
    throw new TypeError('BrokenProcess cannot be constructed (test)');
  }
}

describe('ConcurrentRunner construction', () => {
  it('propagates an application constructor error from new ConcurrentRunner', () => {
    assert.throws(
      () => new ConcurrentRunner(new System([[BankAccounts, BrokenProcess]])),
      /BrokenProcess cannot be constructed/,
    );
  });

  it('refuses a batchSize that is not a positive integer', () => {
    assert.throws(
      () => new ConcurrentRunner(new System([[BankAccounts, EmailProcess]]), { batchSize: 0 }),
      (error: unknown) => error instanceof RangeError && /batchSize must be/.test(error.message),
    );
  });

  it('processes what was waiting in pages smaller than it (batchSize 2)', async () => {
    const system = new System([[BankAccounts, EmailProcess]]);
    await using runner = new ConcurrentRunner(system, { batchSize: 2 });
    const accounts = runner.get(BankAccounts);
    await openAccounts(accounts, 5);
    await runner.start();
    assert.equal(await caughtUp(runner.get(EmailProcess), accounts), 5);
    assert.equal(await runner.get(EmailProcess).recorder.maxNotificationId(), 5);
  });
});

describe('ConcurrentRunner (SQLite files)', () => {
  it('refuses a follower ahead of its leader (a reset leader database) with EventProcessingError', async () => {
    const system = new System([[BankAccounts, EmailProcess]]);
    const env = sqliteBackend.env(system.nodes.keys());
    {
      await using runner = new ConcurrentRunner(system, { env });
      await runner.start();
      await openAccounts(runner.get(BankAccounts), 2);
      await caughtUp(runner.get(EmailProcess), runner.get(BankAccounts));
    }
    // The leader's file replaced by an empty one: the follower has tracked 2 of nothing.
    const reset = { ...env, BANKACCOUNTS_SQLITE_DBNAME: tempDbPath('BankAccounts') };
    const runner = new ConcurrentRunner(system, { env: reset });
    await runner.start();
    await assert.rejects(runner.watchForErrors({ timeout: TIMEOUT }), (error: unknown) => {
      assert.ok(error instanceof EventProcessingError);
      assert.ok(error.cause instanceof IntegrityError);
      assert.match(error.message, /EmailProcess has tracked notification 2 of BankAccounts/);
      return true;
    });
  });
});

concurrentRunnerSuite(memoryBackend);
concurrentRunnerSuite(sqliteBackend);
whenPostgres(() => {
  after(() => pgBackend.tearDown());
  concurrentRunnerSuite(pgBackend);
});

describe('a process running a ConcurrentRunner', () => {
  const expected = { emails: 3, tracked: 3, watched: false, failed: 'EventProcessingError' };

  it('exits by itself after stop (SQLite)', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, PERSISTENCE_MODULE: 'sqlite' };
    for (const name of ['BankAccounts', 'EmailProcess', 'FailingProcess']) {
      env[`${name.toUpperCase()}_SQLITE_DBNAME`] = tempDbPath(name);
    }
    assert.deepEqual(await runUntilExit(exitChild, [], env), expected);
  });

  whenPostgres(() => {
    it('exits by itself after stop (PostgreSQL)', async () => {
      const env = await freshEnv(pgBackend, []);
      assert.deepEqual(await runUntilExit(exitChild, [], { ...process.env, ...env }), expected);
    });
  });
});
