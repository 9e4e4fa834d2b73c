/**
 * The bare driver reading the snapshot row that the library stored, by the same key, one query
 * at a time: the least any `repository.get` with a snapshot must do on that backend. The get
 * without a snapshot divided by this time is the most a snapshot can speed a get up there.
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import { pgConfig, type Store, type StoreSettings } from './backends.js';
import { median } from './pool.js';

/** A bare read of the latest snapshot row of one aggregate, and how to stop reading. */
interface SnapshotRowReader {
  read(): Promise<unknown>;
  close(): Promise<void>;
}

/**
 * The median time in ms of the bare driver selecting the latest snapshot row of `originatorId`
 * (version, topic and state, as the library's select does), after `warmUps` untimed reads; null
 * for memory, which has no driver.
 */
export async function timeRawSnapshotRead(
  store: Store,
  settings: StoreSettings,
  originatorId: string,
  warmUps: number,
  repeats: number,
): Promise<number | null> {
  const reader = openReader(store, settings, originatorId);
  if (reader === null) return null;
  try {
    for (let i = 0; i < warmUps; i++) await checkedRead(reader);
    const samples: number[] = [];
    for (let i = 0; i < repeats; i++) {
      const started = performance.now();
      await checkedRead(reader);
      samples.push(performance.now() - started);
    }
    return median(samples);
  } finally {
    await reader.close();
  }
}

async function checkedRead(reader: SnapshotRowReader): Promise<void> {
  if ((await reader.read()) === undefined) throw new Error('the bare driver found no snapshot');
}

function openReader(
  store: Store,
  settings: StoreSettings,
  originatorId: string,
): SnapshotRowReader | null {
  if (store.backend === 'sqlite' && store.sqlitePath !== null) {
    const db = new Database(store.sqlitePath, { readonly: true });
    const select = db.prepare(
      'SELECT originator_version, topic, state FROM stored_snapshots WHERE originator_id = ? ' +
        'ORDER BY originator_version DESC LIMIT 1',
    );
    // The library stores UUIDs in SQLite as 32 lower-case hex digits.
    const key = originatorId.replaceAll('-', '').toLowerCase();
    return {
      read: async () => select.get(key),
      close: async () => {
        db.close();
      },
    };
  }
  if (store.backend === 'postgres') {
    const pool = new pg.Pool({ ...pgConfig(settings.postgres), max: 1 });
    const text =
      `SELECT originator_version, topic, state FROM ${store.tablePrefix}_snapshots ` +
      'WHERE originator_id = $1 ORDER BY originator_version DESC LIMIT 1';
    return {
      read: async () => {
        const result = await pool.query({ name: 'raw_snapshot', text, values: [originatorId] });
        return result.rows[0];
      },
      close: () => pool.end(),
    };
  }
  return null;
}
