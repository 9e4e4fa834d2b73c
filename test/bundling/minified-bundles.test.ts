/**
 * Real bundles, built with esbuild (`bundle` and `minify`, as `esbuild --bundle --minify` does)
 * and run in child processes: with stated names a minified program stores and reads what an
 * unminified one does; without them it refuses to start instead of storing names a minifier
 * chose. The database drivers are not in the bundles: they are required at run time.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { build, type Metafile, type Plugin } from 'esbuild';

const repoRoot = resolve(import.meta.dirname, '..', '..');
const fixtures = join(import.meta.dirname, 'fixtures');
// Inside the repository, so that the bundles find the drivers in its node_modules.
const outDir = join(repoRoot, '.tmp', `bundling-${process.pid}`);

/**
 * Resolves the package's own specifiers (`eventsourcing/domain`) to its sources, as a user's
 * bundler resolves them to the installed package.
 */
const ownSources: Plugin = {
  name: 'eventsourcing-sources',
  setup(b) {
    b.onResolve({ filter: /^eventsourcing(\/[a-z]+)?$/ }, (args) => ({
      path: join(repoRoot, 'src', args.path.slice('eventsourcing'.length), 'index.ts'),
    }));
  },
};

/** Bundles a fixture; returns the bundle's path and what went into it. */
async function bundle(
  fixture: string,
  minify: boolean,
): Promise<{ file: string; metafile: Metafile }> {
  const file = join(outDir, `${fixture}${minify ? '.min' : ''}.mjs`);
  const result = await build({
    entryPoints: [join(fixtures, `${fixture}.ts`)],
    outfile: file,
    bundle: true,
    minify,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    plugins: [ownSources],
    metafile: true,
    logLevel: 'silent',
    // package.json's sideEffects list names dist/ files; these bundles are built from src/.
    ignoreAnnotations: true,
  });
  return { file, metafile: result.metafile };
}

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a bundle with Node in a child process. */
function run(file: string, args: readonly string[], env: Record<string, string>): Promise<Run> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [file, ...args],
      { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 30_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        done({ code, stdout, stderr });
      },
    );
  });
}

/** The JSON lines a run printed; fails the test with its stderr if it failed. */
function lines(result: Run): unknown[] {
  assert.equal(result.code, 0, `the program failed:\n${result.stderr}`);
  return result.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as unknown);
}

before(() => mkdirSync(outDir, { recursive: true }));
after(() => rmSync(outDir, { recursive: true, force: true }));

describe('a minified bundle with stated names', () => {
  test('stores the real field names and topics, and shares a database with an unminified build', async () => {
    const [plain, minified] = await Promise.all([
      bundle('dog-school-stated', false),
      bundle('dog-school-stated', true),
    ]);
    const dbname = join(outDir, 'dogs.sqlite');
    // Scoped by the application's name: a minifier's name would not find the database.
    const env = { PERSISTENCE_MODULE: 'sqlite', DOGSCHOOL_SQLITE_DBNAME: dbname };

    assert.deepEqual(lines(await run(plain.file, ['write', 'Fido', 'sit'], env)), [
      { app: 'DogSchool' },
    ]);
    assert.deepEqual(lines(await run(minified.file, ['write', 'Rex', 'roll over'], env)), [
      { app: 'DogSchool' },
    ]);
    const both = [
      { name: 'Fido', tricks: ['sit'] },
      { name: 'Rex', tricks: ['roll over'] },
      { app: 'DogSchool' },
    ];
    // Each build reads what the other wrote.
    assert.deepEqual(lines(await run(minified.file, ['read'], env)), both);
    assert.deepEqual(lines(await run(plain.file, ['read'], env)), both);

    const db = new Database(dbname, { readonly: true });
    try {
      const rows = db.prepare('SELECT topic, state FROM stored_events ORDER BY rowid').all() as {
        topic: string;
        state: Buffer;
      }[];
      const stored = rows.map((row) => {
        const { timestamp: _, ...fields } = JSON.parse(row.state.toString()) as Record<
          string,
          unknown
        >;
        return [row.topic, fields];
      });
      assert.deepEqual(stored, [
        ['Dog.Registered', { originator_topic: 'Dog', name: 'Fido' }],
        ['Dog.TrickAdded', { trick: 'sit' }],
        ['Dog.Registered', { originator_topic: 'Dog', name: 'Rex' }],
        ['Dog.TrickAdded', { trick: 'roll over' }],
      ]);
    } finally {
      db.close();
    }
  });

  test('on PostgreSQL, writes to the tables of the stated application name, as the unminified build does', async (t) => {
    const { baseEnv, rawClient, unavailable } = await import('../postgres/helpers.js');
    if (unavailable !== null) {
      if (process.env.CI === 'true') assert.fail(unavailable);
      t.skip(unavailable);
      return;
    }
    const [plain, minified] = await Promise.all([
      bundle('dog-school-stated', false),
      bundle('dog-school-stated', true),
    ]);
    // A schema of its own: the tables are named after the application, DogSchool.
    const schema = `bundling_${process.pid}`;
    const client = await rawClient();
    await client.query(`CREATE SCHEMA ${schema}`);
    try {
      const env = { ...baseEnv, PERSISTENCE_MODULE: 'postgres', POSTGRES_SCHEMA: schema };
      lines(await run(plain.file, ['write', 'Fido', 'sit'], env));
      lines(await run(minified.file, ['write', 'Rex', 'roll over'], env));
      const both = [
        { name: 'Fido', tricks: ['sit'] },
        { name: 'Rex', tricks: ['roll over'] },
        { app: 'DogSchool' },
      ];
      assert.deepEqual(lines(await run(minified.file, ['read'], env)), both);
      assert.deepEqual(lines(await run(plain.file, ['read'], env)), both);
      const tables = await client.query({
        text: 'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1',
        values: [schema],
      });
      assert.deepEqual(
        tables.rows.map((row) => (row as { table_name: string }).table_name),
        ['dogschool_events'],
      );
      const topics = await client.query(
        `SELECT topic FROM ${schema}.dogschool_events ORDER BY notification_id`,
      );
      assert.deepEqual(
        topics.rows.map((row) => (row as { topic: string }).topic),
        ['Dog.Registered', 'Dog.TrickAdded', 'Dog.Registered', 'Dog.TrickAdded'],
      );
    } finally {
      await client.query(`DROP SCHEMA ${schema} CASCADE`);
      await client.end();
    }
  });

  test('leaves the database drivers out of the bundle: they must be installed beside it', async () => {
    const { file, metafile } = await bundle('dog-school-stated', true);
    const inputs = Object.keys(metafile.inputs);
    assert.ok(inputs.some((path) => path.includes('src/sqlite/')));
    assert.deepEqual(
      inputs.filter((path) => /node_modules\/(better-sqlite3|pg)\//.test(path)),
      [],
    );
    // Away from any node_modules, the bundle cannot find the driver, and says what to install.
    const away = join(tmpdir(), `eventsourcing-bundle-${process.pid}`);
    mkdirSync(away, { recursive: true });
    try {
      const moved = join(away, 'app.mjs');
      copyFileSync(file, moved);
      const result = await run(moved, ['read'], {
        PERSISTENCE_MODULE: 'sqlite',
        DOGSCHOOL_SQLITE_DBNAME: join(away, 'dogs.sqlite'),
      });
      assert.notEqual(result.code, 0);
      assert.match(result.stderr, /needs the 'better-sqlite3' package.*npm install better-sqlite3/);
    } finally {
      rmSync(away, { recursive: true, force: true });
    }
  });
});

describe('a minified bundle without stated names', () => {
  test('the README synopsis fails at start-up with the fix, and stores nothing', async () => {
    const { file } = await bundle('dog-school-synopsis', true);
    const dbname = join(outDir, 'synopsis.sqlite');
    const result = await run(file, [], { PERSISTENCE_MODULE: 'sqlite', SQLITE_DBNAME: dbname });
    assert.notEqual(result.code, 0);
    assert.match(
      result.stderr,
      /TypeError: @aggregate on Dog: the constructor's parameter names \(\w{1,2}\) look chosen by a minifier.*--keep-names.*\{ name: 'Dog', fields: \['field1'\] \}/,
    );
    assert.equal(result.stdout, '');
    const db = new Database(dbname, { fileMustExist: false });
    try {
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all();
      assert.deepEqual(tables, []);
    } finally {
      db.close();
    }
  });

  test('the same program unminified runs and stores the parameter names', async () => {
    const { file } = await bundle('dog-school-synopsis', false);
    assert.deepEqual(lines(await run(file, [], {})), [{ app: 'DogSchool' }]);
  });

  test('an application named only by its class name fails at start-up with the fix', async () => {
    const { file } = await bundle('school-unnamed', true);
    const result = await run(file, [], {});
    assert.notEqual(result.code, 0);
    assert.match(
      result.stderr,
      /TypeError: The application class '\w{1,2}' has a name that looks chosen by a minifier.*static name = 'DogSchool'.*\{ name: 'DogSchool' \}/,
    );
    const plain = await bundle('school-unnamed', false);
    assert.deepEqual(lines(await run(plain.file, [], {})), [{ app: 'DogSchool' }]);
  });
});
