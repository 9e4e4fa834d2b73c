import type {
  PgClient,
  PgNotification,
  PgPool,
  PgPoolClient,
  PgQueryConfig,
  PgQueryResult,
  PgTypes,
} from './driver.js';

type ReportError = (error: unknown, source: string) => void;

/**
 * A pool the user owns (`PostgresFactory`'s `pool` option), as this module uses it: each query
 * carries this module's type parsers (int8 to numbers, hex bytea) as its own `types`, so the
 * user's queries on the same pool keep the user's parsers; the pool's `error` events reach the
 * module's error hook while it is attached; and `end()` does nothing, because the user ends
 * the pool. Costs one object spread per query, on shared pools only.
 */
export class SharedPool implements PgPool {
  /** The user's pool. */
  readonly inner: PgPool;
  private readonly types: PgTypes;
  private readonly report: ReportError;
  private attached = false;

  constructor(inner: PgPool, types: PgTypes, report: ReportError) {
    this.inner = inner;
    this.types = types;
    this.report = report;
  }

  /** Starts sending the pool's `error` events to the hook (the user's listeners stay). */
  attach(): void {
    if (this.attached) return;
    this.attached = true;
    this.inner.on('error', this.onPoolError);
  }

  /** Stops sending the pool's `error` events to the hook; the pool goes on for its owner. */
  detach(): void {
    if (!this.attached) return;
    this.attached = false;
    this.inner.removeListener('error', this.onPoolError);
  }

  /** How many requests wait for a connection of the user's pool. */
  get waitingCount(): number {
    return this.inner.waitingCount;
  }

  /** How many connections the user's pool holds. */
  get totalCount(): number {
    return this.inner.totalCount;
  }

  /** Runs the query on the user's pool with this module's type parsers. */
  query(config: PgQueryConfig): Promise<PgQueryResult> {
    return this.inner.query({ ...config, types: this.types });
  }

  /** Checks a client out of the user's pool, seen with this module's type parsers. */
  async connect(): Promise<PgPoolClient> {
    return new SharedPoolClient(await this.inner.connect(), this.types);
  }

  /** Does nothing: the pool belongs to the user, who ends it. */
  async end(): Promise<void> {}

  /** Adds a listener to the user's pool. */
  on(event: 'error', listener: (error: Error) => void): PgPool;
  on(event: 'connect', listener: (client: PgPoolClient) => void): PgPool;
  on(
    event: 'error' | 'connect',
    listener: ((error: Error) => void) & ((client: PgPoolClient) => void),
  ): PgPool {
    this.inner.on(event as 'error', listener);
    return this;
  }

  /** Removes a listener from the user's pool. */
  removeListener(event: 'error', listener: (error: Error) => void): PgPool {
    this.inner.removeListener(event, listener);
    return this;
  }

  private readonly onPoolError = (error: Error): void => {
    this.report(error, 'pool');
  };
}

/** Ignores a checked-out client's errors: the query in progress, or the next one, fails too. */
function ignore(): void {}

/**
 * A client checked out of a user's pool: queries carry this module's type parsers, and an
 * `error` listener is attached until release, so that a connection lost between two queries
 * does not crash the process (pg-pool listens only while the client is idle).
 */
class SharedPoolClient implements PgPoolClient {
  private readonly inner: PgPoolClient;
  private readonly types: PgTypes;

  constructor(inner: PgPoolClient, types: PgTypes) {
    this.inner = inner;
    this.types = types;
    inner.on('error', ignore);
  }

  connect(): Promise<unknown> {
    return this.inner.connect();
  }

  query(config: PgQueryConfig | string): Promise<PgQueryResult> {
    const withTypes =
      typeof config === 'string'
        ? { text: config, types: this.types }
        : { ...config, types: this.types };
    return this.inner.query(withTypes);
  }

  end(): Promise<void> {
    return this.inner.end();
  }

  release(destroy?: boolean | Error): void {
    this.inner.removeListener('error', ignore);
    this.inner.release(destroy);
  }

  on(event: 'error', listener: (error: Error) => void): PgClient;
  on(event: 'end', listener: () => void): PgClient;
  on(event: 'notification', listener: (message: PgNotification) => void): PgClient;
  on(
    event: 'error' | 'end' | 'notification',
    listener: ((error: Error) => void) & (() => void) & ((message: PgNotification) => void),
  ): PgClient {
    this.inner.on(event as 'error', listener);
    return this;
  }

  removeListener(event: 'error', listener: (error: Error) => void): PgClient {
    this.inner.removeListener(event, listener);
    return this;
  }

  removeAllListeners(event?: string): PgClient {
    this.inner.removeAllListeners(event);
    return this;
  }
}
