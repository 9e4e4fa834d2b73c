// A PostgreSQL "restart" under load with ConcurrentRunner: every connection of the system (the
// leader's saves, the followers' reads, writes and LISTEN) goes through a TCP proxy, which
// drops them all and refuses new ones for a few seconds, as a restarting server would, while
// the leader saves continuously and the followers process. (A real `pg_ctlcluster restart`
// would disturb the other test files running at the same time.) Afterwards nothing the
// leader stored is lost, nothing was processed twice (an AuditEntry per upstream event, whose
// id a second processing would clash with), and the followers caught up by themselves, the
// runner's onError told of the transient errors.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { OperationalError } from '../../src/persistence/errors.js';
import { ConcurrentRunner } from '../../src/system/concurrent-runner.js';
import { System } from '../../src/system/system.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';
import { baseEnv, whenPostgres } from '../postgres/helpers.js';
import { freshEnv, postgresBackend } from '../system/backends.js';
import {
  Account,
  Accounts,
  AuditEntry,
  AuditTrail,
  Email,
  Notifications,
  Statement,
} from '../system/fixtures/scenario-system.js';

const OUTAGE_MS = 3000;
const WRITERS = 4;

/**
 * Slower than the leader's writers (a few ms per event), so that it is always behind and
 * in the middle of processing when the connections drop: its edge meets the outage.
 */
class SlowAuditTrail extends AuditTrail {
  override async policy(...args: Parameters<AuditTrail['policy']>): Promise<void> {
    await sleep(3);
    super.policy(...args);
  }
}

whenPostgres(() => {
  const backend = postgresBackend('sysfault');
  after(() => backend.tearDown());

  describe('ConcurrentRunner across a PostgreSQL outage (all connections dropped and refused)', () => {
    test('loses nothing, processes nothing twice, and catches up by itself, telling onError', async (t) => {
      const system = new System([
        [Accounts, Notifications],
        [Accounts, SlowAuditTrail],
      ]);
      const direct = await freshEnv(backend, system.nodes.keys());
      const proxy = new TcpProxy(baseEnv.POSTGRES_HOST, Number(baseEnv.POSTGRES_PORT));
      await proxy.start();
      const env = { ...direct, POSTGRES_PORT: String(proxy.port), POSTGRES_CONNECT_TIMEOUT: '2' };
      const told: [Error, string][] = [];
      const runner = new ConcurrentRunner(system, {
        env,
        batchSize: 20,
        onError: (error, source) => told.push([error, source]),
      });
      // What is stored is read afterwards on direct connections, not through the proxy.
      const accountsDirect = new Accounts({ env: direct });
      const notificationsDirect = new Notifications({ env: direct });
      const auditDirect = new SlowAuditTrail({ env: direct });
      let writing = true;
      try {
        await runner.start();
        const accounts = runner.get(Accounts);

        // The leader saves continuously (WRITERS lanes), through the outage.
        const opened: string[] = [];
        const failed: { id: string; error: unknown }[] = [];
        const writer = async (lane: number): Promise<void> => {
          for (let i = 0; writing; i++) {
            const email = `w${lane}-${i}@example.com`;
            try {
              opened.push(await accounts.openAccount(`Writer ${lane}`, email));
              await sleep(5);
            } catch (error) {
              // Refused, or lost with its outcome unknown: looked up afterwards.
              failed.push({ id: Account.createId('', email), error });
              await sleep(50);
            }
          }
        };
        const writing$ = Promise.all(Array.from({ length: WRITERS }, (_, lane) => writer(lane)));

        await sleep(1500);
        const beforeCut = opened.length;
        await proxy.cut();
        await sleep(OUTAGE_MS);
        await proxy.restore();
        await sleep(1500);
        writing = false;
        await writing$;

        // The followers catch up by themselves with everything the leader stored.
        const stored = await accountsDirect.recorder.selectNotifications(1, 100_000);
        const head = stored.at(-1)!.id;
        await Promise.all([
          runner.get(Notifications).recorder.wait('Accounts', head, { timeout: 10_000 }),
          runner.get(SlowAuditTrail).recorder.wait('Accounts', head, { timeout: 10_000 }),
        ]);
        assert.equal(runner.hasErrored, false);
        assert.equal(await runner.watchForErrors({ timeout: 1 }), false);

        // Nothing lost: every save that resolved is stored; a failed one is stored or not.
        const storedIds = new Set(stored.map((n) => n.originatorId));
        assert.equal(storedIds.size, stored.length, 'an account stored twice');
        for (const id of opened) assert.ok(storedIds.has(id), `account ${id} lost`);
        for (const { error } of failed) assert.ok(error instanceof OperationalError, String(error));
        const failedStored = failed.filter(({ id }) => storedIds.has(id)).length;
        assert.equal(stored.length, opened.length + failedStored);

        // Each upstream event processed exactly once: an AuditEntry for each notification id
        // (a second would have clashed), and a statement and welcome email per account.
        const audit = await auditDirect.recorder.selectNotifications(1, 100_000);
        assert.equal(audit.length, stored.length);
        assert.deepEqual(
          new Set(audit.map((n) => n.originatorId)),
          new Set(stored.map((n) => AuditEntry.createId('Accounts', n.id))),
        );
        assert.equal(await auditDirect.recorder.maxTrackingId('Accounts'), head);
        const mails = await notificationsDirect.recorder.selectNotifications(1, 100_000);
        assert.equal(mails.length, 2 * stored.length);
        const mailIds = new Set(mails.map((n) => n.originatorId));
        for (const notification of stored) {
          const account = await accountsDirect.repository.get<Account>(notification.originatorId);
          assert.ok(mailIds.has(Statement.createId(account.id)), 'a statement missing');
          assert.ok(
            mailIds.has(Email.createId(account.emailAddress, 'Welcome')),
            'an email missing',
          );
        }
        assert.equal(await notificationsDirect.recorder.maxTrackingId('Accounts'), head);

        // The runner's onError was told of the transient errors the runner retried (source
        // 'system') and of the applications' own (their subscriptions' LISTEN connections and
        // pools): none became a process warning.
        const runnerTold = told.filter(([, source]) => source === 'system');
        assert.ok(runnerTold.length > 0, 'onError was not told of the retried processing');
        for (const [error] of runnerTold)
          assert.ok(error instanceof OperationalError, String(error));
        assert.ok(
          told.length > runnerTold.length,
          "onError was not told of the applications' errors",
        );
        assert.ok(beforeCut > 20, `only ${beforeCut} accounts opened before the outage`);
        assert.ok(failed.length > 0, 'no save met the outage');
        assert.ok(opened.length > beforeCut + 20, 'few accounts opened after the outage');
        t.diagnostic(
          `${stored.length} accounts stored (${opened.length} saves resolved, ${failed.length} ` +
            `failed, ${failedStored} of them stored); ${told.length} errors told to the runner's ` +
            `onError (sources: ${[...new Set(told.map(([, s]) => s))].join(', ')})`,
        );
      } finally {
        writing = false;
        await runner.stop();
        await Promise.all([accountsDirect, notificationsDirect, auditDirect].map((a) => a.close()));
        await proxy.close();
      }
    });
  });
});
