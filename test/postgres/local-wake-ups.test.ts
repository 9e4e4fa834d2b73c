import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WakeUpListener } from '../../src/persistence/notification-signal.js';
import type { PgClient } from '../../src/postgres/driver.js';
import { localWakeUpKey, wakeLocally } from '../../src/postgres/local-wake-ups.js';
import { PostgresListener } from '../../src/postgres/postgres-listener.js';

const server = { host: '127.0.0.1', port: 5432, dbname: 'test', user: 'postgres' };

/** A subscription stand-in that counts its wake-ups. */
function counting(): WakeUpListener & { wakes: number } {
  return {
    wakes: 0,
    wake() {
      this.wakes++;
    },
    stop() {},
  };
}

/** A listener whose LISTEN connection never opens (the local wake-ups need none). */
function listener(channel: string): PostgresListener {
  const refuse = (): PgClient => {
    throw new Error('no connection in this test');
  };
  return new PostgresListener(channel, refuse, () => {}, localWakeUpKey(server, channel));
}

describe('wake-ups of this process by its own writes (PostgreSQL)', () => {
  it("wakes the subscriptions of the written table's channel on the same server only", async () => {
    const events = listener('local_wake_events');
    const other = listener('local_wake_other');
    const a = counting();
    const b = counting();
    events.addListener(a);
    other.addListener(b);
    wakeLocally(localWakeUpKey(server, 'local_wake_events'));
    wakeLocally(localWakeUpKey({ ...server, dbname: 'elsewhere' }, 'local_wake_events'));
    assert.equal(a.wakes, 1);
    assert.equal(b.wakes, 0);
    await events.close();
    await other.close();
  });

  it('forgets a listener once its last subscription stops, and when it closes', async () => {
    const events = listener('local_wake_forget');
    const key = localWakeUpKey(server, 'local_wake_forget');
    const a = counting();
    events.addListener(a);
    events.removeListener(a);
    wakeLocally(key);
    assert.equal(a.wakes, 0);
    events.addListener(a);
    await events.close();
    wakeLocally(key);
    assert.equal(a.wakes, 0);
  });
});
