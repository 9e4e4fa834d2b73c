// The notification log over HTTP, on a real node:http server on 127.0.0.1, against a backend
// (SQLite files, PostgreSQL schemas): sections, selections, caching, a remote follower.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { Application } from '../../src/application/application.js';
import type { DomainEventLike } from '../../src/domain/protocols.js';
import {
  createNotificationLogHandler,
  HttpNotificationLogInterface,
  NotificationLogHttpError,
  NotificationLogJSONClient,
  NotificationLogJSONService,
} from '../../src/interface/index.js';
import { MemoryTrackingRecorder } from '../../src/memory/index.js';
import { AESCipher } from '../../src/persistence/aes-cipher.js';
import type { Tracking } from '../../src/persistence/stored-event.js';
import { Projection } from '../../src/projection/projection.js';
import { ProjectionRunner } from '../../src/projection/projection-runner.js';
import { ConcurrentRunner } from '../../src/system/concurrent-runner.js';
import { EventProcessingError } from '../../src/system/errors.js';
import { NotificationLogReader } from '../../src/system/notification-log-reader.js';
import { System } from '../../src/system/system.js';
import type { EnvType } from '../../src/utils/environment.js';
import { freshEnv, type SystemBackend } from '../system/backends.js';
import { BankAccount, BankAccounts } from '../system/fixtures/bank.js';
import { Recorder, serve, type TestServer } from './helpers.js';

/** A view of the ids processed, which can be rebuilt. */
class IdsView extends MemoryTrackingRecorder {
  ids: number[] = [];

  add(tracking: Tracking): Promise<void> {
    return this.transaction(tracking, () => {
      this.ids.push(tracking.notificationId);
    });
  }

  protected override clear(): void {
    this.ids = [];
  }
}

class RemoteIds extends Projection<IdsView> {
  async processEvent(_event: DomainEventLike, tracking: Tracking): Promise<void> {
    await this.view.add(tracking);
  }
}

interface Setup {
  env: EnvType;
  leader: BankAccounts;
  server: TestServer;
  close(): Promise<void>;
}

export function httpSuite(backend: SystemBackend): void {
  describe(`the notification log over HTTP (${backend.name})`, () => {
    if (backend.tearDown) after(() => backend.tearDown?.());

    async function setUp(
      options: { env?: EnvType; basePath?: string; serverApp?: (env: EnvType) => Application } = {},
    ): Promise<Setup> {
      const env = { ...(await freshEnv(backend, ['BankAccounts', 'Recorder'])), ...options.env };
      const leader = new BankAccounts({ env });
      const served = options.serverApp?.(env) ?? leader;
      const basePath = options.basePath ?? '/notifications';
      const server = await serve(
        createNotificationLogHandler(new NotificationLogJSONService(served), { basePath }),
        basePath,
      );
      return {
        env,
        leader,
        server,
        async close() {
          await server.close();
          if (served !== leader) await served.close();
          await leader.close();
        },
      };
    }

    test('sections link by next_id; the last is partial; past the end is empty', async () => {
      const s = await setUp();
      try {
        for (let i = 0; i < 25; i++) await s.leader.openAccount(`A${i}`, `a${i}@example.com`);
        const log = new NotificationLogJSONClient(new HttpNotificationLogInterface(s.server.url));
        const first = await log.get('1,10');
        assert.equal(first.id, '1,10');
        assert.equal(first.nextId, '11,20');
        assert.deepEqual(
          first.items.map((n) => n.id),
          [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
        );
        const local = await s.leader.notificationLog.get('1,10');
        assert.deepEqual(first.items, local.items.map(plain));
        const last = await log.get('21,30');
        assert.equal(last.id, '21,25');
        assert.equal(last.nextId, null);
        assert.equal(last.items.length, 5);
        const past = await log.get('31,40');
        assert.deepEqual(past, { id: null, nextId: null, items: [] });
        const reader = new NotificationLogReader(log, 10);
        const ids: number[] = [];
        for await (const n of reader.read({ start: 1 })) ids.push(n.id);
        assert.deepEqual(
          ids,
          Array.from({ length: 25 }, (_, i) => i + 1),
        );
      } finally {
        await s.close();
      }
    });

    test('full sections are immutable with an ETag and a 304; partial ones no-cache', async () => {
      const s = await setUp();
      try {
        for (let i = 0; i < 12; i++) await s.leader.openAccount(`A${i}`, `a${i}@example.com`);
        const full = await fetch(`${s.server.url}/1,10`);
        assert.equal(full.status, 200);
        assert.equal(full.headers.get('cache-control'), 'public, max-age=31536000, immutable');
        assert.equal(full.headers.get('content-type'), 'application/json');
        const etag = full.headers.get('etag');
        assert.match(etag ?? '', /^".+"$/);
        const body = await full.text();
        assert.ok(body.startsWith('{"id": "1,10", "next_id": "11,20", "items": [{"id": 1, '));
        const again = await fetch(`${s.server.url}/1,10`, {
          headers: { 'If-None-Match': etag ?? '' },
        });
        assert.equal(again.status, 304);
        assert.equal(await again.text(), '');
        const other = await fetch(`${s.server.url}/1,10`, { headers: { 'If-None-Match': '"x"' } });
        assert.equal(other.status, 200);
        await other.text();
        const partial = await fetch(`${s.server.url}/11,20`);
        assert.equal(partial.headers.get('cache-control'), 'no-cache');
        assert.equal(JSON.parse(await partial.text()).id, '11,12');
        const empty = await fetch(`${s.server.url}/21,30`);
        assert.equal(empty.headers.get('cache-control'), 'no-cache');
        assert.equal(await empty.text(), '{"id": null, "next_id": null, "items": []}');
        const items = await fetch(`${s.server.url}?start=1&limit=2`);
        assert.equal(items.headers.get('cache-control'), 'no-cache');
        assert.equal(JSON.parse(await items.text()).length, 2);
      } finally {
        await s.close();
      }
    });

    test('the client is a NotificationLog: select with topics, stop and inclusiveOfStart', async () => {
      const s = await setUp();
      try {
        const ids: string[] = [];
        for (let i = 0; i < 4; i++) {
          const id = await s.leader.openAccount(`A${i}`, `a${i}@example.com`);
          await s.leader.credit(id, 10);
          ids.push(id);
        }
        const log = new NotificationLogJSONClient(new HttpNotificationLogInterface(s.server.url));
        const all = await log.select(1, 100);
        assert.deepEqual(all, (await s.leader.recorder.selectNotifications(1, 100)).map(plain));
        assert.equal(all[0]?.originatorId, ids[0]);
        const creditTopic = all[1]?.topic ?? '';
        const credits = await log.select(1, 10, { topics: [creditTopic] });
        assert.deepEqual(
          credits.map((n) => n.id),
          [2, 4, 6, 8],
        );
        assert.deepEqual(
          (await log.select(3, 10, { stop: 5, inclusiveOfStart: false })).map((n) => n.id),
          [4, 5],
        );
        assert.deepEqual(await log.select(9, 10), []);
      } finally {
        await s.close();
      }
    });

    test('a Follower pulls and processes a remote leader', async () => {
      const s = await setUp();
      try {
        const opened: string[] = [];
        for (let i = 0; i < 15; i++) opened.push(await s.leader.openAccount(`A${i}`, `${i}@x`));
        const follower = new Recorder({ env: s.env });
        try {
          follower.follow(
            'BankAccounts',
            new NotificationLogJSONClient(new HttpNotificationLogInterface(s.server.url)),
          );
          await follower.pullAndProcess('BankAccounts');
          assert.deepEqual(
            follower.seen.map((e) => e.originatorId),
            opened,
          );
          assert.ok(follower.seen.every((e) => e.event instanceof BankAccount.Opened));
          assert.equal(await follower.recorder.maxTrackingId('BankAccounts'), 15);
          await s.leader.credit(opened[0] ?? '', 5);
          await follower.pullAndProcess('BankAccounts');
          assert.equal(follower.seen.length, 16);
        } finally {
          await follower.close();
        }
      } finally {
        await s.close();
      }
    });

    test('ciphertext stays ciphertext: the server has no key, the follower decodes', async () => {
      const key = AESCipher.createKey();
      const s = await setUp({
        env: { BANKACCOUNTS_CIPHER_KEY: key },
        // The server reads the same database without the key.
        serverApp: (env) => {
          const { BANKACCOUNTS_CIPHER_KEY: _, ...withoutKey } = env as Record<string, string>;
          return new Application({ name: 'BankAccounts', env: withoutKey });
        },
      });
      try {
        await s.leader.openAccount('Secret Name', 'secret@example.com');
        const text = await (await fetch(`${s.server.url}/1,10`)).text();
        const item = JSON.parse(text).items[0] as { state: string };
        const state = Buffer.from(item.state, 'base64');
        assert.ok(!state.toString('latin1').includes('Secret Name'));
        assert.deepEqual(
          new Uint8Array(state),
          new Uint8Array((await s.leader.recorder.selectNotifications(1, 1))[0]?.state ?? []),
        );
        const follower = new Recorder({ env: s.env });
        try {
          follower.follow(
            'BankAccounts',
            new NotificationLogJSONClient(new HttpNotificationLogInterface(s.server.url)),
          );
          await follower.pullAndProcess('BankAccounts');
          assert.equal(
            (follower.seen[0]?.event as unknown as { fullName: string } | undefined)?.fullName,
            'Secret Name',
          );
        } finally {
          await follower.close();
        }
      } finally {
        await s.close();
      }
    });

    test('two clients open 30 accounts each while a remote follower reads: each event once, in order', async () => {
      const s = await setUp();
      const follower = new Recorder({ env: s.env });
      try {
        follower.follow(
          'BankAccounts',
          new NotificationLogJSONClient(new HttpNotificationLogInterface(s.server.url)),
        );
        let writing = true;
        const opened: string[] = [];
        const writer = async (name: string): Promise<void> => {
          for (let i = 0; i < 30; i++)
            opened.push(await s.leader.openAccount(`${name}${i}`, 'x@x'));
        };
        const reading = (async () => {
          while (writing) {
            await follower.pullAndProcess('BankAccounts');
            await new Promise((resolve) => setTimeout(resolve, 5));
          }
          await follower.pullAndProcess('BankAccounts');
        })();
        await Promise.all([writer('A'), writer('B')]).finally(() => {
          writing = false;
        });
        await reading;
        assert.deepEqual(
          follower.seen.map((e) => e.id),
          Array.from({ length: 60 }, (_, i) => i + 1),
        );
        assert.deepEqual(follower.seen.map((e) => e.originatorId).sort(), [...opened].sort());
        const log = new NotificationLogJSONClient(new HttpNotificationLogInterface(s.server.url));
        for (let first = 1; first <= 51; first += 10) {
          assert.equal((await log.get(`${first},${first + 9}`)).items.length, 10);
        }
        assert.equal((await log.get('61,70')).items.length, 0);
        assert.deepEqual(await log.select(61, 10), []);
      } finally {
        await follower.close();
        await s.close();
      }
    });

    test('a closed server is a clear error; once restarted the follower continues', async () => {
      const s = await setUp();
      const follower = new Recorder({ env: s.env });
      let restarted: TestServer | null = null;
      try {
        const opened: string[] = [];
        for (let i = 0; i < 5; i++) opened.push(await s.leader.openAccount(`A${i}`, 'x@x'));
        follower.follow(
          'BankAccounts',
          new NotificationLogJSONClient(new HttpNotificationLogInterface(s.server.url)),
        );
        await follower.pullAndProcess('BankAccounts');
        await s.server.close();
        for (let i = 5; i < 8; i++) opened.push(await s.leader.openAccount(`A${i}`, 'x@x'));
        await assert.rejects(follower.pullAndProcess('BankAccounts'), (error: unknown) => {
          assert.ok(error instanceof NotificationLogHttpError);
          assert.equal(error.status, null);
          assert.match(error.message, /^GET http:\/\/127\.0\.0\.1:\d+\/notifications\?.* failed: /);
          // A pooled keep-alive socket says "other side closed"; a new one ECONNREFUSED.
          assert.match(error.message, /ECONNREFUSED|other side closed/);
          return true;
        });
        restarted = await serve(
          createNotificationLogHandler(new NotificationLogJSONService(s.leader), {
            basePath: '/notifications',
          }),
          '/notifications',
          s.server.port,
        );
        await follower.pullAndProcess('BankAccounts');
        assert.deepEqual(
          follower.seen.map((e) => e.originatorId),
          opened,
        );
      } finally {
        await restarted?.close();
        await follower.close();
        await s.leader.close();
      }
    });

    test('a ConcurrentRunner follows a remote leader from leaderLogs, woken by its stream, through a server restart', async () => {
      const s = await setUp();
      const retried: unknown[] = [];
      // The runner's own BankAccounts is in memory: only the URL is shared with the leader.
      const runner = new ConcurrentRunner(new System([[BankAccounts, Recorder]]), {
        env: { ...s.env, BANKACCOUNTS_PERSISTENCE_MODULE: 'memory' },
        leaderLogs: {
          BankAccounts: new NotificationLogJSONClient(
            new HttpNotificationLogInterface(s.server.url),
          ),
        },
        // Longer than the test: only the leader's stream can wake the follower in time.
        pollInterval: 600_000,
        onError: (error) => retried.push(error),
      });
      let restarted: TestServer | null = null;
      try {
        const opened: string[] = [];
        for (let i = 0; i < 5; i++) opened.push(await s.leader.openAccount(`A${i}`, 'x@x'));
        await runner.start();
        const follower = runner.get(Recorder);
        await follower.recorder.wait('BankAccounts', 5, { timeout: 10_000 });
        const writer = async (name: string): Promise<void> => {
          for (let i = 0; i < 30; i++)
            opened.push(await s.leader.openAccount(`${name}${i}`, 'x@x'));
        };
        await Promise.all([writer('B'), writer('C')]);
        await follower.recorder.wait('BankAccounts', 65, { timeout: 10_000 });

        await s.server.close();
        for (let i = 0; i < 5; i++) opened.push(await s.leader.openAccount(`D${i}`, 'x@x'));
        restarted = await serve(
          createNotificationLogHandler(new NotificationLogJSONService(s.leader), {
            basePath: '/notifications',
          }),
          '/notifications',
          s.server.port,
        );
        await follower.recorder.wait('BankAccounts', 70, { timeout: 20_000 });
        assert.equal(runner.hasErrored, false);
        assert.deepEqual(
          follower.seen.map((e) => e.id),
          Array.from({ length: 70 }, (_, i) => i + 1),
        );
        const order = (await s.leader.recorder.selectNotifications(1, 100)).map(
          (n) => n.originatorId,
        );
        assert.deepEqual(
          follower.seen.map((e) => e.originatorId),
          order,
        );
        assert.deepEqual([...order].sort(), [...opened].sort());
        // The runner's copy of the leader was never written to.
        assert.equal(await runner.get(BankAccounts).recorder.maxNotificationId(), null);
      } finally {
        await runner.stop();
        await restarted?.close();
        await s.leader.close();
      }
    });

    test("a remote leader's refusal (401) stops a ConcurrentRunner with an EventProcessingError", async () => {
      const s = await setUp();
      const refusing = await serve(
        createNotificationLogHandler(new NotificationLogJSONService(s.leader), {
          basePath: '/notifications',
          authorize: () => false,
        }),
        '/notifications',
      );
      const runner = new ConcurrentRunner(new System([[BankAccounts, Recorder]]), {
        env: { ...s.env, BANKACCOUNTS_PERSISTENCE_MODULE: 'memory' },
        leaderLogs: {
          BankAccounts: new NotificationLogJSONClient(
            new HttpNotificationLogInterface(refusing.url),
          ),
        },
        onError: () => {},
      });
      try {
        await s.leader.openAccount('A', 'x@x');
        await runner.start();
        await assert.rejects(runner.watchForErrors({ timeout: 10_000 }), (error: unknown) => {
          assert.ok(error instanceof EventProcessingError);
          assert.ok(error.cause instanceof NotificationLogHttpError);
          assert.equal(error.cause.status, 401);
          assert.equal(error.cause.retryable, false);
          return true;
        });
        assert.equal(runner.get(Recorder).seen.length, 0);
      } finally {
        await runner.stop().catch(() => {});
        await refusing.close();
        await s.close();
      }
    });

    test("a ProjectionRunner builds a view from a remote application's log, and rebuilds it", async () => {
      const s = await setUp();
      try {
        for (let i = 0; i < 1500; i++) await s.leader.openAccount(`A${i}`, 'x@x');
        // The projection's side is in memory: it shares nothing with the leader but the URL.
        await using runner = new ProjectionRunner({
          applicationClass: BankAccounts,
          projectionClass: RemoteIds,
          viewClass: IdsView,
          env: { PERSISTENCE_MODULE: 'memory' },
          notificationLog: new NotificationLogJSONClient(
            new HttpNotificationLogInterface(s.server.url),
          ),
          pollInterval: 600_000,
        });
        await runner.wait(1500, { timeout: 20_000 });
        await s.leader.openAccount('Late', 'x@x');
        await runner.wait(1501, { timeout: 10_000 });
        const lag = await runner.lag();
        assert.deepEqual([lag.position, lag.head, lag.events], [1501, 1501, 0]);
        const all = Array.from({ length: 1501 }, (_, i) => i + 1);
        assert.deepEqual(runner.view.ids, all);
        await runner.rebuild();
        assert.deepEqual(runner.view.ids, all);
        assert.equal(await runner.app.recorder.maxNotificationId(), null);
      } finally {
        await s.close();
      }
    });
  });
}

/** A notification with its state as a plain Uint8Array (as the client decodes it). */
function plain<T extends { state: Uint8Array }>(n: T): T {
  return { ...n, state: new Uint8Array(n.state) };
}
