// The backends the system tests run on: the environment of a system's applications (SQLite:
// one temporary file per application, chosen with its scoped APPNAME_SQLITE_DBNAME key;
// PostgreSQL: a fresh schema per env() call, created by setUp() and dropped by tearDown()).
import { randomBytes } from 'node:crypto';
import type { EnvType } from '../../src/utils/environment.js';
import { baseEnv, rawClient } from '../postgres/helpers.js';
import { tempDbPath } from '../sqlite/helpers.js';

/** A backend the system suites run on. */
export interface SystemBackend {
  readonly name: string;
  /** Whether what is recorded outlives an application (false in memory). */
  readonly persistent: boolean;
  /**
   * The environment of applications with these names (fresh databases on each call). Call
   * `setUp()` before the applications use it (`freshEnv` does both).
   */
  env(appNames: Iterable<string>): EnvType;
  /** Makes the databases of the env() calls so far ready (PostgreSQL: creates the schemas). */
  setUp?(): Promise<void>;
  /** Removes the databases made so far (PostgreSQL: drops the schemas); once, at the end. */
  tearDown?(): Promise<void>;
}

/** A fresh environment of the backend, ready for use. */
export async function freshEnv(
  backend: SystemBackend,
  appNames: Iterable<string>,
): Promise<EnvType> {
  const env = backend.env(appNames);
  await backend.setUp?.();
  return env;
}

export const memoryBackend: SystemBackend = {
  name: 'memory',
  persistent: false,
  env: () => ({}),
};

export const sqliteBackend: SystemBackend = {
  name: 'SQLite',
  persistent: true,
  env(appNames) {
    const env: Record<string, string> = { PERSISTENCE_MODULE: 'sqlite' };
    for (const name of appNames) env[`${name.toUpperCase()}_SQLITE_DBNAME`] = tempDbPath(name);
    return env;
  },
};

/** A PostgreSQL backend: its schemas, and setUp and tearDown always there. */
export interface PostgresSystemBackend extends SystemBackend {
  /** The schemas named so far. */
  readonly schemas: string[];
  setUp(): Promise<void>;
  tearDown(): Promise<void>;
}

/**
 * A PostgreSQL backend: each env() call names a new schema (`<prefix><random hex>`, all the
 * applications of one system in it), setUp() creates the schemas not yet created, tearDown()
 * drops them all. Each test file makes its own (`postgresBackend('sysst')`) and calls
 * tearDown in an `after` hook, inside `whenPostgres`.
 */
export function postgresBackend(prefix: string): PostgresSystemBackend {
  const schemas: string[] = [];
  let created = 0;
  const run = async (statements: string[]): Promise<void> => {
    if (statements.length === 0) return;
    const client = await rawClient();
    try {
      for (const statement of statements) await client.query(statement);
    } finally {
      await client.end();
    }
  };
  return {
    name: 'PostgreSQL',
    persistent: true,
    schemas,
    env() {
      const schema = `${prefix}${randomBytes(4).toString('hex')}`;
      schemas.push(schema);
      return { PERSISTENCE_MODULE: 'postgres', ...baseEnv, POSTGRES_SCHEMA: schema };
    },
    async setUp() {
      const pending = schemas.slice(created);
      created = schemas.length;
      await run(pending.map((schema) => `CREATE SCHEMA IF NOT EXISTS "${schema}"`));
    },
    async tearDown() {
      await run(schemas.map((schema) => `DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
    },
  };
}
