// Shared by the PostgreSQL tests: the test server's settings, a probe that skips the tests
// cleanly when no server is reachable (or fails them when CI=true), and cleanup helpers.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import type { PgClient, PgModule } from '../../src/postgres/driver.js';

/** The pg module, for raw clients in tests. */
export const pg = createRequire(import.meta.url)('pg') as PgModule;

/** The test server: the POSTGRES_* variables if set, else a local server with trust auth. */
export const baseEnv = {
  POSTGRES_DBNAME: process.env.POSTGRES_DBNAME ?? 'test',
  POSTGRES_HOST: process.env.POSTGRES_HOST ?? '127.0.0.1',
  POSTGRES_PORT: process.env.POSTGRES_PORT ?? '5432',
  POSTGRES_USER: process.env.POSTGRES_USER ?? 'postgres',
  POSTGRES_PASSWORD: process.env.POSTGRES_PASSWORD ?? 'postgres',
};

/** A raw client of the test server (not the library's), connected. */
export async function rawClient(): Promise<PgClient> {
  const client = new pg.Client({
    host: baseEnv.POSTGRES_HOST,
    port: Number(baseEnv.POSTGRES_PORT),
    user: baseEnv.POSTGRES_USER,
    password: baseEnv.POSTGRES_PASSWORD,
    database: baseEnv.POSTGRES_DBNAME,
    connectionTimeoutMillis: 3000,
  });
  client.on('error', () => {});
  await client.connect();
  return client;
}

async function probe(): Promise<string | null> {
  try {
    const client = await rawClient();
    await client.end();
    return null;
  } catch (error) {
    return (
      `PostgreSQL is not reachable at ${baseEnv.POSTGRES_HOST}:${baseEnv.POSTGRES_PORT} ` +
      `(database '${baseEnv.POSTGRES_DBNAME}', user '${baseEnv.POSTGRES_USER}'): ` +
      `${error instanceof Error ? error.message : String(error)}. Start it (Debian: ` +
      "'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start'; Docker: " +
      "'docker run -d -p 5432:5432 -e POSTGRES_HOST_AUTH_METHOD=trust -e POSTGRES_DB=test " +
      "postgres:15'), or point POSTGRES_HOST, POSTGRES_PORT, POSTGRES_USER, POSTGRES_PASSWORD " +
      'and POSTGRES_DBNAME at one.'
    );
  }
}

/** Why the PostgreSQL tests cannot run, or null when the server is reachable. */
export const unavailable = await probe();

/**
 * Defines the tests when the server is reachable. Otherwise defines one skipped test saying how
 * to start PostgreSQL, or, with CI=true, one failing test (CI must not skip them).
 */
export function whenPostgres(define: () => void): void {
  if (unavailable === null) {
    define();
  } else if (process.env.CI === 'true') {
    test('PostgreSQL is reachable (CI=true)', () => assert.fail(unavailable));
  } else {
    test('PostgreSQL tests', { skip: unavailable }, () => {});
  }
}

/** Drops every table and function whose name starts with the prefix (test cleanup). */
export async function dropPrefix(prefix: string, schema = 'public'): Promise<void> {
  const client = await rawClient();
  try {
    const like = `${prefix.replace(/_/g, '\\_')}%`;
    const fns = await client.query({
      text:
        'SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace ' +
        'WHERE n.nspname = $1 AND p.proname LIKE $2',
      values: [schema, like],
    });
    for (const row of fns.rows as { oid: string }[]) {
      await client.query(`DROP FUNCTION IF EXISTS ${row.oid}`);
    }
    const tables = await client.query({
      text: 'SELECT tablename FROM pg_tables WHERE schemaname = $1 AND tablename LIKE $2',
      values: [schema, like],
    });
    for (const row of tables.rows as { tablename: string }[]) {
      await client.query(`DROP TABLE IF EXISTS "${schema}"."${row.tablename}" CASCADE`);
    }
  } finally {
    await client.end();
  }
}
