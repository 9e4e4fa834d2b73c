// The inspecting commands' bad arguments (exit 2, saying what was wrong and where to look),
// unknown commands, --help, --env-file (the process's environment wins over the file), and
// failures to reach the data (exit 1, naming the file or server and what to check): a SQLite
// file that does not exist (and is not created), a PostgreSQL server on a wrong port, the
// memory backend, an application whose tables are not there.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { baseEnv, whenPostgres } from '../postgres/helpers.js';
import { runCli } from './cli-process.js';
import { DogSchool } from './fixtures/dog-school.js';

const dir = mkdtempSync(join(tmpdir(), 'es-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The process's environment without any of the library's keys. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/PERSISTENCE_MODULE|SQLITE|POSTGRES|CIPHER|COMPRESSOR/.test(key)) env[key] = value;
  }
  return { ...env, ...extra };
}

describe('eventsourcing inspecting commands: arguments', () => {
  it('bad arguments and unknown commands exit 2 saying what was wrong', async () => {
    const cases: [string[], RegExp][] = [
      [
        ['inspect'],
        /Unknown command 'inspect': the commands are info, events, log, tail, lag, rebuild, run(, serve)?/,
      ],
      [['events'], /events needs <originatorId>/],
      [['events', 'a', 'b'], /takes <originatorId>, but was also given: b/],
      [['events', 'a', '--version', '0'], /--version needs a whole number of at least 1, got '0'/],
      [['log', '--limit', 'ten'], /--limit needs a whole number of at least 1, got 'ten'/],
      [['log', '--bogus'], /Unknown option '--bogus'/],
      [['tail', '--gt', '-1'], /--gt/],
      [['lag', '--max-age', 'soon'], /--max-age needs a number of seconds/],
      [['lag', '--projection', 'no-such name'], /--projection needs a name/],
      [['info', '--app', 'Dog School'], /--app needs an application's name/],
      [
        ['info', '--import', './no/such/module.js'],
        /--import: no such file '\.\/no\/such\/module\.js'/,
      ],
      [['rebuild'], /rebuild needs <module>#<export>/],
      [['rebuild', 'counters'], /rebuild needs a module and the name of its export/],
    ];
    for (const [args, message] of cases) {
      const result = await runCli(args, cleanEnv());
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, message, args.join(' '));
      assert.match(result.stderr, /See 'eventsourcing (\w+ )?--help'/);
    }
  });

  it("--help shows each command's usage (exit 0)", async () => {
    for (const command of ['info', 'events', 'log', 'tail', 'lag', 'rebuild']) {
      const result = await runCli([command, '--help'], cleanEnv());
      assert.equal(result.code, 0);
      assert.match(result.stdout, new RegExp(`^Usage: eventsourcing ${command}`));
      assert.match(result.stdout, /Exit status:/);
    }
    const help = await runCli(['--help'], cleanEnv());
    for (const command of ['info', 'events', 'log', 'tail', 'lag', 'rebuild', 'run']) {
      assert.match(help.stdout, new RegExp(`^  ${command}\\b`, 'm'));
    }
  });
});

describe('eventsourcing inspecting commands: the environment and unreachable data', () => {
  it('--env-file supplies the keys; the process environment wins over the file', async () => {
    const db = join(dir, 'school.db');
    const school = new DogSchool({ env: { PERSISTENCE_MODULE: 'sqlite', SQLITE_DBNAME: db } });
    await school.registerDog('Fido');
    await school.close();
    const file = join(dir, 'school.env');
    writeFileSync(
      file,
      `# the school\nPERSISTENCE_MODULE=sqlite\nDOGSCHOOL_SQLITE_DBNAME="${db}"\n`,
    );
    const fromFile = await runCli(
      ['info', '--app', 'DogSchool', '--env-file', file, '--json'],
      cleanEnv(),
    );
    assert.equal(fromFile.code, 0, fromFile.stderr);
    assert.equal(JSON.parse(fromFile.stdout).maxNotificationId, 1);

    const elsewhere = join(dir, 'elsewhere.db');
    const overridden = await runCli(
      ['info', '--app', 'DogSchool', '--env-file', file],
      cleanEnv({ DOGSCHOOL_SQLITE_DBNAME: elsewhere }),
    );
    assert.equal(overridden.code, 1);
    assert.match(
      overridden.stderr,
      /The SQLite database '.*elsewhere\.db' \(from DOGSCHOOL_SQLITE_DBNAME\) does not exist/,
    );
    assert.equal(existsSync(elsewhere), false, 'no file is created');
  });

  it("a database without the application's tables, and the memory backend, exit 1 saying why", async () => {
    const empty = join(dir, 'empty.db');
    writeFileSync(empty, '');
    const noTables = await runCli(
      ['log', '--app', 'Orders'],
      cleanEnv({ PERSISTENCE_MODULE: 'sqlite', SQLITE_DBNAME: empty }),
    );
    assert.equal(noTables.code, 1);
    assert.match(noTables.stderr, /No events table 'stored_events' for application 'Orders'/);
    assert.match(noTables.stderr, /ORDERS_SQLITE_DBNAME or SQLITE_DBNAME/);

    const memory = await runCli(['log', '--app', 'DogSchool'], cleanEnv());
    assert.equal(memory.code, 1);
    assert.match(memory.stderr, /memory backend .* live only in the process that saved them/);
    // rebuild too: in memory it would rebuild an empty view of an empty log and say it did.
    const rebuild = await runCli(
      ['rebuild', 'test/cli/fixtures/dog-school.ts#sqliteCounters', '--dry-run'],
      cleanEnv(),
    );
    assert.equal(rebuild.code, 1);
    assert.match(rebuild.stderr, /memory backend .* live only in the process that saved them/);
    const view = await runCli(
      ['rebuild', 'test/cli/fixtures/dog-school.ts#sqliteCounters', '--yes'],
      cleanEnv({
        DOGSCHOOL_PERSISTENCE_MODULE: 'sqlite',
        DOGSCHOOL_SQLITE_DBNAME: empty,
        DOGCOUNTERS_PERSISTENCE_MODULE: 'memory',
      }),
    );
    assert.equal(view.code, 1);
    assert.match(view.stderr, /The view of DogCounters is configured with the memory backend/);
    const info = await runCli(['info', '--app', 'DogSchool'], cleanEnv());
    assert.equal(info.code, 0);
    assert.match(info.stdout, /backend {6}memory/);
    assert.match(info.stdout, /another process sees none/);
  });

  whenPostgres(() => {
    it('an unreachable PostgreSQL server exits 1 naming the host, port and what to check', async () => {
      const result = await runCli(
        ['info', '--app', 'DogSchool'],
        cleanEnv({ PERSISTENCE_MODULE: 'postgres', ...baseEnv, POSTGRES_PORT: '1' }),
      );
      assert.equal(result.code, 1);
      assert.match(
        result.stderr,
        /^eventsourcing info: Cannot connect to PostgreSQL at 127\.0\.0\.1:1 /,
      );
      assert.match(result.stderr, /Check that the server is running/);
      assert.equal(result.stdout, '');
    });
  });
});
