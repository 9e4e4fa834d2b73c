import { dcbConditionFailed, dcbIdsPartlyStored } from '../persistence/dcb-condition-failed.js';
import {
  type DCBEventReader,
  DCBEventSubscription,
} from '../persistence/dcb-event-subscription.js';
import {
  checkDCBAppendCondition,
  checkDCBQuery,
  checkDCBReadOptions,
  copyDCBEvents,
  greatestPosition,
} from '../persistence/dcb-query.js';
import type {
  DCBAppendCondition,
  DCBEvent,
  DCBQuery,
  DCBReadOptions,
  DCBReadResponse,
  DCBRecorder,
  DCBSequencedEvent,
  DCBSubscribeOptions,
  DCBSubscription,
} from '../persistence/dcb-recorder.js';
import { DataError, ProgrammingError } from '../persistence/errors.js';
import { fastPathsByDefault } from '../persistence/fast/fast-paths.js';
import { describeValue } from '../utils/describe-value.js';
import { DCBAppendCombiner } from './dcb-append-combiner.js';
import {
  type DCBQueryParams,
  type DCBQueryShape,
  dcbQueryParams,
  textArrayLiteral,
} from './dcb-query-params.js';
import { checkIdentifierLength, qualified, quoteIdent } from './identifiers.js';
import { localWakeUpKey, wakeLocally } from './local-wake-ups.js';
import { mapWriteError, type ServerDescription } from './pg-errors.js';
import { DEFAULT_POLL_INTERVAL } from './postgres-application-recorder.js';
import type { PostgresDatastore } from './postgres-datastore.js';
import {
  createDCBAppendBatchFunctionSql,
  createDCBAppendFunctionSql,
  createPythonConditionalAppendSql,
  createPythonUnconditionalAppendSql,
  type DCBFunctionNames,
} from './postgres-dcb-functions.js';
import { createDCBTablesSql, createDCBTypesSql } from './postgres-dcb-schema.js';
import { PostgresRecorder } from './postgres-recorder.js';
import { ScopedWakeUp } from './scoped-wake-up.js';
import { statementName } from './statement-name.js';
import { toSafeInteger } from './to-safe-integer.js';

/** Options of `PostgresDCBRecorder`. */
export interface PostgresDCBRecorderOptions {
  /**
   * Milliseconds between a waiting subscription's polls (default 500): the correctness path
   * when a NOTIFY is lost, for instance while the LISTEN connection reconnects.
   */
  pollInterval?: number;
  /**
   * Whether concurrent appends of this process are combined into one call of the batch
   * function (see `DCBAppendCombiner`); default: yes, unless `EVENTSOURCING_FAST_PATHS` is
   * false. Off, each append is its own call of the one-append function.
   */
  fastPaths?: boolean;
}

/** One checked append, as the append functions take it. */
interface DCBAppendParams {
  /** The condition (null for none), for the message of its failure. */
  readonly condition: DCBAppendCondition | null;
  /** The condition's query, split by the SQL it needs (every event without a condition). */
  readonly query: DCBQueryParams;
  /** The condition's `after` (0 from the start). */
  readonly after: number;
  /** The events' types. */
  readonly types: string[];
  /** The events' data. */
  readonly data: Uint8Array[];
  /** Each event's tags, as an array literal. */
  readonly tags: string[];
  /** The events' ids, or null when no event has one. */
  readonly ids: (string | null)[] | null;
}

/** A prepared statement: its text and name. */
interface Statement {
  readonly text: string;
  readonly name: string;
}

/**
 * The PostgreSQL DCB recorder (Python's `PostgresDCBRecorderTT`): Python 9.5's tables
 * `{prefix}_events_tt_main` (id, type, data, tags) and `{prefix}_events_tt_tag` (tag, main_id),
 * its types and functions (created for Python processes sharing the database), plus a nullable
 * `uuid` column for event ids (this library's addition).
 *
 * Every query shape works in reads, subscriptions and conditions (Python refuses some): items
 * with types only are found by a scan of ids after `after`, items with tags through the tag
 * table by their first tag, then checked against the stored tags and type. A read is one
 * statement (its `head` from the same snapshot). An append is one call of this library's
 * plpgsql function, which takes Python's table lock (so ids increase in commit order), checks
 * the condition and the event ids (idempotent retries), inserts the main and tag rows, and
 * NOTIFYs the channel (the main table's name, as in Python). Concurrent appends of one process
 * are combined into one call of the batch function (`fastPaths`).
 *
 * Subscriptions wake on LISTEN/NOTIFY (one connection per factory and channel) and on this
 * process's appends, and poll every `pollInterval` ms while waiting, so that a lost LISTEN
 * connection delays them and never stops them; their reads are retried through an outage.
 */
export class PostgresDCBRecorder extends PostgresRecorder implements DCBRecorder {
  /** The main table's plain name (`{prefix}_events_tt_main`). */
  readonly mainTableName: string;
  /** The tag table's plain name (`{prefix}_events_tt_tag`). */
  readonly tagTableName: string;
  /** The NOTIFY channel: the main table's name with '.' replaced by '_', as in Python. */
  readonly channel: string;
  /** Whether concurrent appends are combined (see `PostgresDCBRecorderOptions.fastPaths`). */
  readonly fastPaths: boolean;
  private readonly names: DCBFunctionNames;
  private readonly wakeUp: ScopedWakeUp;
  private readonly localWakeUpKey: string;
  private readonly pollInterval: number;
  private readonly combiner: DCBAppendCombiner<DCBAppendParams> | null;
  private readonly appendStatement: Statement;
  private readonly batchStatement: Statement;
  private readonly readStatements = new Map<string, string>();
  /** Appends sent by the plain path and not yet settled (`close()` waits for them). */
  private readonly appending = new Set<Promise<unknown>>();
  private calls = 0;

  /**
   * `prefix` starts the table names (the application's name lower-cased, `dcb` when unnamed).
   *
   * @throws ProgrammingError when a name is longer than PostgreSQL's 63 bytes.
   */
  constructor(
    datastore: PostgresDatastore,
    prefix = 'dcb',
    options: PostgresDCBRecorderOptions = {},
  ) {
    super(datastore);
    const { pollInterval = DEFAULT_POLL_INTERVAL } = options;
    if (!(pollInterval > 0 && pollInterval < 2 ** 31)) {
      throw new TypeError(
        `pollInterval must be a positive number of milliseconds, not ${describeValue(pollInterval)}.`,
      );
    }
    this.pollInterval = pollInterval;
    this.fastPaths = options.fastPaths ?? fastPathsByDefault();
    const base = `${prefix}_events`;
    this.mainTableName = `${base}_tt_main`;
    this.tagTableName = `${base}_tt_tag`;
    this.channel = this.mainTableName.replace(/\./g, '_');
    const schema = datastore.settings.schema;
    const local = (name: string) => {
      checkIdentifierLength(name);
      return quoteIdent(name);
    };
    this.names = {
      schema: quoteIdent(schema),
      schemaName: schema,
      main: qualified(schema, this.mainTableName),
      mainName: this.mainTableName,
      tag: qualified(schema, this.tagTableName),
      idTypeIndex: local(`${this.mainTableName}_idx_id_type`),
      tagIndex: local(`${this.tagTableName}_idx_tag_main_id`),
      uuidIndex: local(`${this.mainTableName}_idx_uuid`),
      channel: local(this.channel),
      append: qualified(schema, `${base}_tt_append`),
      appendBatch: qualified(schema, `${base}_tt_append_batch`),
    };
    const appendText =
      `SELECT r_position, r_kind, r_type FROM ${this.names.append}($1::boolean, $2::boolean, ` +
      '$3::bigint, $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::bytea[], ' +
      '$10::text[], $11::uuid[], $12::text)';
    this.appendStatement = { text: appendText, name: statementName(appendText) };
    const batchText =
      `SELECT r_append, r_position, r_kind, r_type FROM ${this.names.appendBatch}(` +
      '$1::boolean[], $2::boolean[], $3::bigint[], $4::text[], $5::text[], $6::int[], ' +
      '$7::text[], $8::text[], $9::int[], $10::text[], $11::bytea[], $12::text[], $13::uuid[], ' +
      '$14::boolean[], $15::text)';
    this.batchStatement = { text: batchText, name: statementName(batchText) };
    this.wakeUp = new ScopedWakeUp(datastore.listener(this.channel));
    this.localWakeUpKey = localWakeUpKey(datastore.server, this.channel);
    this.combiner = this.fastPaths
      ? new DCBAppendCombiner<DCBAppendParams>({
          sendOne: (append) => this.sendOne(append),
          sendMany: (appends) => this.sendMany(appends),
          eventCount: (append) => append.types.length,
        })
      : null;
  }

  /** How many calls of the append functions have been sent (fewer than appends when combined). */
  get appendCalls(): number {
    return this.calls;
  }

  /**
   * Python 9.5's types, tables and indexes (with this library's `uuid` column), this library's
   * append functions, and Python's two append functions.
   */
  override createTableStatements(): string[] {
    return [
      createDCBTypesSql(this.names),
      ...createDCBTablesSql(this.names),
      createDCBAppendFunctionSql(this.names),
      createDCBAppendBatchFunctionSql(this.names),
      createPythonUnconditionalAppendSql(this.names),
      createPythonConditionalAppendSql(this.names, this.datastore.settings.lockTimeout),
    ];
  }

  protected override requiredTables(): ReadonlyArray<readonly [string, string]> {
    return [
      [this.names.main, this.mainTableName],
      [this.names.tag, this.tagTableName],
    ];
  }

  /**
   * The events matching the query (every event when it is omitted or has no items) after
   * `after`, ascending (descending with `backwards`), at most `limit`; `head` is the store's
   * last position without a limit (read in the same statement), else the last one returned.
   *
   * @throws TypeError for a bad query or option.
   */
  async read(query?: DCBQuery | null, options?: DCBReadOptions): Promise<DCBReadResponse> {
    checkDCBQuery(query);
    checkDCBReadOptions(options);
    if (!this.isReady) await this.ready();
    const params = dcbQueryParams(query);
    const limit = options?.limit ?? null;
    const backwards = options?.backwards === true;
    const text = this.readStatement(params.shape, backwards, limit !== null);
    const values: unknown[] = [options?.after ?? 0];
    if (params.types !== null) values.push(params.types);
    if (params.shape === 'tags') values.push(params.firsts);
    if (params.firsts !== null) values.push(params.itemTypes, params.itemTags);
    if (limit !== null) values.push(limit);
    // Not a named (prepared) statement: PostgreSQL would settle on a generic plan made while
    // the store was small, a scan of the main table instead of the tag index as it grows. An
    // unnamed statement is planned for its own values each time.
    const result = await this.datastore.read({ text, values, rowMode: 'array' });
    const rows = result.rows as unknown[][];
    const events: DCBSequencedEvent[] = [];
    let head: number | null = null;
    for (const row of rows) {
      if (row[1] === null) {
        // The head row of a read without a limit (its type is null; events have one).
        head = row[0] === null ? null : toSafeInteger(row[0], 'DCB position');
        continue;
      }
      events.push({
        event: {
          type: row[1] as string,
          data: this.stateBytes(row[2]),
          tags: row[3] as string[],
          id: (row[4] as string | null) ?? null,
        },
        position: toSafeInteger(row[0], 'DCB position'),
      });
    }
    if (limit !== null) head = greatestPosition(events);
    return { events, head };
  }

  /**
   * Appends the events atomically and resolves to the last position, unless an event after the
   * condition's `after` matches its query: then an `IntegrityError`, and nothing is stored.
   * Events with ids make it idempotent: when every id is stored already and nothing but those
   * events conflicts, it resolves to their original (greatest) position; ids partly stored are
   * an `IntegrityError`.
   *
   * @throws ProgrammingError for no events; DataError for a malformed event; TypeError for a
   * bad condition; OperationalError when the connection was lost (the outcome is unknown).
   */
  async append(
    events: readonly DCBEvent[],
    condition?: DCBAppendCondition | null,
  ): Promise<number> {
    checkDCBAppendCondition(condition);
    const copies = copyDCBEvents(events);
    const append = appendParams(copies, condition ?? null);
    if (this.combiner !== null) return this.combiner.enqueue(append);
    const sent = this.sendOne(append);
    this.appending.add(sent);
    const forget = () => this.appending.delete(sent);
    sent.then(forget, forget);
    return sent;
  }

  /**
   * The events matching the query after `after`, then new ones as they are committed, until
   * stopped (`stop()`, the signal, `break`, disposal, or `close()`). A read that fails because
   * the server cannot be reached is reported (the factory's `onError`, source 'subscription')
   * and tried again with backoff up to 2 s, as application subscriptions do, so a subscription
   * rides out a database outage.
   *
   * @throws TypeError for a bad query or option (synchronously).
   */
  subscribe(query?: DCBQuery | null, options?: DCBSubscribeOptions): DCBSubscription {
    return new DCBEventSubscription(this.subscriptionReader, query, options, {
      wakeUp: this.wakeUp,
      pollInterval: this.pollInterval,
      retry: this.datastore.subscriptionRetry,
    });
  }

  /** How many of this recorder's subscriptions are listening. */
  get listenerCount(): number {
    return this.wakeUp.size;
  }

  /**
   * Stops this recorder's subscriptions and waits for its appends in flight to settle. The
   * factory closes the shared pool and LISTEN connection. Safe to repeat.
   */
  override async close(): Promise<void> {
    this.wakeUp.close();
    await this.combiner?.drain();
    await Promise.allSettled(this.appending);
  }

  /**
   * What subscriptions read from: `read`, except that a query cut short by `close()` ends the
   * (already stopped) subscription quietly instead of with the pool's error.
   */
  private readonly subscriptionReader: DCBEventReader = {
    read: (query, options) =>
      this.read(query, options).catch((error: unknown) => {
        if (this.wakeUp.isClosed) return { events: [], head: null };
        throw error;
      }),
  };

  /** Sends one append by the one-append function (the plain path). */
  private async sendOne(append: DCBAppendParams): Promise<number> {
    if (!this.isReady) await this.ready();
    const { query } = append;
    const values = [
      append.condition !== null,
      query.shape === 'all',
      append.after,
      query.types,
      query.firsts,
      query.itemTypes,
      query.itemTags,
      append.types,
      append.data,
      append.tags,
      append.ids,
      `${this.datastore.settings.lockTimeout}s`,
    ];
    const rows = await this.call(this.appendStatement, values);
    const row = rows[0];
    if (row === undefined) throw new ProgrammingError('The DCB append function returned no row.');
    const outcome = this.outcome(append, row[0], row[1], row[2]);
    if (typeof outcome !== 'number') throw outcome;
    return outcome;
  }

  /** Sends several appends by the batch function (the combining path); see `DCBAppendSender`. */
  private async sendMany(appends: readonly DCBAppendParams[]): Promise<Array<number | Error>> {
    if (!this.isReady) await this.ready();
    const n = appends.length;
    const check = new Array<boolean>(n);
    const all = new Array<boolean>(n);
    const after = new Array<number>(n);
    const types = new Array<string | null>(n);
    const firsts = new Array<string | null>(n);
    const itemEnds = new Array<number>(n);
    const hasIds = new Array<boolean>(n);
    const itemTypes: string[] = [];
    const itemTags: string[] = [];
    const eventEnds = new Array<number>(n);
    const eventTypes: string[] = [];
    const eventData: Uint8Array[] = [];
    const eventTags: string[] = [];
    const eventIds: (string | null)[] = [];
    let anyIds = false;
    for (let i = 0; i < n; i++) {
      const append = appends[i]!;
      const query = append.query;
      check[i] = append.condition !== null;
      all[i] = query.shape === 'all';
      after[i] = append.after;
      types[i] = query.types === null ? null : textArrayLiteral(query.types);
      firsts[i] = query.firsts === null ? null : textArrayLiteral(query.firsts);
      itemTypes.push(...query.itemTypes);
      itemTags.push(...query.itemTags);
      itemEnds[i] = itemTypes.length;
      eventTypes.push(...append.types);
      eventData.push(...append.data);
      eventTags.push(...append.tags);
      hasIds[i] = append.ids !== null;
      if (append.ids !== null) {
        anyIds = true;
        eventIds.push(...append.ids);
      } else {
        for (let j = 0; j < append.types.length; j++) eventIds.push(null);
      }
      eventEnds[i] = eventTypes.length;
    }
    const values = [
      check,
      all,
      after,
      types,
      firsts,
      itemEnds,
      itemTypes,
      itemTags,
      eventEnds,
      eventTypes,
      eventData,
      eventTags,
      anyIds ? eventIds : null,
      hasIds,
      `${this.datastore.settings.lockTimeout}s`,
    ];
    const rows = await this.call(this.batchStatement, values);
    const outcomes = new Array<number | Error>(n);
    for (const row of rows) {
      const i = (row[0] as number) - 1;
      outcomes[i] = this.outcome(appends[i]!, row[1], row[2], row[3]);
    }
    return outcomes;
  }

  /** Calls an append function on a pooled connection; wakes local subscriptions after. */
  private async call(statement: Statement, values: unknown[]): Promise<unknown[][]> {
    const { datastore } = this;
    const client = await datastore.connect();
    let rows: unknown[][];
    try {
      this.calls++;
      rows = (
        await client.query({ name: statement.name, text: statement.text, values, rowMode: 'array' })
      ).rows as unknown[][];
    } catch (error) {
      datastore.release(client, error);
      throw dcbWriteError(error, datastore.server);
    }
    datastore.release(client);
    // The kind is the last but one column of both functions' rows.
    if (rows.some((row) => row[row.length - 2] === 'ok')) {
      wakeLocally(this.localWakeUpKey);
    }
    return rows;
  }

  /** What one append's row of an append function means: its position, or its error. */
  private outcome(
    append: DCBAppendParams,
    position: unknown,
    kind: unknown,
    type: unknown,
  ): number | Error {
    switch (kind) {
      case 'ok':
      case 'retry':
        return toSafeInteger(position, 'DCB position');
      case 'conflict':
        return dcbConditionFailed(
          toSafeInteger(position, 'DCB position'),
          typeof type === 'string' ? { type } : null,
          append.condition ?? { failIfEventsMatch: { items: [] } },
        );
      case 'ids':
        return dcbIdsPartlyStored();
      default:
        return new ProgrammingError(
          `The DCB append function returned an unknown outcome ${describeValue(kind)}: ` +
            "its definition is not this version of the library's (run once with CREATE_TABLE=yes).",
        );
    }
  }

  /** The read statement's text for a query shape, direction, and whether a limit is given. */
  private readStatement(shape: DCBQueryShape, backwards: boolean, limited: boolean): string {
    const key = `${shape}:${backwards}:${limited}:${this.statesAsText}`;
    const cached = this.readStatements.get(key);
    if (cached !== undefined) return cached;
    const { main, tag } = this.names;
    let p = 2;
    let cte = '';
    let where = 'm.id > $1';
    const itemMatch =
      'EXISTS (SELECT FROM q WHERE m.tags @> q.tg AND (cardinality(q.ty) = 0 OR m.type = ANY (q.ty)))';
    const items = () => {
      cte =
        `WITH q AS MATERIALIZED (SELECT u.ty::text[] AS ty, u.tg::text[] AS tg ` +
        `FROM unnest($${p}::text[], $${p + 1}::text[]) AS u(ty, tg)) `;
      p += 2;
    };
    if (shape === 'types') where += ` AND m.type = ANY ($${p++}::text[])`;
    else if (shape === 'tags') {
      where +=
        ` AND m.id IN (SELECT t.main_id FROM ${tag} t WHERE t.tag = ANY ($${p++}::text[]) ` +
        'AND t.main_id > $1)';
      items();
      where += ` AND ${itemMatch}`;
    } else if (shape === 'mixed') {
      const types = `$${p++}::text[]`;
      items();
      // Type-only items need a scan of ids after `after` anyway: the tag table cannot help.
      where += ` AND (m.type = ANY (${types}) OR ${itemMatch})`;
    }
    const select =
      `SELECT m.id, m.type, ${this.stateColumn('m.data')}, m.tags, m.uuid FROM ${main} m ` +
      `WHERE ${where} ORDER BY m.id${backwards ? ' DESC' : ''}`;
    const text = limited
      ? `${cte}${select} LIMIT $${p}`
      : // The head in the same statement (one snapshot), as a row with a null type.
        `${cte}(${select}) UNION ALL SELECT (SELECT max(id) FROM ${main}), NULL, NULL, NULL, NULL`;
    this.readStatements.set(key, text);
    return text;
  }
}

/**
 * The library's error of a failed call of an append function (`mapWriteError`), except that a
 * value too large for an index (SQLSTATE 54000: a type or tag is indexed) is a `DataError` that
 * says so, as other bad values are: a combined call that fails with it is sent again append by
 * append, so that only the append with that value fails.
 */
function dcbWriteError(error: unknown, server: ServerDescription): Error {
  if ((error as { code?: unknown } | null)?.code === '54000') {
    const message = (error as { message?: unknown }).message;
    return new DataError(
      `PostgreSQL refused a value of the DCB append as too large: ${String(message)}. Types ` +
        'and tags are indexed, and an index row holds at most about 2.7 kB: keep them short ' +
        '(names and ids) and put long content in the data. Nothing of the append was stored.',
      { cause: error },
    );
  }
  return mapWriteError(error, server);
}

/** A checked append as the append functions take it. */
function appendParams(
  events: readonly DCBEvent[],
  condition: DCBAppendCondition | null,
): DCBAppendParams {
  const n = events.length;
  const types = new Array<string>(n);
  const data = new Array<Uint8Array>(n);
  const tags = new Array<string>(n);
  let ids: (string | null)[] | null = null;
  for (let i = 0; i < n; i++) {
    const event = events[i]!;
    types[i] = event.type;
    data[i] = event.data;
    tags[i] = textArrayLiteral(event.tags);
    const id = event.id ?? null;
    if (id !== null) {
      ids ??= new Array<string | null>(n).fill(null);
      ids[i] = id;
    }
  }
  return {
    condition,
    query: condition === null ? dcbQueryParams(null) : dcbQueryParams(condition.failIfEventsMatch),
    after: condition?.after ?? 0,
    types,
    data,
    tags,
    ids,
  };
}
