import { dollarQuote } from './identifiers.js';
import type { DCBSchemaNames } from './postgres-dcb-schema.js';

/** Names the DCB functions need besides the tables. */
export interface DCBFunctionNames extends DCBSchemaNames {
  /** The NOTIFY channel (the main table's name, as in Python), quoted. */
  readonly channel: string;
  /** This library's function of one append, qualified and quoted. */
  readonly append: string;
  /** This library's function of a batch of appends, qualified and quoted. */
  readonly appendBatch: string;
}

/**
 * Where one append's inputs are, as plpgsql expressions: parameters of the one-append function,
 * or slices of the batch function's arrays.
 */
interface AppendInputs {
  /** Whether the append has a condition (boolean). */
  readonly check: string;
  /** Whether the condition's query matches every event (boolean). */
  readonly all: string;
  /** The condition's `after` (bigint, 0 when none). */
  readonly after: string;
  /** The types of the query's items that have no tags, as text[] (null when none). */
  readonly types: string;
  /** The first tag of each item with tags, as text[] (null when none). */
  readonly firsts: string;
  /** Each item with tags: its types, as an array literal (text[]). */
  readonly itemTypes: string;
  /** Each item with tags: its tags, as an array literal (text[]). */
  readonly itemTags: string;
  /** The events' types (text[]). */
  readonly eventTypes: string;
  /** The events' data (bytea[]). */
  readonly eventData: string;
  /** The events' tags, each an array literal (text[]). */
  readonly eventTags: string;
  /** The events' ids (uuid[], null when no event has one). */
  readonly eventIds: string;
  /** Emits the append's outcome (position, kind, conflicting type) and ends its block. */
  readonly emit: (position: string, kind: string, type: string) => string;
}

/**
 * Plpgsql that finds the first event after `after` matching the condition's query (any shape:
 * items with types only by a scan of ids after `after`, items with tags through the tag table
 * by their first tag, then against the stored row's tags and type), into `v_cid` and `v_ctype`
 * (null when none). With `ignoreIds`, events with one of those ids are passed over.
 */
function findConflict(n: DCBFunctionNames, a: AppendInputs, ignoreIds: string | null): string {
  const ignore = ignoreIds === null ? '' : ` AND (m.uuid IS NULL OR m.uuid <> ALL (${ignoreIds}))`;
  return `
      v_cid := NULL;
      v_ctype := NULL;
      IF ${a.all} THEN
        SELECT m.id, m.type INTO v_cid, v_ctype FROM ${n.main} m
        WHERE m.id > ${a.after}${ignore} ORDER BY m.id LIMIT 1;
      ELSE
        IF v_types IS NOT NULL THEN
          SELECT m.id, m.type INTO v_cid, v_ctype FROM ${n.main} m
          WHERE m.id > ${a.after} AND m.type = ANY (v_types)${ignore} ORDER BY m.id LIMIT 1;
        END IF;
        IF v_firsts IS NOT NULL THEN
          SELECT m.id, m.type INTO v_tid, v_ttype
          FROM ${n.tag} t JOIN ${n.main} m ON m.id = t.main_id
          WHERE t.tag = ANY (v_firsts) AND t.main_id > ${a.after}
            AND t.main_id < coalesce(v_cid, 9223372036854775807)${ignore}
            AND EXISTS (SELECT FROM unnest(${a.itemTypes}, ${a.itemTags}) AS q(ty, tg)
                        WHERE m.tags @> q.tg::text[]
                          AND (q.ty = '{}' OR m.type = ANY (q.ty::text[])))
          ORDER BY m.id LIMIT 1;
          IF v_tid IS NOT NULL THEN
            v_cid := v_tid;
            v_ctype := v_ttype;
          END IF;
        END IF;
      END IF;`;
}

/**
 * One append, as plpgsql statements run under the table lock: the condition (the first
 * conflicting event, see `findConflict`), this library's idempotent retries (when the condition
 * fails only because of events with this append's ids, and every event has one and is stored:
 * the greatest of their positions; without a condition, or when it passes, an append whose ids
 * are all stored resolves the same way, and one whose ids are partly stored is refused), then
 * the inserts of the main and tag rows. Emits (position, kind, type): 'ok' or 'retry' with the
 * position, 'conflict' with the conflicting event's position and type, 'ids' with nothing.
 */
function appendBlock(n: DCBFunctionNames, a: AppendInputs): string {
  return `
    v_found := 0;
    v_position := NULL;
    v_cid := NULL;
    IF ${a.eventIds} IS NOT NULL THEN
      SELECT count(*), max(m.id) INTO v_found, v_position
      FROM ${n.main} m WHERE m.uuid = ANY (${a.eventIds}) AND m.uuid IS NOT NULL;
    END IF;
    IF ${a.check} THEN
      v_types := ${a.types};
      v_firsts := ${a.firsts};${findConflict(n, a, null)}
      IF v_cid IS NOT NULL THEN
        IF v_found = cardinality(${a.eventTypes}) THEN
          v_conflict_id := v_cid;
          v_conflict_type := v_ctype;${findConflict(n, a, a.eventIds)}
          IF v_cid IS NULL THEN
            ${a.emit('v_position', "'retry'", 'NULL')}
          END IF;
          v_cid := v_conflict_id;
          v_ctype := v_conflict_type;
        END IF;
        ${a.emit('v_cid', "'conflict'", 'v_ctype')}
      END IF;
    END IF;
    IF v_found > 0 THEN
      IF v_found = cardinality(${a.eventTypes}) THEN
        ${a.emit('v_position', "'retry'", 'NULL')}
      END IF;
      ${a.emit('NULL', "'ids'", 'NULL')}
    END IF;
    -- Under the lock, ids are drawn in insertion order: ordering by them keeps the input order.
    WITH ins AS (
      INSERT INTO ${n.main} AS m (type, data, tags, uuid)
      SELECT e.ty, e.da, e.tg::text[], e.id
      FROM unnest(${a.eventTypes}, ${a.eventData}, ${a.eventTags}, ${a.eventIds})
        WITH ORDINALITY AS e(ty, da, tg, id, o)
      ORDER BY e.o
      RETURNING m.id, m.tags),
    tagged AS (
      INSERT INTO ${n.tag} (tag, main_id)
      SELECT x.tag, ins.id FROM ins, unnest(ins.tags) AS x(tag))
    SELECT max(ins.id) INTO v_position FROM ins;
    v_inserted := true;
    ${a.emit('v_position', "'ok'", 'NULL')}`;
}

const DECLARATIONS = `
  v_found bigint;
  v_position bigint;
  v_cid bigint;
  v_ctype text;
  v_tid bigint;
  v_ttype text;
  v_conflict_id bigint;
  v_conflict_type text;
  v_types text[];
  v_firsts text[];
  v_inserted boolean := false;`;

/**
 * How the functions start: `lock_timeout` for this transaction, a generic plan (plpgsql would
 * otherwise re-plan the array statements on every call), and Python's table lock, under which
 * ids increase in commit order so that a reader tailing ids never skips a late commit.
 */
function prologue(n: DCBFunctionNames): string {
  return `
  PERFORM set_config('plan_cache_mode', 'force_generic_plan', true);
  PERFORM set_config('lock_timeout', p_lock_timeout, true);
  LOCK TABLE ${n.main} IN EXCLUSIVE MODE;`;
}

/**
 * This library's function of one append (the plain path): in one call, under the table lock,
 * the checks and inserts of `appendBlock` and a NOTIFY on the channel when it inserted. Returns
 * one row (position, kind, conflicting type).
 */
export function createDCBAppendFunctionSql(n: DCBFunctionNames): string {
  const emit = (position: string, kind: string, type: string) =>
    `RETURN QUERY SELECT ${position}::bigint, ${kind}::text, ${type}::text; ${
      kind === "'ok'" ? `NOTIFY ${n.channel}; ` : ''
    }RETURN;`;
  const block = appendBlock(n, {
    check: 'p_check',
    all: 'p_all',
    after: 'p_after',
    types: 'p_types',
    firsts: 'p_firsts',
    itemTypes: 'p_item_types',
    itemTags: 'p_item_tags',
    eventTypes: 'p_event_types',
    eventData: 'p_event_data',
    eventTags: 'p_event_tags',
    eventIds: 'p_event_ids',
    emit,
  });
  return `CREATE OR REPLACE FUNCTION ${n.append}(
  p_check boolean, p_all boolean, p_after bigint, p_types text[], p_firsts text[],
  p_item_types text[], p_item_tags text[], p_event_types text[], p_event_data bytea[],
  p_event_tags text[], p_event_ids uuid[], p_lock_timeout text)
RETURNS TABLE (r_position bigint, r_kind text, r_type text)
LANGUAGE plpgsql AS ${dollarQuote(`
DECLARE${DECLARATIONS}
BEGIN${prologue(n)}
${block}
END
`)}`;
}

/**
 * This library's function of a batch of appends (the combining path): one call takes the table
 * lock once and runs `appendBlock` for each append in order, so each condition is checked
 * against what is stored plus what the earlier appends of the batch inserted; an append whose
 * condition fails is skipped alone. The appends' items and events are given as flat arrays with
 * each append's end index (`p_item_ends`, `p_event_ends`, 1-based, inclusive); `p_types` and
 * `p_firsts` hold one array literal per append (null when none). NOTIFYs once if anything was
 * inserted. Returns one row (append ordinal from 1, position, kind, conflicting type) per
 * append.
 */
export function createDCBAppendBatchFunctionSql(n: DCBFunctionNames): string {
  const emit = (position: string, kind: string, type: string) =>
    `RETURN QUERY SELECT i, ${position}::bigint, ${kind}::text, ${type}::text; CONTINUE;`;
  const block = appendBlock(n, {
    check: 'p_check[i]',
    all: 'p_all[i]',
    after: 'v_after',
    types: 'p_types[i]::text[]',
    firsts: 'p_firsts[i]::text[]',
    itemTypes: 'p_item_types[v_item_lo:p_item_ends[i]]',
    itemTags: 'p_item_tags[v_item_lo:p_item_ends[i]]',
    eventTypes: 'p_event_types[v_event_lo:p_event_ends[i]]',
    eventData: 'p_event_data[v_event_lo:p_event_ends[i]]',
    eventTags: 'p_event_tags[v_event_lo:p_event_ends[i]]',
    eventIds: 'v_ids',
    emit,
  });
  return `CREATE OR REPLACE FUNCTION ${n.appendBatch}(
  p_check boolean[], p_all boolean[], p_after bigint[], p_types text[], p_firsts text[],
  p_item_ends int[], p_item_types text[], p_item_tags text[], p_event_ends int[],
  p_event_types text[], p_event_data bytea[], p_event_tags text[], p_event_ids uuid[],
  p_has_ids boolean[], p_lock_timeout text)
RETURNS TABLE (r_append int, r_position bigint, r_kind text, r_type text)
LANGUAGE plpgsql AS ${dollarQuote(`
DECLARE${DECLARATIONS}
  v_after bigint;
  v_ids uuid[];
  v_item_lo int;
  v_event_lo int;
BEGIN${prologue(n)}
  FOR i IN 1 .. coalesce(cardinality(p_check), 0) LOOP
    v_item_lo := CASE WHEN i = 1 THEN 1 ELSE p_item_ends[i - 1] + 1 END;
    v_event_lo := CASE WHEN i = 1 THEN 1 ELSE p_event_ends[i - 1] + 1 END;
    v_after := p_after[i];
    v_ids := CASE WHEN p_has_ids[i] THEN p_event_ids[v_event_lo:p_event_ends[i]] END;
${block}
  END LOOP;
  IF v_inserted THEN
    NOTIFY ${n.channel};
  END IF;
END
`)}`;
}

/**
 * The end of both of Python's append functions: inserts `new_events` and their tags, returns
 * the last id, and NOTIFYs the channel.
 */
function pythonInsertSql(n: DCBFunctionNames): string {
  return `  RETURN QUERY
  WITH ins AS (
    INSERT INTO ${n.main} (type, data, tags)
    SELECT e.type, e.data, e.tags FROM unnest(new_events) AS e
    RETURNING id, tags),
  tagged AS (
    INSERT INTO ${n.tag} (tag, main_id) SELECT x.tag, ins.id FROM ins, unnest(ins.tags) AS x(tag))
  SELECT max(ins.id) FROM ins;
  NOTIFY ${n.channel};`;
}

/**
 * Python 9.5's `dcb_unconditional_append_tt(new_events dcb_event_tt[])`, for Python processes
 * sharing the database (this library's recorder calls its own functions): inserts the events
 * and their tags, NOTIFYs the channel, returns the last id. As in Python, the function is one
 * per schema (the last store created in the schema owns it).
 */
export function createPythonUnconditionalAppendSql(n: DCBFunctionNames): string {
  return `CREATE OR REPLACE FUNCTION ${n.schema}."dcb_unconditional_append_tt"(
  new_events ${n.schema}."dcb_event_tt"[]) RETURNS SETOF bigint
LANGUAGE plpgsql AS ${dollarQuote(`
BEGIN
${pythonInsertSql(n)}
END
`)}`;
}

/**
 * Python 9.5's `dcb_conditional_append_tt(query_items, after_id, new_events)`, for Python
 * processes sharing the database: with `lock_timeout` (the setting, in seconds, fixed in the
 * body as in Python) and the table lock, checks that no event after `after_id` matches any of
 * the items (each with tags, as Python requires), then inserts as the unconditional function
 * does; returns no row when the condition fails.
 */
export function createPythonConditionalAppendSql(
  n: DCBFunctionNames,
  lockTimeoutSeconds: number,
): string {
  return `CREATE OR REPLACE FUNCTION ${n.schema}."dcb_conditional_append_tt"(
  query_items ${n.schema}."dcb_query_item_tt"[], after_id bigint,
  new_events ${n.schema}."dcb_event_tt"[]) RETURNS SETOF bigint
LANGUAGE plpgsql AS ${dollarQuote(`
BEGIN
  SET LOCAL lock_timeout = '${Math.trunc(lockTimeoutSeconds)}s';
  LOCK TABLE ${n.main} IN EXCLUSIVE MODE;
  IF EXISTS (
    SELECT FROM unnest(query_items) AS q
    JOIN ${n.tag} t ON t.tag = q.tags[1] AND t.main_id > COALESCE(after_id, 0)
    JOIN ${n.main} m ON m.id = t.main_id
    WHERE m.tags @> q.tags
      AND (coalesce(cardinality(q.types), 0) = 0 OR m.type = ANY (q.types))) THEN
    RETURN;
  END IF;
${pythonInsertSql(n)}
END
`)}`;
}
