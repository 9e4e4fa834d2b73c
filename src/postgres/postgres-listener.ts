import type { WakeUpListener, WakeUpSource } from '../persistence/notification-signal.js';
import type { PgClient } from './driver.js';
import { quoteIdent } from './identifiers.js';
import { addLocalWakeUp, removeLocalWakeUp } from './local-wake-ups.js';

/** Milliseconds before the first reconnection attempt; doubled each failure up to the max. */
const FIRST_RECONNECT_DELAY = 100;
const MAX_RECONNECT_DELAY = 5000;

function noop(): void {}

/**
 * Wakes subscriptions on PostgreSQL NOTIFY: one dedicated connection outside the pool runs
 * `LISTEN channel` while at least one subscription listens, and is closed when the last one
 * stops, so that it keeps the process alive only while someone subscribes. A lost connection
 * (server restart, `pg_terminate_backend`, a pooler dropping LISTEN) is reported as a 'listen'
 * error and reconnected by itself with backoff (100 ms doubling to 5 s); subscriptions keep
 * polling meanwhile, and are woken when it is back, so nothing committed in between is missed.
 */
// Also a LocalWakeUp (`wakeAll`), not named here: that interface is internal, and the API
// reference would list it.
export class PostgresListener implements WakeUpSource {
  /** The channel (the events table's name, as in Python). */
  readonly channel: string;
  private readonly newClient: () => PgClient;
  private readonly report: (error: unknown, source: string) => void;
  private readonly listeners = new Set<WakeUpListener>();
  private readonly ending = new Set<Promise<void>>();
  private client: PgClient | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private delay = FIRST_RECONNECT_DELAY;
  // Bumped on every start and stop, so that late events of an old connection are ignored.
  private generation = 0;
  private closed = false;
  private listening = false;
  private connections = 0;
  private readonly localKey: string | null;

  /**
   * `report` receives the connection's errors (the factory's error hook). With `localKey`
   * (see local-wake-ups.ts), writes of this process to the channel's table wake its
   * subscriptions at once, as well as their NOTIFY.
   */
  constructor(
    channel: string,
    newClient: () => PgClient,
    report: (error: unknown, source: string) => void = noop,
    localKey: string | null = null,
  ) {
    this.channel = channel;
    this.newClient = newClient;
    this.report = report;
    this.localKey = localKey;
  }

  /** How many subscriptions are listening. */
  get size(): number {
    return this.listeners.size;
  }

  /** Whether the LISTEN connection is up. */
  get isListening(): boolean {
    return this.listening;
  }

  /** How many times a LISTEN connection has been established (lets tests see reconnections). */
  get connectionCount(): number {
    return this.connections;
  }

  /** Starts waking the listener; the first one opens the LISTEN connection. */
  addListener(listener: WakeUpListener): void {
    if (this.closed) {
      listener.stop();
      return;
    }
    this.listeners.add(listener);
    if (this.listeners.size === 1) {
      if (this.localKey !== null) addLocalWakeUp(this.localKey, this);
      this.start();
    }
  }

  /** Stops waking the listener; the last one closes the LISTEN connection. */
  removeListener(listener: WakeUpListener): void {
    if (!this.listeners.delete(listener)) return;
    if (this.listeners.size === 0) this.stop();
  }

  /** Stops every listener and closes the connection, waiting until it has ended. */
  async close(): Promise<void> {
    this.closed = true;
    const listeners = [...this.listeners];
    this.listeners.clear();
    for (const listener of listeners) listener.stop();
    this.stop();
    while (this.ending.size > 0) await Promise.all([...this.ending]);
  }

  private start(): void {
    this.generation++;
    this.delay = FIRST_RECONNECT_DELAY;
    this.connect(this.generation);
  }

  private stop(): void {
    if (this.localKey !== null) removeLocalWakeUp(this.localKey, this);
    this.generation++;
    this.listening = false;
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const client = this.client;
    this.client = null;
    if (client !== null) this.end(client);
  }

  private end(client: PgClient): void {
    const ending = client.end().catch(noop);
    this.ending.add(ending);
    ending.then(() => this.ending.delete(ending));
  }

  private connect(generation: number): void {
    let client: PgClient;
    try {
      client = this.newClient();
    } catch (error) {
      this.report(error, 'listen');
      this.scheduleReconnect(generation);
      return;
    }
    this.client = client;
    // Errors of the current connection are reported; an old one's (being ended) are not news.
    client.on('error', (error) => {
      if (this.client === client) this.report(error, 'listen');
    });
    client.on('notification', this.onNotification);
    client.on('end', () => this.onEnd(client, generation));
    // Not awaited by close(): pg never settles connect() for a client ended while connecting;
    // close() waits for that client's end() instead.
    client
      .connect()
      .then(() => client.query(`LISTEN ${quoteIdent(this.channel)}`))
      .then(
        () => {
          if (generation !== this.generation || this.client !== client) return;
          this.listening = true;
          this.connections++;
          this.delay = FIRST_RECONNECT_DELAY;
          // Anything committed before LISTEN took effect has no notification: look now.
          this.wakeAll();
        },
        (error: unknown) => {
          if (this.client !== client) return;
          this.report(error, 'listen');
          this.client = null;
          this.end(client);
          this.scheduleReconnect(generation);
        },
      );
  }

  private onEnd(client: PgClient, generation: number): void {
    if (this.client !== client) return;
    this.client = null;
    this.listening = false;
    client.removeAllListeners('notification');
    // Notifications may have been lost with the connection: look now, then reconnect.
    this.wakeAll();
    this.scheduleReconnect(generation);
  }

  private scheduleReconnect(generation: number): void {
    if (this.closed || generation !== this.generation || this.listeners.size === 0) return;
    if (this.timer !== null) return;
    const delay = this.delay;
    this.delay = Math.min(this.delay * 2, MAX_RECONNECT_DELAY);
    this.timer = setTimeout(() => {
      this.timer = null;
      if (generation === this.generation && !this.closed) this.connect(generation);
    }, delay);
    // A subscription waiting for news keeps the process alive by its own poll timer; this
    // background timer alone must not.
    this.timer.unref();
  }

  private readonly onNotification = (): void => {
    this.wakeAll();
  };

  /** Wakes every subscription listening (a NOTIFY came, or a write of this process). */
  wakeAll(): void {
    for (const listener of this.listeners) listener.wake();
  }
}
