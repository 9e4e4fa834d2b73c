import type { DCBQuery, DCBQueryItem } from '../persistence/dcb-recorder.js';

/** What `sqliteDCBSelect` selects from: the DCB recorder's two tables. */
export interface SQLiteDCBTables {
  /** The events table: `id INTEGER PRIMARY KEY, type, data, tags, uuid`. */
  readonly main: string;
  /** The tag table: one `(tag, main_id)` row per distinct tag of each event. */
  readonly tag: string;
}

/** What `sqliteDCBSelect` selects. */
export interface SQLiteDCBSelection {
  /** The query (null: every event). */
  readonly query: DCBQuery | null;
  /** Columns of the events table to return, in this order. */
  readonly columns: string;
  /** Only events with positions greater than this. */
  readonly after: number;
  /** Only events with positions up to this (the head read before, for a consistent read). */
  readonly upTo: number;
  /** Leave out events with these ids (the idempotent-retry check); none when empty. */
  readonly excludedIds: readonly string[];
  /** Newest first. */
  readonly backwards: boolean;
  /** At most this many events (-1: no limit, as SQLite reads it). */
  readonly limit: number;
}

/** A statement's text and its parameters, in order. */
export interface SQLiteDCBStatement {
  /** The SQL (the same text for every query of the same shape, so it can be cached). */
  readonly sql: string;
  /** The values of its `?` parameters. */
  readonly params: unknown[];
}

/**
 * The SELECT of a DCB read, subscription page or condition check, for any query shape: each
 * item becomes a subquery of positions (a type-only item reads the `(type, id)` index; an item
 * with tags joins the tag table on `(tag, main_id)` once per tag, so that all are required,
 * and checks the type on the events table), and the events are those whose position is in the
 * union of the items' positions. A query with no items, or with an item that has neither types
 * nor tags, selects every event.
 */
export function sqliteDCBSelect(
  tables: SQLiteDCBTables,
  selection: SQLiteDCBSelection,
): SQLiteDCBStatement {
  const params: unknown[] = [];
  const where: string[] = [];
  const items = selection.query?.items ?? [];
  const everything = items.length === 0 || items.some(matchesEverything);
  if (everything) {
    where.push('id > ? AND id <= ?');
    params.push(selection.after, selection.upTo);
  } else {
    const subqueries = items.map((item) => itemPositions(tables, item, selection, params));
    where.push(`id IN (${subqueries.join(' UNION ')})`);
  }
  const excluded = selection.excludedIds.length;
  if (excluded > 0) {
    where.push(`(uuid IS NULL OR uuid NOT IN (${placeholders(excluded)}))`);
    params.push(...selection.excludedIds);
  }
  params.push(selection.limit);
  return {
    sql:
      `SELECT ${selection.columns} FROM ${tables.main} WHERE ${where.join(' AND ')} ` +
      `ORDER BY id ${selection.backwards ? 'DESC' : 'ASC'} LIMIT ?`,
    params,
  };
}

function matchesEverything(item: DCBQueryItem): boolean {
  return item.types.length === 0 && item.tags.length === 0;
}

function itemPositions(
  tables: SQLiteDCBTables,
  item: DCBQueryItem,
  selection: SQLiteDCBSelection,
  params: unknown[],
): string {
  const types = item.types;
  const tags = [...new Set(item.tags)];
  if (tags.length === 0) {
    params.push(...types, selection.after, selection.upTo);
    return (
      `SELECT id FROM ${tables.main} WHERE type IN (${placeholders(types.length)}) ` +
      'AND id > ? AND id <= ?'
    );
  }
  let sql = `SELECT t0.main_id FROM ${tables.tag} t0`;
  for (let i = 1; i < tags.length; i++) {
    sql += ` JOIN ${tables.tag} t${i} ON t${i}.tag = ? AND t${i}.main_id = t0.main_id`;
    params.push(tags[i]);
  }
  if (types.length > 0) {
    sql += ` JOIN ${tables.main} m ON m.id = t0.main_id AND m.type IN (${placeholders(types.length)})`;
    params.push(...types);
  }
  sql += ' WHERE t0.tag = ? AND t0.main_id > ? AND t0.main_id <= ?';
  params.push(tags[0], selection.after, selection.upTo);
  return sql;
}

function placeholders(n: number): string {
  return new Array(n).fill('?').join(',');
}
