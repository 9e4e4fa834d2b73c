// PostgreSQL "restarts" under load, the leader saving continuously in a few lanes while the
// followers process:
//
// - ConcurrentRunner with every connection of the system (the leader's saves, the followers'
//   reads, writes and LISTEN) going through a TCP proxy on the shared test server, which drops
//   them all and refuses new ones for a few seconds, as a restarting server would;
// - ConcurrentRunner, then MultiProcessRunner (a child process per follower), on a private
//   server of their own (test/helpers/private-postgres.ts) that is really restarted, crash-like
//   (`pg_ctl stop -m immediate`, then start): the shared server cannot be restarted, other
//   test files use it at the same time.
//
// Afterwards nothing the leader stored is lost, nothing was processed twice (an AuditEntry per
// upstream event, whose id a second processing would clash with), and the followers caught up
// by themselves, the runner's onError told of the transient errors.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Application } from '../../src/application/application.js';
import { OperationalError } from '../../src/persistence/errors.js';
import { ConcurrentRunner } from '../../src/system/concurrent-runner.js';
import { MultiProcessRunner } from '../../src/system/multi-process-runner.js';
import type { EnvType } from '../../src/utils/environment.js';
import {
  type PrivatePostgres,
  startPrivatePostgres,
  whenPrivatePostgres,
} from '../helpers/private-postgres.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';
import { baseEnv, pg, whenPostgres } from '../postgres/helpers.js';
import { freshEnv, postgresBackend } from '../system/backends.js';
import {
  Account,
  Accounts,
  AuditEntry,
  Email,
  Notifications,
  Statement,
} from '../system/fixtures/scenario-system.js';
import { restartSystem, restartSystemRef, SlowAuditTrail } from './fixtures/restart-system.js';

const OUTAGE_MS = 3000;
const WRITERS = 4;

/** What the load needs of a runner (ConcurrentRunner, MultiProcessRunner). */
interface LoadedRunner {
  get<T extends Application>(cls: abstract new (...args: never[]) => T): T;
  readonly hasErrored: boolean;
  watchForErrors(options: { timeout?: number }): Promise<boolean>;
}

/** What happened under load. */
interface LoadOutcome {
  stored: number;
  opened: number;
  failed: number;
  failedStored: number;
}

/**
 * Saves accounts continuously (WRITERS lanes) with the runner's leader, disturbs the database
 * after 1.5 s, goes on saving for 1.5 s after, then checks, reading on connections of `direct`
 * (not the runner's): the followers caught up by themselves, every save that resolved is
 * stored, and each stored event was processed exactly once by each follower.
 */
async function underLoad(
  runner: LoadedRunner,
  direct: EnvType,
  disturb: () => Promise<void>,
): Promise<LoadOutcome> {
  const accountsDirect = new Accounts({ env: direct });
  const notificationsDirect = new Notifications({ env: direct });
  const auditDirect = new SlowAuditTrail({ env: direct });
  let writing = true;
  try {
    const accounts = runner.get(Accounts);
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
    const beforeDisturbance = opened.length;
    await disturb();
    const afterDisturbance = opened.length;
    await sleep(1500);
    writing = false;
    await writing$;

    // The followers catch up by themselves with everything the leader stored.
    const stored = await accountsDirect.recorder.selectNotifications(1, 100_000);
    const head = stored.at(-1)!.id;
    await Promise.all([
      notificationsDirect.recorder.wait('Accounts', head, { timeout: 10_000 }),
      auditDirect.recorder.wait('Accounts', head, { timeout: 10_000 }),
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
      assert.ok(mailIds.has(Email.createId(account.emailAddress, 'Welcome')), 'an email missing');
    }
    assert.equal(await notificationsDirect.recorder.maxTrackingId('Accounts'), head);

    assert.ok(beforeDisturbance > 20, `only ${beforeDisturbance} accounts opened before`);
    assert.ok(failed.length > 0, 'no save met the disturbance');
    assert.ok(opened.length > afterDisturbance + 20, 'few accounts opened after');
    return {
      stored: stored.length,
      opened: opened.length,
      failed: failed.length,
      failedStored,
    };
  } finally {
    writing = false;
    await Promise.all([accountsDirect, notificationsDirect, auditDirect].map((a) => a.close()));
  }
}

function describeOutcome(outcome: LoadOutcome, told: [Error, string][]): string {
  return (
    `${outcome.stored} accounts stored (${outcome.opened} saves resolved, ${outcome.failed} ` +
    `failed, ${outcome.failedStored} of them stored); ${told.length} errors told to the ` +
    `runner's onError (sources: ${[...new Set(told.map(([, s]) => s))].join(', ')})`
  );
}

whenPostgres(() => {
  const backend = postgresBackend('sysfault');
  after(() => backend.tearDown());

  describe('ConcurrentRunner across a PostgreSQL outage (all connections dropped and refused)', () => {
    test('loses nothing, processes nothing twice, and catches up by itself, telling onError', async (t) => {
      const direct = await freshEnv(backend, restartSystem.nodes.keys());
      const proxy = new TcpProxy(baseEnv.POSTGRES_HOST, Number(baseEnv.POSTGRES_PORT));
      await proxy.start();
      const env = { ...direct, POSTGRES_PORT: String(proxy.port), POSTGRES_CONNECT_TIMEOUT: '2' };
      const told: [Error, string][] = [];
      const runner = new ConcurrentRunner(restartSystem, {
        env,
        batchSize: 20,
        onError: (error, source) => told.push([error, source]),
      });
      try {
        await runner.start();
        const outcome = await underLoad(runner, direct, async () => {
          await proxy.cut();
          await sleep(OUTAGE_MS);
          await proxy.restore();
        });

        // The runner's onError was told of the transient errors the runner retried (source
        // 'system'); the applications' own (LISTEN, pool) go to it too when they happen, which
        // depends on what each connection was doing at the cut (concurrent-runner.test.ts checks
        // that every application is given the hook).
        const runnerTold = told.filter(([, source]) => source === 'system');
        assert.ok(runnerTold.length > 0, 'onError was not told of the retried processing');
        for (const [error] of runnerTold)
          assert.ok(error instanceof OperationalError, String(error));
        t.diagnostic(describeOutcome(outcome, told));
      } finally {
        await runner.stop();
        await proxy.close();
      }
    });
  });
});

whenPrivatePostgres(() => {
  describe('a real PostgreSQL restart under load (a private server, stopped -m immediate)', () => {
    let server: PrivatePostgres | null = null;
    let schemas = 0;

    before(async () => {
      server = await startPrivatePostgres();
    });
    after(() => server?.stop());

    /** The env of the system's applications, in a fresh schema of the private server. */
    const privateEnv = async (): Promise<EnvType> => {
      const schema = `restart${++schemas}`;
      const client = new pg.Client({
        host: server!.env.POSTGRES_HOST,
        port: server!.port,
        user: server!.env.POSTGRES_USER,
        database: server!.env.POSTGRES_DBNAME,
      });
      await client.connect();
      try {
        await client.query(`CREATE SCHEMA "${schema}"`);
      } finally {
        await client.end();
      }
      return {
        PERSISTENCE_MODULE: 'postgres',
        ...server!.env,
        POSTGRES_SCHEMA: schema,
        POSTGRES_CONNECT_TIMEOUT: '2',
      };
    };
    /** The crash-like restart: immediate stop, down a second, start. */
    const restart = () => server!.restart({ downMs: 1000 });

    test('ConcurrentRunner loses nothing, processes nothing twice, and catches up by itself', async (t) => {
      const env = await privateEnv();
      const told: [Error, string][] = [];
      const runner = new ConcurrentRunner(restartSystem, {
        env,
        batchSize: 20,
        onError: (error, source) => told.push([error, source]),
      });
      try {
        await runner.start();
        const outcome = await underLoad(runner, env, restart);
        const runnerTold = told.filter(([, source]) => source === 'system');
        assert.ok(runnerTold.length > 0, 'onError was not told of the retried processing');
        for (const [error] of runnerTold)
          assert.ok(error instanceof OperationalError, String(error));
        t.diagnostic(describeOutcome(outcome, told));
      } finally {
        await runner.stop();
      }
    });

    test('MultiProcessRunner: the children survive or are restarted, and catch up', async (t) => {
      const env = await privateEnv();
      const told: [Error, string][] = [];
      const runner = new MultiProcessRunner(restartSystemRef, {
        env,
        batchSize: 20,
        onError: (error, source) => told.push([error, source]),
      });
      try {
        await runner.start();
        const pidsBefore = new Map(runner.pids);
        const outcome = await underLoad(runner, env, restart);
        // Every follower has a child running (the same or a restarted one), and the runner
        // was told of what the children retried (or of their restarts).
        assert.deepEqual([...runner.pids.keys()].sort(), ['Notifications', 'SlowAuditTrail']);
        const childTold = told.filter(([, source]) => source === 'system' || source === 'child');
        assert.ok(childTold.length > 0, "onError was not told of the children's retried errors");
        const restarted = [...runner.pids].filter(([name, pid]) => pidsBefore.get(name) !== pid);
        t.diagnostic(
          `${describeOutcome(outcome, told)}; children restarted: ${
            restarted.map(([name]) => name).join(', ') || 'none'
          }`,
        );
      } finally {
        await runner.stop();
      }
    });
  });
});
