/**
 * The backends the benchmark runs on, and fresh storage for each run: the in-memory module, an
 * SQLite file in a temporary directory (deleted after), and PostgreSQL tables prefixed by a
 * per-process application name (dropped after each run).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/** A backend of the benchmark. */
export type BackendName = 'memory' | 'sqlite' | 'postgres';

/** Every backend, in the order they run. */
export const BACKENDS: readonly BackendName[] = ['memory', 'sqlite', 'postgres'];

/** How to reach PostgreSQL, from the same `POSTGRES_*` keys the library reads. */
export interface PostgresSettings {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
}

/** Settings shared by every store of one benchmark run. */
export interface StoreSettings {
  readonly postgres: PostgresSettings;
  /** Connections in the library's PostgreSQL pool and in the bare driver's pool. */
  readonly poolSize: number;
  /** `SQLITE_SYNCHRONOUS` for the library and `PRAGMA synchronous` for the bare driver. */
  readonly sqliteSynchronous: string;
}

/** Fresh, empty storage for one run of the library or of a bare driver. */
export interface Store {
  readonly backend: BackendName;
  /**
   * The application name: the same for every store of this process (one application class, as
   * in a real program); each store's tables are dropped before the next is opened.
   */
  readonly appName: string;
  /** The environment that points an application at this store. */
  readonly env: Readonly<Record<string, string>>;
  /** The SQLite database file (null for the other backends). */
  readonly sqlitePath: string | null;
  /** PostgreSQL: the prefix of this store's tables (the application name, lower-cased). */
  readonly tablePrefix: string;
  /** Deletes the store (file or tables). */
  dispose(): Promise<void>;
}

/** Reads the PostgreSQL settings from the environment, with the local test server's defaults. */
export function postgresSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): PostgresSettings {
  return {
    host: env.POSTGRES_HOST ?? '127.0.0.1',
    port: Number(env.POSTGRES_PORT ?? 5432),
    user: env.POSTGRES_USER ?? 'postgres',
    password: env.POSTGRES_PASSWORD ?? '',
    database: env.POSTGRES_DBNAME ?? 'test',
  };
}

/** A pg client config for the settings. */
export function pgConfig(settings: PostgresSettings): pg.ClientConfig {
  return {
    host: settings.host,
    port: settings.port,
    user: settings.user,
    password: settings.password,
    database: settings.database,
  };
}

/** Creates fresh storage for one run on `backend` (dispose the previous store first). */
export async function openStore(backend: BackendName, settings: StoreSettings): Promise<Store> {
  const appName = `Bench${process.pid}W`;
  const tablePrefix = appName.toLowerCase();
  if (backend === 'memory') {
    return {
      backend,
      appName,
      env: { PERSISTENCE_MODULE: 'memory' },
      sqlitePath: null,
      tablePrefix,
      dispose: async () => {},
    };
  }
  if (backend === 'sqlite') {
    const dir = await mkdtemp(join(tmpdir(), 'eventsourcing-bench-'));
    const sqlitePath = join(dir, 'bench.db');
    return {
      backend,
      appName,
      env: {
        PERSISTENCE_MODULE: 'sqlite',
        SQLITE_DBNAME: sqlitePath,
        SQLITE_SYNCHRONOUS: settings.sqliteSynchronous,
      },
      sqlitePath,
      tablePrefix,
      dispose: () => rm(dir, { recursive: true, force: true }),
    };
  }
  const p = settings.postgres;
  return {
    backend,
    appName,
    env: {
      PERSISTENCE_MODULE: 'postgres',
      POSTGRES_DBNAME: p.database,
      POSTGRES_HOST: p.host,
      POSTGRES_PORT: String(p.port),
      POSTGRES_USER: p.user,
      POSTGRES_PASSWORD: p.password,
      POSTGRES_POOL_SIZE: String(settings.poolSize),
      POSTGRES_MAX_OVERFLOW: '0',
    },
    sqlitePath: null,
    tablePrefix,
    dispose: () => dropPostgresObjects(p, tablePrefix),
  };
}

/** Drops every table and function whose name starts with `prefix` (a store's objects). */
async function dropPostgresObjects(settings: PostgresSettings, prefix: string): Promise<void> {
  const client = new pg.Client(pgConfig(settings));
  await client.connect();
  try {
    const functions = await client.query<{ signature: string }>(
      `SELECT p.oid::regprocedure::text AS signature FROM pg_proc p
         JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'public' AND starts_with(p.proname, $1)`,
      [prefix],
    );
    for (const row of functions.rows)
      await client.query(`DROP FUNCTION IF EXISTS ${row.signature}`);
    const tables = await client.query<{ name: string }>(
      `SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' AND starts_with(tablename, $1)`,
      [prefix],
    );
    for (const row of tables.rows) await client.query(`DROP TABLE IF EXISTS "${row.name}" CASCADE`);
  } finally {
    await client.end();
  }
}

/**
 * Imports the library's persistence module for `backend`, so that `PERSISTENCE_MODULE` names it:
 * through the package's subpath export when there is one, else from the source tree.
 *
 * @throws Error saying why the module cannot be loaded.
 */
export async function loadPersistenceModule(backend: BackendName): Promise<void> {
  if (backend === 'memory') return;
  try {
    await import(`eventsourcing/${backend}`);
    return;
  } catch {
    // Not exported (yet): fall back to the source tree below.
  }
  const source = new URL(`../src/${backend}/index.ts`, import.meta.url);
  if (!existsSync(source)) {
    throw new Error(
      `the library has no ${backend} module yet (src/${backend}/index.ts is missing)`,
    );
  }
  await import(new URL(`../src/${backend}/index.js`, import.meta.url).href);
}
