// Follower ownership across processes, on SQLite (one file per application) and PostgreSQL (a
// schema per test): two `eventsourcing run` processes for the same follower never both
// process (the follower's policy logs the pid of the process that ran it): the second waits,
// and takes over when the first is killed (kill -9), processing each event once. And on
// PostgreSQL, a FollowerHost whose lock connection is terminated stops processing, takes the
// lock again and goes on, nothing lost and nothing twice.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { PostgresFollowerLock } from '../../src/postgres/postgres-follower-lock.js';
import { FollowerHost } from '../../src/system/follower-host.js';
import { CliProcess } from '../cli/cli-process.js';
import { rawClient, whenPostgres } from '../postgres/helpers.js';
import { tempDbPath } from '../sqlite/helpers.js';
import {
  freshEnv,
  postgresBackend,
  type SystemBackend,
  sqliteBackend,
} from '../system/backends.js';
import { BankAccounts, EmailProcess } from '../system/fixtures/bank.js';
import { bank, PidEmailProcess } from '../system/fixtures/multi-process-apps.js';

const TIMEOUT = 20_000;
const apps = fileURLToPath(new URL('../system/fixtures/multi-process-apps.ts', import.meta.url));

function pidsLogged(path: string): number[] {
  try {
    return readFileSync(path, 'utf8').trim().split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

async function openAccounts(accounts: BankAccounts, from: number, n: number): Promise<void> {
  for (let i = from; i < from + n; i++) {
    await accounts.openAccount(`H${i}`, `h${i}@example.com`);
  }
}

function ownershipSuite(backend: SystemBackend): void {
  describe(`follower ownership (${backend.name})`, () => {
    it('two eventsourcing run processes for one follower: one processes, the other takes over when it is killed', async () => {
      const pidLog = tempDbPath('pids');
      const env = {
        ...(await freshEnv(backend, ['BankAccounts', 'PidEmailProcess'])),
        PID_LOG: pidLog,
      };
      const args = ['run', '--system', `${apps}#pidBank`, '--only', 'PidEmailProcess'];
      const first = new CliProcess(args, { ...process.env, ...env });
      let second: CliProcess | null = null;
      try {
        await first.waitFor(/running PidEmailProcess/);
        await using accounts = new BankAccounts({ env });
        await using emails = new PidEmailProcess({ env });
        await openAccounts(accounts, 0, 3);
        await emails.recorder.wait('BankAccounts', 3, { timeout: TIMEOUT });
        second = new CliProcess(args, { ...process.env, ...env });
        await second.waitFor(/running PidEmailProcess/);
        await openAccounts(accounts, 3, 3);
        await emails.recorder.wait('BankAccounts', 6, { timeout: TIMEOUT });
        // Give the second process time to try (it retries every 500 ms): it must not process.
        await new Promise((resolve) => setTimeout(resolve, 1200));
        await openAccounts(accounts, 6, 2);
        await emails.recorder.wait('BankAccounts', 8, { timeout: TIMEOUT });
        assert.deepEqual(pidsLogged(pidLog), Array(8).fill(first.pid), 'only the first processed');
        first.child.kill('SIGKILL');
        assert.equal(await first.exited, 'SIGKILL');
        await openAccounts(accounts, 8, 4);
        await emails.recorder.wait('BankAccounts', 12, { timeout: TIMEOUT });
        assert.deepEqual(pidsLogged(pidLog), [
          ...Array(8).fill(first.pid),
          ...Array(4).fill(second.pid),
        ]);
        // Each account's email once (a second would clash on its uuid5 id).
        assert.equal(await emails.recorder.maxNotificationId(), 12);
        second.child.kill('SIGTERM');
        assert.equal(await second.exited, 0, second.stderr);
      } finally {
        first.kill();
        second?.kill();
      }
    });
  });
}

ownershipSuite(sqliteBackend);
whenPostgres(() => {
  const postgres = postgresBackend('sysown');
  after(() => postgres.tearDown());
  ownershipSuite(postgres);

  describe('follower ownership (PostgreSQL lock connection lost)', () => {
    it('stops processing when the lock connection is terminated, takes the lock again, goes on', async () => {
      const env = await freshEnv(postgres, ['BankAccounts', 'EmailProcess']);
      const told: string[] = [];
      const host = new FollowerHost(bank, {
        env,
        onError: (error) => told.push(error.message),
      });
      await host.start();
      try {
        const accounts = host.get(BankAccounts);
        const emails = host.get(EmailProcess);
        await openAccounts(accounts, 0, 5);
        await emails.recorder.wait('BankAccounts', 5, { timeout: TIMEOUT });
        const lock = emails.factory.followerLock() as PostgresFollowerLock;
        const key = BigInt(lock.key);
        const classid = Number(BigInt.asUintN(32, key >> 32n));
        const objid = Number(BigInt.asUintN(32, key));
        const client = await rawClient();
        try {
          const holders = async () =>
            (
              await client.query({
                text:
                  "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND classid = $1 " +
                  'AND objid = $2 AND objsubid = 1 AND granted',
                values: [classid, objid],
              })
            ).rows.map((row) => (row as { pid: number }).pid);
          const [holder] = await holders();
          assert.ok(holder !== undefined, 'the host holds the lock');
          await client.query({ text: 'SELECT pg_terminate_backend($1)', values: [holder] });
          await openAccounts(accounts, 5, 5);
          await emails.recorder.wait('BankAccounts', 10, { timeout: TIMEOUT });
          const [again] = await holders();
          assert.ok(again !== undefined && again !== holder, 'the lock was taken again');
        } finally {
          await client.end();
        }
        assert.equal(await emails.recorder.maxNotificationId(), 10);
        assert.equal(host.hasErrored, false);
        assert.ok(
          told.some((message) => /follower lock was lost/.test(message)),
          told.join('\n'),
        );
      } finally {
        await host.stop();
      }
    });
  });
});
