// The `eventsourcing` bin: --help, bad arguments (exit 2, saying what was wrong), module
// references (module#export, Python's module:Export), and `run` in a child process on SQLite
// (one file per application) and PostgreSQL (a schema per test): a follower run only there is
// woken by the database when a leader in this process saves (no in-process prompt can reach
// it), and SIGTERM stops it cleanly (exit 0).
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseModuleReference } from '../../src/cli/module-reference.js';
import { UsageError } from '../../src/cli/usage-error.js';
import {
  createNotificationLogHandler,
  HttpNotificationLogInterface,
  NotificationLogJSONClient,
  NotificationLogJSONService,
} from '../../src/interface/index.js';
import { serve } from '../interface/helpers.js';
import { whenPostgres } from '../postgres/helpers.js';
import {
  freshEnv,
  postgresBackend,
  type SystemBackend,
  sqliteBackend,
} from '../system/backends.js';
import { BankAccounts, EmailProcess } from '../system/fixtures/bank.js';
import { CliProcess, runCli } from './cli-process.js';

const apps = fileURLToPath(new URL('../system/fixtures/multi-process-apps.ts', import.meta.url));

describe('eventsourcing (arguments)', () => {
  it('prints the usage for --help (exit 0), and for run --help', async () => {
    const help = await runCli(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage: eventsourcing <command>/);
    const runHelp = await runCli(['run', '--help']);
    assert.equal(runHelp.code, 0);
    assert.match(runHelp.stdout, /--system <module>#<export>/);
    assert.match(runHelp.stdout, /--only/);
  });

  it('exits 2 on bad arguments, saying what was wrong', async () => {
    const cases: [string[], RegExp][] = [
      [[], /Usage: eventsourcing <command>/],
      [['deploy'], /Unknown command 'deploy'/],
      [['run'], /run needs --system <module>#<export>/],
      [['run', '--system', 'nothing-here'], /--system needs a module and the name of its export/],
      [['run', '--system', `${apps}#bank`, '--bogus'], /Unknown option '--bogus'/],
      [['run', '--system', `${apps}#bank`, '--only', 'Nope'], /not a follower of the system: Nope/],
      [['run', '--system', `${apps}#bank`, '--only', ','], /--only needs follower names/],
      [
        ['run', '--system', `${apps}#bank`, '--leader', 'BankAccounts'],
        /--leader needs <Leader>=<url>/,
      ],
      [
        ['run', '--system', `${apps}#bank`, '--leader', 'EmailProcess=http://127.0.0.1:1/n'],
        /--leader: not a leader of the system: EmailProcess \(its leaders: BankAccounts\)/,
      ],
      [
        ['run', '--system', `${apps}#bank`, '--serve', 'host:port'],
        /--serve needs \[<host>:\]<port>/,
      ],
    ];
    await Promise.all(
      cases.map(async ([args, message]) => {
        const result = await runCli(args);
        assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
        assert.match(result.stderr, message, args.join(' '));
      }),
    );
  });

  it('exits 1 when the system cannot run: memory persistence, a bad export', async () => {
    const memory = await runCli(['run', '--system', `${apps}#bank`], {
      ...process.env,
      PERSISTENCE_MODULE: 'memory',
    });
    assert.equal(memory.code, 1);
    assert.match(memory.stderr, /cannot run EmailProcess: its persistence \(MemoryFactory\)/);
    const bad = await runCli(['run', '--system', `${apps}:notASystem`]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /export 'notASystem' .* is not a System/);
  });

  it('parses module#export and Python module:Export', () => {
    assert.deepEqual(parseModuleReference('./app/system.js#system'), {
      module: './app/system.js',
      export: 'system',
    });
    assert.deepEqual(parseModuleReference('myapp.system:system'), {
      module: 'myapp.system',
      export: 'system',
    });
    assert.deepEqual(parseModuleReference('file:///srv/app/system.js#default'), {
      module: 'file:///srv/app/system.js',
      export: 'default',
    });
    assert.deepEqual(parseModuleReference('C:\\app\\system.js#system'), {
      module: 'C:\\app\\system.js',
      export: 'system',
    });
    assert.throws(() => parseModuleReference('C:\\app\\system.js'), UsageError);
    assert.throws(() => parseModuleReference('file:///srv/app/system.js'), UsageError);
    assert.throws(() => parseModuleReference('#system'), /names no module/);
    assert.throws(() => parseModuleReference('app.js#not-a-name'), /not the name of an export/);
  });
});

function runSuite(backend: SystemBackend): void {
  describe(`eventsourcing run (${backend.name})`, () => {
    it('runs a follower woken by the database, and stops on SIGTERM with exit 0', async () => {
      const env = await freshEnv(backend, ['BankAccounts', 'EmailProcess']);
      const cli = new CliProcess(['run', '--system', `${apps}#bank`, '--only', 'EmailProcess'], {
        ...process.env,
        ...env,
      });
      try {
        await cli.waitFor(/running EmailProcess/);
        // The leader lives in this process, the follower only in the child: nothing but the
        // database (LISTEN/NOTIFY, polling) can tell the child of these events.
        await using accounts = new BankAccounts({ env });
        await using emails = new EmailProcess({ env });
        for (let i = 0; i < 5; i++) await accounts.openAccount(`H${i}`, `h${i}@example.com`);
        await emails.recorder.wait('BankAccounts', 5, { timeout: 20_000 });
        assert.equal(await emails.recorder.maxNotificationId(), 5);
        // Saved while the follower waits: it is woken again.
        await accounts.openAccount('Late', 'late@example.com');
        await emails.recorder.wait('BankAccounts', 6, { timeout: 20_000 });
        cli.child.kill('SIGTERM');
        assert.equal(await cli.exited, 0, cli.stderr);
        assert.match(cli.stdout, /SIGTERM received, stopping/);
        assert.match(cli.stdout, /stopped/);
      } finally {
        cli.kill();
      }
    });
  });
}

describe('eventsourcing run --leader --serve', () => {
  it('follows a leader over HTTP and serves its follower, sharing no database', async () => {
    // The leader's database is this process's alone; the child has its own for EmailProcess.
    const leaderEnv = await freshEnv(sqliteBackend, ['BankAccounts']);
    const childEnv = await freshEnv(sqliteBackend, ['EmailProcess']);
    await using accounts = new BankAccounts({ env: leaderEnv });
    const server = await serve(
      createNotificationLogHandler(new NotificationLogJSONService(accounts), {
        basePath: '/notifications',
      }),
      '/notifications',
    );
    const cli = new CliProcess(
      [
        'run',
        '--system',
        `${apps}#bank`,
        '--only',
        'EmailProcess',
        '--leader',
        `BankAccounts=${server.url}`,
        '--serve',
        '127.0.0.1:0',
      ],
      { ...process.env, ...childEnv, BANKACCOUNTS_PERSISTENCE_MODULE: 'memory' },
    );
    try {
      for (let i = 0; i < 3; i++) await accounts.openAccount(`H${i}`, `h${i}@example.com`);
      await cli.waitFor(/serving EmailProcess at (http:\S+)/);
      const url = /serving EmailProcess at (http:\S+)/.exec(cli.stdout)?.[1] as string;
      // Woken by the leader's stream: saved after the child started.
      for (let i = 3; i < 5; i++) await accounts.openAccount(`H${i}`, `h${i}@example.com`);
      // Another machine would follow EmailProcess from what the child serves.
      const emails = new NotificationLogJSONClient(new HttpNotificationLogInterface(url));
      const deadline = Date.now() + 20_000;
      let seen = 0;
      while (seen < 5 && Date.now() < deadline) {
        seen = (await emails.select(1, 100)).length;
        if (seen < 5) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.equal(seen, 5, cli.stderr);
      const subjects = (await emails.select(1, 100)).map((n) => n.topic);
      assert.ok(subjects.every((topic) => topic === 'system-tests:EmailNotification.Created'));
      cli.child.kill('SIGTERM');
      assert.equal(await cli.exited, 0, cli.stderr);
    } finally {
      cli.kill();
      await server.close();
    }
  });
});

runSuite(sqliteBackend);
whenPostgres(() => {
  const postgres = postgresBackend('syscli');
  after(() => postgres.tearDown());
  runSuite(postgres);
});
