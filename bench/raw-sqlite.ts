/**
 * W1's storage work on bare better-sqlite3: the library's schema (Python's `stored_events`,
 * UUIDs as 32-char hex, rowid as notification id), one connection, WAL, the same
 * `synchronous`, prepared statements, autocommit single-row INSERTs.
 */
import Database from 'better-sqlite3';
import type { RawDriver, RawRow } from './raw-w1.js';

type Statement = Database.Statement<unknown[], unknown>;

/** The bare better-sqlite3 driver for W1. */
export class RawSqlite implements RawDriver {
  private readonly path: string;
  private readonly synchronous: string;
  private db: Database.Database | null = null;
  private insertStmt: Statement | null = null;
  private selectStmt: Statement | null = null;
  private pageStmt: Statement | null = null;

  constructor(path: string, synchronous: string) {
    this.path = path;
    this.synchronous = synchronous;
  }

  async setUp(): Promise<void> {
    const db = new Database(this.path);
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${this.synchronous}`);
    db.exec(
      'CREATE TABLE IF NOT EXISTS stored_events (originator_id TEXT, originator_version INTEGER, ' +
        'topic TEXT, state BLOB, PRIMARY KEY (originator_id, originator_version))',
    );
    this.insertStmt = db.prepare('INSERT INTO stored_events VALUES (?, ?, ?, ?)');
    this.selectStmt = db.prepare(
      'SELECT originator_id, originator_version, topic, state FROM stored_events ' +
        'WHERE originator_id = ? ORDER BY originator_version ASC',
    );
    this.pageStmt = db.prepare(
      'SELECT rowid, originator_id, originator_version, topic, state FROM stored_events ' +
        'WHERE rowid > ? ORDER BY rowid LIMIT ?',
    );
    this.db = db;
  }

  /** The connection's `synchronous` and `journal_mode`, as SQLite reports them. */
  settings(): { synchronous: string; journal_mode: string } {
    const db = this.open();
    const levels = ['OFF', 'NORMAL', 'FULL', 'EXTRA'];
    const level = Number(db.pragma('synchronous', { simple: true }));
    return {
      synchronous: levels[level] ?? String(level),
      journal_mode: String(db.pragma('journal_mode', { simple: true })).toUpperCase(),
    };
  }

  async insert(row: RawRow): Promise<void> {
    this.insertStmt!.run(
      row.originatorId.replaceAll('-', ''),
      row.originatorVersion,
      row.topic,
      row.state,
    );
  }

  async selectCount(originatorId: string): Promise<number> {
    return this.selectStmt!.all(originatorId.replaceAll('-', '')).length;
  }

  async readAll(pageSize: number): Promise<number> {
    let count = 0;
    let last = 0;
    for (;;) {
      const rows = this.pageStmt!.all(last, pageSize) as { rowid: number }[];
      if (rows.length === 0) return count;
      count += rows.length;
      last = rows[rows.length - 1]!.rowid;
    }
  }

  async close(): Promise<void> {
    this.db?.close();
    this.db = null;
  }

  private open(): Database.Database {
    if (this.db === null) throw new Error('RawSqlite: call setUp() first');
    return this.db;
  }
}
