import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { OperationalError } from '../../src/persistence/errors.js';
import type { Notification } from '../../src/persistence/stored-event.js';
import type { PostgresFactory } from '../../src/postgres/index.js';
import { baseEnv, dropPrefix, rawClient, whenPostgres } from '../postgres/helpers.js';
import { FaultApp, type FaultItem, newItem } from './fixtures/fault-app.js';

const prefix = `es_term_${randomBytes(4).toString('hex')}`;
const LOAD_MS = 6000;

/** A save made under load, and how it settled. */
interface Save {
  readonly keys: string[];
  ids: number[] | null;
  error: unknown;
}

async function allNotifications(app: FaultApp): Promise<Notification[]> {
  const all: Notification[] = [];
  for (let page = 0; page < 1000; page++) {
    const batch = await app.recorder.selectNotifications((all.at(-1)?.id ?? 0) + 1, 2000);
    if (batch.length === 0) break;
    all.push(...batch);
  }
  return all;
}

whenPostgres(() => {
  after(() => dropPrefix(prefix));

  describe('PostgreSQL backends terminated under load', () => {
    test('each save is stored whole when it resolves, and rejects with an OperationalError otherwise (stored whole or not at all); the application and a subscription go on, the subscription seeing every event once, in order', async (t) => {
      const name = `${prefix}_app`;
      const app = new FaultApp({ name, env: { ...baseEnv, PERSISTENCE_MODULE: 'postgres' } });
      const killer = await rawClient();
      try {
        await app.recorder.ready?.();
        // The pool's connections, by backend pid: only these and the subscription's LISTEN
        // connection are terminated, never another test's.
        const pool = (app.factory as PostgresFactory).datastore.pool as unknown as {
          on(event: 'connect' | 'remove', fn: (client: { processID: number }) => void): void;
        };
        const pids = new Set<number>();
        pool.on('connect', (client) => pids.add(client.processID));
        pool.on('remove', (client) => pids.delete(client.processID));

        const received: number[] = [];
        const subscription = app.recorder.subscribe();
        const consuming = (async () => {
          for await (const notification of subscription) received.push(notification.id);
        })();

        const saves: Save[] = [];
        const owned: FaultItem[] = [];
        let reads = 0;
        let readErrors = 0;
        // The load runs for LOAD_MS, and on (up to LOAD_MS more) until a termination has hit a
        // save: whether one does in a given moment is chance (saves are short).
        const start = Date.now();
        let rejected = 0;
        const loading = (): boolean => {
          const elapsed = Date.now() - start;
          return elapsed < LOAD_MS || (rejected === 0 && elapsed < 2 * LOAD_MS);
        };
        const worker = async () => {
          for (let i = 0; i < 10_000 && loading(); i++) {
            if (owned.length > 0 && Math.random() < 0.3) {
              const item = owned[Math.floor(Math.random() * owned.length)]!;
              reads++;
              // Reads are retried across dropped connections; one that still fails says so.
              await app.repository.get(item.id).catch((error: unknown) => {
                assert.ok(error instanceof OperationalError, String(error));
                readErrors++;
              });
              continue;
            }
            const items =
              owned.length > 0 && Math.random() < 0.5
                ? owned.splice(Math.floor(Math.random() * owned.length), 1)
                : [newItem('t', Math.floor(Math.random() * 4)), newItem('t', 1)];
            for (const item of items)
              if (item.pendingEvents.length === 0) item.step(item.version + 1);
            const keys = items.flatMap((item) =>
              item.pendingEvents.map((e) => `${item.id}/${e.originatorVersion}`),
            );
            const save: Save = { keys, ids: null, error: null };
            saves.push(save);
            try {
              save.ids = (await app.save(...items)).map((r) => r.notification.id);
              owned.push(...items);
            } catch (error) {
              // The outcome may be unknown: these items are not continued.
              save.error = error;
              rejected++;
            }
          }
        };

        // Every 20 ms the connections busy with a statement (mostly saves in flight) are
        // terminated; every 300 ms also half of the idle ones and the LISTEN connection.
        let terminations = 0;
        const killing = (async () => {
          for (let round = 1; loading(); round++) {
            await sleep(20);
            let targets: number[];
            if (round % 15 === 0) {
              const listen = await killer.query({
                text: "SELECT pid FROM pg_stat_activity WHERE query = $1 AND state = 'idle'",
                values: [`LISTEN "${name}_events"`],
              });
              targets = [
                ...[...pids].filter(() => Math.random() < 0.5),
                ...(listen.rows as { pid: number }[]).map((r) => r.pid),
              ];
            } else {
              targets = [...pids];
            }
            // Chosen first, terminated after: in one query the planner may call
            // pg_terminate_backend before the filter, on other tests' connections.
            const chosen = await killer.query({
              text:
                'SELECT pid FROM pg_stat_activity WHERE pid = ANY($1::int[]) ' +
                "AND pid <> pg_backend_pid() AND ($2 OR state <> 'idle')",
              values: [targets, round % 15 === 0],
            });
            const result = await killer.query({
              text: 'SELECT count(*)::int AS n FROM unnest($1::int[]) pid WHERE pg_terminate_backend(pid)',
              values: [(chosen.rows as { pid: number }[]).map((r) => r.pid)],
            });
            terminations += (result.rows[0] as { n: number }).n;
          }
        })();
        await Promise.all([...Array.from({ length: 24 }, worker), killing]);
        // The last round's terminations reach the pool a moment later (it then drops those
        // connections): without this pause the next save could take one that is already dead.
        await sleep(300);

        // Afterwards the same application works, without a restart.
        const last = newItem('t', 2);
        const lastRecording = (await app.save(last)).at(-1);
        assert.equal((await app.repository.get<FaultItem>(last.id)).version, 3);

        const stored = await allNotifications(app);
        const byKey = new Map(stored.map((n) => [`${n.originatorId}/${n.originatorVersion}`, n]));
        let resolved = 0;
        let unknownStored = 0;
        let unknownNotStored = 0;
        let claimed = 0;
        for (const save of saves) {
          const found = save.keys.map((k) => byKey.get(k));
          const count = found.filter((f) => f !== undefined).length;
          assert.ok(count === 0 || count === save.keys.length, `a save is partly stored: ${count}`);
          claimed += count;
          if (save.ids !== null) {
            resolved++;
            assert.deepEqual(
              found.map((f) => f?.id),
              save.ids,
              'a resolved save is not stored under the ids it resolved to',
            );
          } else {
            assert.ok(save.error instanceof OperationalError, String(save.error));
            assert.match(save.error.message, /PostgreSQL|connection/);
            if (count > 0) unknownStored++;
            else unknownNotStored++;
          }
        }
        assert.equal(claimed + 3, stored.length, 'events are stored that no save made');

        // The subscription sees every committed event once, in order, then the last save's.
        const lastId = lastRecording!.notification.id;
        for (let i = 0; i < 750 && received.at(-1) !== lastId; i++) await sleep(20);
        subscription.stop();
        await consuming;
        assert.deepEqual(
          received,
          stored.map((n) => n.id),
        );

        t.diagnostic(
          `${saves.length} saves: ${resolved} resolved, ${saves.length - resolved} rejected ` +
            `(${unknownStored} of them stored whole, ${unknownNotStored} not at all); ${reads} ` +
            `reads (${readErrors} failed); ${terminations} backends terminated; ` +
            `${stored.length} events stored and received by the subscription`,
        );
        assert.ok(terminations >= 20, `only ${terminations} backends terminated`);
        assert.ok(saves.length - resolved > 0, 'no save was hit by a termination');
        assert.ok(resolved > 500, `only ${resolved} saves resolved`);
      } finally {
        await killer.end();
        await app.close();
      }
    });
  });
});
