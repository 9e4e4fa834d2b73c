import { dollarQuote } from './identifiers.js';
import type { OriginatorIdType } from './postgres-settings.js';

/**
 * The storage parameters of every table, as Python 9.5 creates them: append-only tables need
 * little vacuuming but frequent statistics.
 */
export const TABLE_OPTIONS =
  'WITH (autovacuum_enabled = true, autovacuum_vacuum_threshold = 100000000, ' +
  'autovacuum_vacuum_scale_factor = 0.5, autovacuum_analyze_threshold = 1000, ' +
  'autovacuum_analyze_scale_factor = 0.01)';

/** Python 9.5's stored events table; with `notificationId` the application's events table. */
export function createEventsTableSql(
  table: string,
  idType: OriginatorIdType,
  notificationId: boolean,
): string {
  return (
    `CREATE TABLE IF NOT EXISTS ${table} (originator_id ${idType} NOT NULL, ` +
    'originator_version bigint NOT NULL, topic text, state bytea, ' +
    (notificationId ? 'notification_id bigserial, ' : '') +
    `PRIMARY KEY (originator_id, originator_version)) ${TABLE_OPTIONS}`
  );
}

/**
 * Python 9.5's unique index of notification ids (`index` unqualified and quoted, `table`
 * qualified and quoted), created only when `indexLiteral` (the qualified index name as a string
 * literal) does not exist yet: `CREATE INDEX IF NOT EXISTS` takes a share lock on the table
 * first, which would wait behind any writer holding the table lock.
 */
export function createNotificationIndexSql(
  index: string,
  table: string,
  indexLiteral: string,
): string {
  const body =
    ` BEGIN IF to_regclass(${indexLiteral}) IS NULL THEN ` +
    `CREATE UNIQUE INDEX IF NOT EXISTS ${index} ON ${table} (notification_id ASC); ` +
    'END IF; END ';
  return `DO ${dollarQuote(body)}`;
}

/** Python 9.5's tracking table: one row per application, or one per notification (legacy). */
export function createTrackingTableSql(table: string, singleRow: boolean): string {
  return (
    `CREATE TABLE IF NOT EXISTS ${table} (application_name text, notification_id bigint, ` +
    `PRIMARY KEY (application_name${singleRow ? '' : ', notification_id'})) ${TABLE_OPTIONS}`
  );
}

/** Names of what the write function needs. */
export interface InsertFunctionNames {
  /** The function, qualified and quoted. */
  readonly fn: string;
  /** The events table, qualified and quoted. */
  readonly table: string;
  /** The NOTIFY channel, quoted. */
  readonly channel: string;
  readonly idType: OriginatorIdType;
  /** The tracking table (qualified, quoted) for process recorders; null for applications. */
  readonly tracking: string | null;
  readonly singleRowTracking: boolean;
}

/**
 * The library's own write function for one events table (never Python's `es_insert_events_*`).
 * In one call, per group of saves, it sets `lock_timeout`, takes `LOCK TABLE … IN EXCLUSIVE
 * MODE` (Python's protocol: ids then increase in commit order), inserts the events from the
 * parallel arrays skipping any already recorded (`ON CONFLICT DO NOTHING`: conflicts are rare,
 * so there is no pre-check on every call), and only when a row was skipped finds the saves it
 * belonged to and deletes the rows this call inserted for them (in the same transaction, so no
 * reader ever sees them; their ids become gaps). Process recorders also reject the saves whose
 * tracking is not greater than the recorded one, record the others' tracking, and delete the
 * rejected saves' rows the same way. It NOTIFYs the channel if any row remains, and returns:
 * - `(null, notification_id, null)` for each inserted event, in input order;
 * - `(save, ordinal, 'event')` for a save rejected because of the event at that 1-based position;
 * - `(save, max, 'tracking')` for a save rejected because of its tracking (`max` may be null);
 * - `(null, notification_id, 'deleted')` for each inserted event of a rejected save, deleted
 *   again (the caller drops these ids from the inserted ones).
 *
 * A version repeated within the group (which the write queue never sends) raises
 * `unique_violation` and the call does nothing, as a plain INSERT would.
 */
export function createInsertFunctionSql(n: InsertFunctionNames): string {
  const tracked = n.tracking !== null;
  const trackingParams = tracked ? 'p_t_saves int[], p_t_names text[], p_t_ids bigint[], ' : '';
  const notBad = (col: string) => `(v_bad IS NULL OR ${col} <> ALL (v_bad))`;
  const trackingBody = tracked
    ? `
  SELECT array_agg(c.s), array_agg(c.m) INTO v_tbad, v_tmax FROM (
    SELECT DISTINCT ON (x.s) x.s AS s, t.notification_id AS m
    FROM unnest(p_t_saves, p_t_names, p_t_ids) AS x(s, n, i)
    JOIN ${n.tracking} t ON t.application_name = x.n AND t.notification_id >= x.i
    WHERE ${notBad('x.s')}
    ORDER BY x.s, t.notification_id DESC) c;
  IF v_tbad IS NOT NULL THEN
    RETURN QUERY SELECT b.s, b.m, 'tracking'::text FROM unnest(v_tbad, v_tmax) AS b(s, m);
    v_bad := array_cat(v_bad, v_tbad);
  END IF;
  WITH up AS (
    INSERT INTO ${n.tracking} AS t (application_name, notification_id)
    SELECT x.n, x.i FROM unnest(p_t_saves, p_t_names, p_t_ids) AS x(s, n, i)
    WHERE ${notBad('x.s')}
    ${
      n.singleRowTracking
        ? 'ON CONFLICT (application_name) DO UPDATE SET notification_id = EXCLUDED.notification_id ' +
          'WHERE t.notification_id < EXCLUDED.notification_id'
        : 'ON CONFLICT DO NOTHING'
    }
    RETURNING t.application_name)
  SELECT array_agg(x.s) INTO v_tbad FROM unnest(p_t_saves, p_t_names, p_t_ids) AS x(s, n, i)
  WHERE ${notBad('x.s')} AND x.n NOT IN (SELECT up.application_name FROM up);
  IF v_tbad IS NOT NULL THEN
    RETURN QUERY SELECT b.s, NULL::bigint, 'tracking'::text FROM unnest(v_tbad) AS b(s);
    v_bad := array_cat(v_bad, v_tbad);
  END IF;`
    : '';
  return `CREATE OR REPLACE FUNCTION ${n.fn}(
  p_ids ${n.idType}[], p_versions bigint[], p_topics text[], p_states bytea[], p_saves int[],
  ${trackingParams}p_lock_timeout text)
RETURNS TABLE (r_save int, r_id bigint, r_kind text)
LANGUAGE plpgsql AS ${dollarQuote(`
DECLARE
  v_bad int[];
  v_ord bigint[];${tracked ? '\n  v_tbad int[];\n  v_tmax bigint[];' : ''}
  v_nids bigint[];
  v_iids ${n.idType}[];
  v_ivers bigint[];
  v_count bigint;
  v_deleted bigint := 0;
BEGIN
  -- plpgsql would otherwise re-plan the array statements below on every call (custom plans for
  -- each new array parameter): a generic plan is planned once per connection.
  PERFORM set_config('plan_cache_mode', 'force_generic_plan', true);
  PERFORM set_config('lock_timeout', p_lock_timeout, true);
  LOCK TABLE ${n.table} IN EXCLUSIVE MODE;
  -- Under the lock, ids are drawn in insertion order: ordering by them keeps the input order.
  WITH ins AS (
    INSERT INTO ${n.table} AS t (originator_id, originator_version, topic, state)
    SELECT e.i, e.v, e.tp, e.st
    FROM unnest(p_ids, p_versions, p_topics, p_states) WITH ORDINALITY AS e(i, v, tp, st, o)
    ORDER BY e.o
    ON CONFLICT (originator_id, originator_version) DO NOTHING
    RETURNING t.notification_id, t.originator_id, t.originator_version)
  SELECT array_agg(ins.notification_id ORDER BY ins.notification_id),
         array_agg(ins.originator_id ORDER BY ins.notification_id),
         array_agg(ins.originator_version ORDER BY ins.notification_id)
    INTO v_nids, v_iids, v_ivers FROM ins;
  v_count := coalesce(cardinality(v_nids), 0);
  IF v_count > 0 THEN
    RETURN QUERY SELECT NULL::int, x.id, NULL::text FROM unnest(v_nids) AS x(id);
  END IF;
  IF v_count < coalesce(cardinality(p_ids), 0) THEN
    -- Some row was skipped: a version already recorded, or repeated within the group.
    IF EXISTS (SELECT FROM unnest(p_ids, p_versions) AS e(i, v)
               GROUP BY e.i, e.v HAVING count(*) > 1) THEN
      RAISE EXCEPTION 'duplicate key value: a version is repeated within one group of saves'
        USING ERRCODE = 'unique_violation';
    END IF;
    -- With no repeats in the group, an event this call did not insert was recorded before.
    SELECT array_agg(c.s), array_agg(c.o) INTO v_bad, v_ord FROM (
      SELECT DISTINCT ON (e.s) e.s AS s, e.o AS o
      FROM unnest(p_ids, p_versions, p_saves) WITH ORDINALITY AS e(i, v, s, o)
      WHERE NOT EXISTS (SELECT FROM unnest(v_iids, v_ivers) AS x(i, v)
                        WHERE x.i = e.i AND x.v = e.v)
      ORDER BY e.s, e.o) c;
    RETURN QUERY SELECT b.s, b.o, 'event'::text FROM unnest(v_bad, v_ord) AS b(s, o);
  END IF;${trackingBody}
  IF v_bad IS NOT NULL AND v_count > 0 THEN
    -- The rejected saves' rows inserted above: delete them before anyone can see them.
    RETURN QUERY WITH d AS (
      DELETE FROM ${n.table} AS t USING unnest(p_ids, p_versions, p_saves) AS e(i, v, s)
      WHERE e.s = ANY (v_bad) AND t.originator_id = e.i AND t.originator_version = e.v
        AND t.notification_id = ANY (v_nids)
      RETURNING t.notification_id)
    SELECT NULL::int, d.notification_id, 'deleted'::text FROM d;
    GET DIAGNOSTICS v_deleted = ROW_COUNT;
  END IF;
  IF v_count > v_deleted THEN
    NOTIFY ${n.channel};
  END IF;
END
`)}`;
}
