// Shared by the SQLite tests: temporary database files that are deleted afterwards.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { SQLiteFactory } from '../../src/sqlite/index.js';
import { Environment, type EnvType } from '../../src/utils/environment.js';

// Made when a test file imports this module; removed when the test file ends.
const dir = mkdtempSync(join(tmpdir(), 'es-sqlite-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A fresh path in a temporary directory removed when the test file ends. */
export function tempDbPath(name = 'db'): string {
  return join(dir, `${name}-${Math.random().toString(36).slice(2)}.sqlite`);
}

/** A SQLite factory on the database, with extra environment variables. */
export function sqliteFactory(dbName: string, vars: EnvType = {}, name = ''): SQLiteFactory {
  return new SQLiteFactory(new Environment(name, { SQLITE_DBNAME: dbName, ...vars }));
}

/** Deletes a database file and its WAL companions. */
export function removeDb(path: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(path + suffix, { force: true });
}
