// MultiProcessRunner: a child process per follower, on SQLite (one file per application) and
// PostgreSQL (a schema per test). The bank scenario processes everything; kill -9 of a child
// in the middle of processing loses nothing and processes nothing twice (an email per account
// has a uuid5 id, so a second would be an IntegrityError, which would stop the runner); a
// policy error in a child is the runner's EventProcessingError; memory is a clear error; and a
// process using the runner exits by itself after stop().
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { EventProcessingError, RunnerAlreadyStartedError } from '../../src/system/errors.js';
import {
  MultiProcessRunner,
  type MultiProcessRunnerOptions,
} from '../../src/system/multi-process-runner.js';
import type { EnvType } from '../../src/utils/environment.js';
import { runUntilExit } from '../helpers/run-until-exit.js';
import { whenPostgres } from '../postgres/helpers.js';
import { freshEnv, postgresBackend, type SystemBackend, sqliteBackend } from './backends.js';
import { BankAccounts, EmailProcess, FailingProcess } from './fixtures/bank.js';
import { SlowEmailProcess } from './fixtures/multi-process-apps.js';

const TIMEOUT = 20_000;
const appsModule = fileURLToPath(new URL('./fixtures/multi-process-apps.ts', import.meta.url));
const exitChild = fileURLToPath(new URL('./fixtures/multi-process-exit.ts', import.meta.url));
const ref = (name: string) => ({ module: appsModule, export: name });

/** Whether a process of this id is alive. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function openAccounts(accounts: BankAccounts, n: number, from = 0): Promise<void> {
  for (let i = from; i < from + n; i++) {
    await accounts.openAccount(`Holder ${i}`, `holder${i}@example.com`);
  }
}

function multiProcessSuite(backend: SystemBackend): void {
  async function runnerOf(
    exportName: string,
    apps: string[],
    extra: EnvType = {},
    options: MultiProcessRunnerOptions = {},
  ): Promise<MultiProcessRunner> {
    const env = { ...(await freshEnv(backend, apps)), ...extra };
    return new MultiProcessRunner(ref(exportName), { ...options, env });
  }

  describe(`MultiProcessRunner (${backend.name})`, () => {
    it('turns 10 accounts opened into 10 emails, in a child process, and leaves no child', async () => {
      const runner = await runnerOf('bank', ['BankAccounts', 'EmailProcess']);
      assert.throws(() => runner.get(BankAccounts), /await runner\.start\(\) first/);
      await runner.start();
      await assert.rejects(runner.start(), RunnerAlreadyStartedError);
      const pid = runner.pids.get('EmailProcess');
      assert.ok(pid !== undefined && pid !== process.pid && alive(pid));
      assert.deepEqual([...runner.pids.keys()], ['EmailProcess']);
      const accounts = runner.get(BankAccounts);
      const emails = runner.get(EmailProcess);
      await openAccounts(accounts, 10);
      await emails.recorder.wait('BankAccounts', 10, { timeout: TIMEOUT });
      assert.equal(await emails.recorder.maxNotificationId(), 10);
      assert.equal((await emails.notificationLog.get('1,10')).items.length, 10);
      assert.equal(runner.hasErrored, false);
      assert.equal(await runner.watchForErrors({ timeout: 50 }), false);
      await runner.stop();
      assert.equal(alive(pid), false, 'the child has exited');
      assert.equal(runner.pids.size, 0);
    });

    it('restarts a child killed (kill -9) in the middle of processing: nothing lost, nothing twice', async () => {
      const n = 120;
      const told: string[] = [];
      const runner = await runnerOf(
        'slowBank',
        ['BankAccounts', 'SlowEmailProcess'],
        { SLOW_POLICY_MS: '10' },
        { batchSize: 5, onError: (error, source) => told.push(`${source}: ${error.message}`) },
      );
      await runner.start();
      try {
        const accounts = runner.get(BankAccounts);
        const emails = runner.get(SlowEmailProcess);
        await openAccounts(accounts, n);
        // Wait until the child has processed some, but far from all.
        const deadline = Date.now() + TIMEOUT;
        while (((await emails.recorder.maxTrackingId('BankAccounts')) ?? 0) < 20) {
          assert.ok(Date.now() < deadline, 'the child processed nothing');
          await sleep(20);
        }
        const first = runner.pids.get('SlowEmailProcess') as number;
        process.kill(first, 'SIGKILL');
        const atKill = (await emails.recorder.maxTrackingId('BankAccounts')) ?? 0;
        assert.ok(atKill < n, `killed after processing ${atKill} of ${n}`);
        await emails.recorder.wait('BankAccounts', n, { timeout: TIMEOUT });
        const second = runner.pids.get('SlowEmailProcess');
        assert.ok(second !== undefined && second !== first, 'a new child');
        // One email per account: the tracking and the emails' log agree, and no duplicate
        // (an IntegrityError in the child would have stopped the runner).
        const notifications = await emails.recorder.selectNotifications(1, n + 10);
        assert.equal(notifications.length, n);
        assert.equal(new Set(notifications.map((item) => item.originatorId)).size, n);
        assert.equal(await emails.recorder.maxNotificationId(), n);
        assert.equal(runner.hasErrored, false);
        assert.ok(
          told.some((message) => /exited unexpectedly \(SIGKILL\)/.test(message)),
          told.join('\n'),
        );
      } finally {
        await runner.stop();
      }
    });

    it('stops on a policy error in a child: watchForErrors, runForever and stop() reject', async () => {
      const runner = await runnerOf('failingBank', ['BankAccounts', 'FailingProcess']);
      await runner.start();
      const accounts = runner.get(BankAccounts);
      const pid = runner.pids.get('FailingProcess') as number;
      await accounts.openAccount('Good', 'good@example.com');
      await accounts.openAccount('Bad', 'bad@example.com');
      await accounts.openAccount('Later', 'later@example.com');
      let failure: unknown = null;
      await assert.rejects(runner.watchForErrors({ timeout: TIMEOUT }), (error: unknown) => {
        failure = error;
        return true;
      });
      assert.ok(failure instanceof EventProcessingError, String(failure));
      assert.match(failure.message, /Cannot email Bad/);
      assert.match(failure.message, /child process of FailingProcess/);
      assert.ok(failure.cause instanceof RangeError);
      assert.equal(runner.hasErrored, true);
      await assert.rejects(runner.runForever(), (error) => error === failure);
      await assert.rejects(runner.stop(), (error) => error === failure);
      assert.equal(alive(pid), false);
      // Nothing after the failed event: the follower stands at 'Good'.
      await using follower = new FailingProcess({ env: runner.env });
      assert.equal(await follower.recorder.maxTrackingId('BankAccounts'), 1);
    });

    it('resolves runForever on timeout, on abort and on stop()', async () => {
      const runner = await runnerOf('bank', ['BankAccounts', 'EmailProcess']);
      await runner.start();
      try {
        const t0 = performance.now();
        await runner.runForever({ timeout: 100 });
        assert.ok(performance.now() - t0 >= 90);
        const controller = new AbortController();
        setTimeout(() => controller.abort(), 50);
        await runner.runForever({ signal: controller.signal });
        const forever = runner.runForever();
        await runner.stop();
        await forever;
      } finally {
        await runner.stop();
      }
    });
  });
}

describe('MultiProcessRunner refuses', () => {
  it('memory persistence, from start(), naming the fix', async () => {
    const runner = new MultiProcessRunner(ref('bank'), { env: {} });
    await assert.rejects(runner.start(), (error: unknown) => {
      assert.ok(error instanceof Error);
      assert.match(error.message, /cannot run EmailProcess/);
      assert.match(error.message, /PERSISTENCE_MODULE/);
      return true;
    });
    assert.equal(runner.pids.size, 0);
    await runner.stop();
  });

  it('an export that is not a System, and a bad reference', async () => {
    const env = sqliteBackend.env(['BankAccounts', 'EmailProcess']);
    const runner = new MultiProcessRunner(ref('notASystem'), { env });
    await assert.rejects(runner.start(), /export 'notASystem' .* is not a System/);
    await runner.stop();
    const missing = new MultiProcessRunner(ref('nothing'), { env });
    await assert.rejects(missing.start(), /export 'nothing' .* is missing/);
    await missing.stop();
    assert.throws(
      () => new MultiProcessRunner({ module: '', export: 'x' }),
      /A system reference is \{ module, export \}/,
    );
    const only = new MultiProcessRunner(ref('bank'), { env, only: ['BankAccounts'] });
    await assert.rejects(only.start(), /Not a follower of the system: BankAccounts/);
    await only.stop();
  });
});

multiProcessSuite(sqliteBackend);
whenPostgres(() => {
  const postgres = postgresBackend('sysmp');
  after(() => postgres.tearDown());
  multiProcessSuite(postgres);
});

describe('a process running a MultiProcessRunner', () => {
  it('exits by itself after stop (SQLite)', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, PERSISTENCE_MODULE: 'sqlite' };
    Object.assign(env, sqliteBackend.env(['BankAccounts', 'EmailProcess']));
    const result = (await runUntilExit(exitChild, [], env)) as { emails: number; alive: boolean };
    assert.deepEqual(result, { emails: 3, alive: false });
  });
});
