import { dollarQuote, quoteLiteral } from './identifiers.js';
import { TABLE_OPTIONS } from './schema.js';

/** Names of the PostgreSQL objects of one DCB event store, qualified and quoted for SQL. */
export interface DCBSchemaNames {
  /** The schema, quoted (`"public"`). */
  readonly schema: string;
  /** The schema's plain name (for catalogue lookups). */
  readonly schemaName: string;
  /** The main table (`{prefix}_events_tt_main`), qualified and quoted. */
  readonly main: string;
  /** The main table's plain name. */
  readonly mainName: string;
  /** The tag table (`{prefix}_events_tt_tag`), qualified and quoted. */
  readonly tag: string;
  /** The index of ids covering types, unqualified and quoted. */
  readonly idTypeIndex: string;
  /** The index of tags and ids, unqualified and quoted. */
  readonly tagIndex: string;
  /** The unique index of event ids (this library's addition), unqualified and quoted. */
  readonly uuidIndex: string;
}

/**
 * Python 9.5's composite types of the DCB functions (`dcb_event_tt`, `dcb_query_item_tt`),
 * created unless they exist (PostgreSQL has no `CREATE TYPE IF NOT EXISTS`).
 */
export function createDCBTypesSql(n: DCBSchemaNames): string {
  const schema = quoteLiteral(n.schemaName);
  const create = (name: string, fields: string) =>
    `IF NOT EXISTS (SELECT FROM pg_type t JOIN pg_namespace s ON s.oid = t.typnamespace ` +
    `WHERE s.nspname = ${schema} AND t.typname = '${name}') THEN ` +
    `CREATE TYPE ${n.schema}."${name}" AS (${fields}); END IF; `;
  const body =
    ' BEGIN ' +
    create('dcb_event_tt', 'type text, data bytea, tags text[]') +
    create('dcb_query_item_tt', 'types text[], tags text[]') +
    'END ';
  return `DO ${dollarQuote(body)}`;
}

/**
 * The DDL of the tables and indexes, in order: Python 9.5's main table, unique index of ids
 * covering types, tag table and index of tags, with its storage options; plus this library's
 * addition to Python's schema: a nullable `uuid` column on the main table (Python's later
 * versions name it so too) with a unique index where it is not null, which makes appends of
 * events with ids idempotent. A main table made by Python 9.5 gets the column added.
 */
export function createDCBTablesSql(n: DCBSchemaNames): string[] {
  const addUuid =
    ' BEGIN IF NOT EXISTS (SELECT FROM information_schema.columns WHERE table_schema = ' +
    `${quoteLiteral(n.schemaName)} AND table_name = ${quoteLiteral(n.mainName)} AND ` +
    `column_name = 'uuid') THEN ALTER TABLE ${n.main} ADD COLUMN uuid uuid; END IF; END `;
  return [
    `CREATE TABLE IF NOT EXISTS ${n.main} (id bigserial, type text NOT NULL, data bytea, ` +
      `tags text[] NOT NULL, uuid uuid) ${TABLE_OPTIONS}`,
    `DO ${dollarQuote(addUuid)}`,
    unlessIndexExists(
      n,
      n.idTypeIndex,
      `CREATE UNIQUE INDEX IF NOT EXISTS ${n.idTypeIndex} ON ${n.main} (id) INCLUDE (type)`,
    ),
    `CREATE TABLE IF NOT EXISTS ${n.tag} (tag text, main_id bigint REFERENCES ${n.main} (id)) ` +
      TABLE_OPTIONS,
    unlessIndexExists(
      n,
      n.tagIndex,
      `CREATE INDEX IF NOT EXISTS ${n.tagIndex} ON ${n.tag} (tag, main_id)`,
    ),
    unlessIndexExists(
      n,
      n.uuidIndex,
      `CREATE UNIQUE INDEX IF NOT EXISTS ${n.uuidIndex} ON ${n.main} (uuid) WHERE uuid IS NOT NULL`,
    ),
  ];
}

/**
 * Runs `create` only when the index (unqualified and quoted) does not exist yet: `CREATE INDEX
 * IF NOT EXISTS` takes a share lock on the table first, which would wait behind any writer
 * holding the table lock (as the application recorder's index DDL does).
 */
function unlessIndexExists(n: DCBSchemaNames, index: string, create: string): string {
  const literal = quoteLiteral(`${n.schema}.${index}`);
  return `DO ${dollarQuote(` BEGIN IF to_regclass(${literal}) IS NULL THEN ${create}; END IF; END `)}`;
}
