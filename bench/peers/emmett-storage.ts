/**
 * Fresh storage for each Emmett run: a new SQLite file in a temporary directory, or an empty
 * PostgreSQL database of Emmett's own (`emmett_bench`), so that Emmett's tables (`emt_*`) never
 * meet the library's.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { type BackendName, type PostgresSettings, pgConfig } from '../backends.js';
import type { EmmettTarget } from './emmett/emmett-w1.js';

/** The database that holds Emmett's tables during a run. */
export const EMMETT_DATABASE = 'emmett_bench';

/** Creates Emmett's database if it is missing (connecting to the library's database to do so). */
export async function ensureEmmettDatabase(settings: PostgresSettings): Promise<void> {
  const client = new pg.Client(pgConfig(settings));
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [
      EMMETT_DATABASE,
    ]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${EMMETT_DATABASE}`);
  } finally {
    await client.end();
  }
}

/** Drops everything Emmett created in its database (tables, functions, sequences). */
export async function emptyEmmettDatabase(settings: PostgresSettings): Promise<void> {
  const client = new pg.Client(pgConfig({ ...settings, database: EMMETT_DATABASE }));
  await client.connect();
  try {
    await client.query('DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public');
  } finally {
    await client.end();
  }
}

/** Emmett's storage for one run, and how to delete it. */
export interface EmmettStorage {
  readonly target: EmmettTarget;
  dispose(): Promise<void>;
}

/** Makes fresh storage for one Emmett run on `backend`. */
export async function openEmmettStorage(
  backend: BackendName,
  settings: PostgresSettings,
): Promise<EmmettStorage> {
  if (backend === 'memory') return { target: { backend }, dispose: async () => {} };
  if (backend === 'sqlite') {
    const dir = await mkdtemp(join(tmpdir(), 'eventsourcing-bench-emmett-'));
    return {
      target: { backend, fileName: join(dir, 'emmett.db') },
      dispose: () => rm(dir, { recursive: true, force: true }),
    };
  }
  await emptyEmmettDatabase(settings);
  const user = encodeURIComponent(settings.user);
  const password = settings.password === '' ? '' : `:${encodeURIComponent(settings.password)}`;
  const connectionString = `postgresql://${user}${password}@${settings.host}:${settings.port}/${EMMETT_DATABASE}`;
  return {
    target: { backend, connectionString },
    dispose: () => emptyEmmettDatabase(settings),
  };
}
