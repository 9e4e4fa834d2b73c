import { createHash } from 'node:crypto';
import { OperationalError } from '../persistence/errors.js';
import type { FollowerLock } from '../persistence/follower-lock.js';
import type { PgClient } from './driver.js';
import { mapPgError } from './pg-errors.js';
import type { PostgresDatastore } from './postgres-datastore.js';

/** How often the owner checks its lock's connection (an idle socket can die silently). */
const HEARTBEAT_MS = 2000;

/**
 * The owner of a follower on PostgreSQL: a session advisory lock (`pg_try_advisory_lock`)
 * keyed from the follower's schema and table prefix, held on a connection of its own (not the
 * pool's), so that it lasts exactly as long as that session. The server releases it when the
 * owning process dies or its connection breaks; the owner learns of a broken connection (an
 * error on the client, or a failed heartbeat) through the signal `tryAcquire` gave, and must
 * then stop processing and try again.
 */
export class PostgresFollowerLock implements FollowerLock {
  /** The advisory lock's key (a signed 64-bit integer, as text). */
  readonly key: string;
  private readonly datastore: PostgresDatastore;
  private client: PgClient | null = null;
  private lost: AbortController | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private owned = false;

  /** A lock of `name` (e.g. `"myschema.emailprocess"`) on the datastore's server. */
  constructor(datastore: PostgresDatastore, name: string) {
    this.datastore = datastore;
    const digest = createHash('sha256').update(`eventsourcing:follower:${name}`).digest();
    this.key = BigInt.asIntN(64, digest.readBigUInt64BE(0)).toString();
  }

  /** Takes the advisory lock if free; see `FollowerLock.tryAcquire`. */
  async tryAcquire(): Promise<AbortSignal | null> {
    if (this.owned && this.lost !== null && !this.lost.signal.aborted) return this.lost.signal;
    if (this.lost?.signal.aborted) await this.release();
    const client = await this.connected();
    let owned: boolean;
    try {
      const result = await client.query({
        text: 'SELECT pg_try_advisory_lock($1::bigint) AS owned',
        values: [this.key],
      });
      owned = (result.rows[0] as { owned?: unknown } | undefined)?.owned === true;
    } catch (error) {
      await this.release();
      throw mapPgError(error, this.datastore.server);
    }
    if (!owned) return null;
    this.owned = true;
    this.heartbeat = setInterval(() => {
      client.query('SELECT 1').catch((error: unknown) => this.lose(error));
    }, HEARTBEAT_MS);
    this.heartbeat.unref();
    return (this.lost as AbortController).signal;
  }

  /** Ends the lock's session (which releases the lock). Safe to repeat. */
  async release(): Promise<void> {
    const client = this.client;
    this.client = null;
    this.owned = false;
    if (this.heartbeat !== null) clearInterval(this.heartbeat);
    this.heartbeat = null;
    this.lost = null;
    if (client === null) return;
    client.removeAllListeners('end');
    // Errors of a connection being closed are expected, and must not crash the process.
    client.removeAllListeners('error');
    client.on('error', () => {});
    await client.end().catch(() => {});
  }

  /** The lock's connection, opened when there is none. */
  private async connected(): Promise<PgClient> {
    if (this.client !== null) return this.client;
    const client = this.datastore.newClient();
    const lost = new AbortController();
    client.on('error', (error) => this.lose(error, lost));
    client.on('end', () => this.lose(new Error('Connection terminated unexpectedly'), lost));
    this.client = client;
    this.lost = lost;
    try {
      await client.connect();
    } catch (error) {
      await this.release();
      throw mapPgError(error, this.datastore.server);
    }
    return client;
  }

  /** Ownership is lost: tell the owner (the signal), and drop the broken connection. */
  private lose(error: unknown, controller: AbortController | null = this.lost): void {
    if (controller === null || controller.signal.aborted) return;
    const reason = new OperationalError(
      `The connection holding the follower lock was lost (${
        error instanceof Error ? error.message : String(error)
      }): ownership is lost until it is taken again.`,
      { cause: error },
    );
    controller.abort(reason);
    if (controller === this.lost) this.release().catch(() => {});
  }
}
