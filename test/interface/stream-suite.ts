// The streaming endpoint and the client's subscribe, on a real node:http server on 127.0.0.1,
// against a backend (SQLite files, PostgreSQL schemas): new events in order and once,
// heartbeats, a server restart mid-stream, the polling fallback, closing; and remote followers
// reading pages of 1,000.
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  createNotificationLogHandler,
  type FetchHandler,
  HttpNotificationLogInterface,
  type NotificationLogHandlerOptions,
  NotificationLogHttpError,
  type NotificationLogInterface,
  NotificationLogJSONClient,
  NotificationLogJSONService,
  type NotificationSubscription,
  type SubscribableNotificationLogInterface,
} from '../../src/interface/index.js';
import type { Subscription } from '../../src/persistence/recorders.js';
import type { Notification } from '../../src/persistence/stored-event.js';
import type { EnvType } from '../../src/utils/environment.js';
import { freshEnv, type SystemBackend } from '../system/backends.js';
import { BankAccount, BankAccounts } from '../system/fixtures/bank.js';
import { Recorder, serve, type TestServer } from './helpers.js';

const basePath = '/notifications';

/** A service whose subscriptions are counted while open (stopped ones are removed). */
class CountingService implements SubscribableNotificationLogInterface {
  readonly open = new Set<NotificationSubscription>();
  constructor(
    readonly inner: NotificationLogJSONService,
    /** Whether the recorder's `nextPage` is passed on (the handler writes pages at once). */
    readonly paged = true,
  ) {}
  getLogSection(sectionId: string): Promise<string> {
    return this.inner.getLogSection(sectionId);
  }
  getNotifications(
    ...args: Parameters<NotificationLogInterface['getNotifications']>
  ): Promise<string> {
    return this.inner.getNotifications(...args);
  }
  subscribe(
    gt: number | null,
    options?: Parameters<SubscribableNotificationLogInterface['subscribe']>[1],
  ): NotificationSubscription {
    const subscription = this.inner.subscribe(gt, options);
    this.open.add(subscription);
    const stop = (): void => {
      this.open.delete(subscription);
      subscription.stop();
    };
    const counted: NotificationSubscription & Partial<Pick<Subscription, 'nextPage'>> = {
      [Symbol.asyncIterator]: () => subscription[Symbol.asyncIterator](),
      stop,
      [Symbol.asyncDispose]: async () => stop(),
    };
    const paged = subscription as Partial<Pick<Subscription, 'nextPage'>>;
    if (this.paged && paged.nextPage) counted.nextPage = paged.nextPage.bind(subscription);
    return counted;
  }
}

/** Takes `count` notifications from a subscription (failing after `timeout` ms). */
async function take(
  subscription: AsyncIterable<Notification>,
  count: number,
  timeout = 20_000,
): Promise<Notification[]> {
  const taken: Notification[] = [];
  const iterator = subscription[Symbol.asyncIterator]();
  const timer = new AbortController();
  const timedOut = sleep(timeout, 'timeout' as const, { signal: timer.signal });
  timedOut.catch(() => {});
  try {
    while (taken.length < count) {
      const next = await Promise.race([iterator.next(), timedOut]);
      if (next === 'timeout') {
        throw new Error(`Took ${taken.length} of ${count} notifications within ${timeout} ms.`);
      }
      if (next.done) throw new Error(`The subscription ended after ${taken.length}.`);
      taken.push(next.value);
    }
  } finally {
    timer.abort();
  }
  return taken;
}

/** Reads lines of an ndjson response until `until` says stop; cancels the body then. */
async function readLines(
  response: Response,
  until: (lines: unknown[]) => boolean,
): Promise<unknown[]> {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  const lines: unknown[] = [];
  let buffer = '';
  try {
    while (!until(lines)) {
      const { done, value } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let nl = buffer.indexOf('\n');
      while (nl >= 0) {
        lines.push(JSON.parse(buffer.slice(0, nl)));
        buffer = buffer.slice(nl + 1);
        nl = buffer.indexOf('\n');
      }
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return lines;
}

async function until(condition: () => boolean | Promise<boolean>, timeout = 5000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('Condition not met in time.');
    await sleep(10);
  }
}

export function streamSuite(backend: SystemBackend): void {
  describe(`the notification log stream over HTTP (${backend.name})`, () => {
    if (backend.tearDown) after(() => backend.tearDown?.());

    interface Setup {
      env: EnvType;
      leader: BankAccounts;
      service: CountingService;
      closing: AbortController;
      server: TestServer;
      requests: string[];
      handlerOptions: NotificationLogHandlerOptions;
      restart(): Promise<void>;
      close(): Promise<void>;
    }

    async function setUp(
      options: Omit<NotificationLogHandlerOptions, 'signal'> & {
        noStream?: boolean;
        paged?: boolean;
      } = {},
    ): Promise<Setup> {
      const env = await freshEnv(backend, ['BankAccounts', 'Recorder']);
      const leader = new BankAccounts({ env });
      const service = new CountingService(
        new NotificationLogJSONService(leader),
        options.paged ?? true,
      );
      const requests: string[] = [];
      let closing = new AbortController();
      const makeHandler = (): FetchHandler => {
        const served: NotificationLogInterface = options.noStream
          ? {
              getLogSection: (id) => service.getLogSection(id),
              getNotifications: (...args) => service.getNotifications(...args),
            }
          : service;
        const handler = createNotificationLogHandler(served, {
          basePath,
          ...options,
          signal: closing.signal,
        });
        return (request) => {
          requests.push(new URL(request.url).pathname + new URL(request.url).search);
          return handler(request);
        };
      };
      const setup: Setup = {
        env,
        leader,
        service,
        closing,
        requests,
        handlerOptions: options,
        server: watched(await serve(makeHandler(), basePath)),
        async restart() {
          closing = new AbortController();
          setup.closing = closing;
          setup.server = watched(await serve(makeHandler(), basePath, setup.server.port));
        },
        async close() {
          setup.closing.abort();
          await setup.server.close();
          await leader.close();
        },
      };
      return setup;
    }

    test('the stream is newline-delimited JSON: a heartbeat, then items in the wire format', async () => {
      const s = await setUp({ heartbeatInterval: 60_000 });
      try {
        await s.leader.openAccount('A', 'a@x');
        const response = await fetch(`${s.server.url}/stream?gt=0`);
        assert.equal(response.status, 200);
        assert.equal(response.headers.get('content-type'), 'application/x-ndjson');
        assert.equal(response.headers.get('cache-control'), 'no-store');
        const lines = await readLines(response, (l) => l.length >= 2);
        assert.deepEqual(Object.keys(lines[0] as object), ['heartbeat']);
        const local = (await s.leader.recorder.selectNotifications(1, 1))[0] as Notification;
        assert.deepEqual(lines[1], {
          id: 1,
          originator_id: local.originatorId.replace(/-/g, ''),
          originator_version: 1,
          topic: local.topic,
          state: Buffer.from(local.state).toString('base64'),
        });
        await until(() => s.service.open.size === 0);
        const bad = await fetch(`${s.server.url}/stream?gt=x`);
        assert.equal(bad.status, 400);
        assert.match(((await bad.json()) as { error: string }).error, /Invalid gt "x"/);
        const unknown = await fetch(`${s.server.url}/stream?start=1`);
        assert.equal(unknown.status, 400);
        assert.match(
          ((await unknown.json()) as { error: string }).error,
          /Unknown parameter "start"/,
        );
      } finally {
        await s.close();
      }
    });

    for (const paged of [true, false]) {
      test(`subscribe delivers events saved after subscribing, in order, once (${paged ? 'pages' : 'one by one'})`, async () => {
        const s = await setUp({ paged });
        const remote = new HttpNotificationLogInterface(s.server.url);
        try {
          for (let i = 0; i < 3; i++) await s.leader.openAccount(`B${i}`, 'x@x');
          const subscription = remote.subscribe(3);
          const taking = take(subscription, 20);
          const opened: string[] = [];
          await Promise.all(
            ['A', 'B'].map(async (name) => {
              for (let i = 0; i < 10; i++)
                opened.push(await s.leader.openAccount(`${name}${i}`, 'x'));
            }),
          );
          const taken = await taking;
          assert.deepEqual(
            taken.map((n) => n.id),
            Array.from({ length: 20 }, (_, i) => i + 4),
          );
          assert.deepEqual(taken.map((n) => n.originatorId).sort(), [...opened].sort());
          const local = await s.leader.recorder.selectNotifications(4, 20);
          assert.deepEqual(
            taken,
            local.map((n) => ({ ...n, state: new Uint8Array(n.state) })),
          );
          // Nothing more, and stop() ends the iteration and the server's subscription.
          const more = subscription[Symbol.asyncIterator]().next();
          subscription.stop();
          assert.deepEqual(await more, { done: true, value: undefined });
          await until(() => s.service.open.size === 0);
          await until(async () => (await connections(s.server)) === 0);
        } finally {
          await s.close();
        }
      });
    }

    test('heartbeats arrive every heartbeatInterval; a client that goes away ends the stream', async () => {
      const s = await setUp({ heartbeatInterval: 40 });
      try {
        const started = Date.now();
        const response = await fetch(`${s.server.url}/stream`);
        const lines = await readLines(response, (l) => l.length >= 5);
        const beats = lines.map((line) => (line as { heartbeat: number }).heartbeat);
        assert.ok(beats.every((beat) => Number.isInteger(beat) && beat >= started - 1000));
        assert.ok(Date.now() - started >= 4 * 40 - 20, 'heartbeats are spaced');
        // The body was cancelled: the server's subscription, timer and socket go.
        await until(() => s.service.open.size === 0);
        await until(async () => (await connections(s.server)) === 0);
        // The client's subscribe reads through heartbeats and topics.
        const creditTopic = await (async () => {
          const id = await s.leader.openAccount('A', 'a@x');
          await s.leader.credit(id, 1);
          return (await s.leader.recorder.selectNotifications(2, 1))[0]?.topic as string;
        })();
        const remote = new HttpNotificationLogInterface(s.server.url);
        const controller = new AbortController();
        const subscription = remote.subscribe(null, {
          topics: [creditTopic],
          signal: controller.signal,
        });
        const taking = take(subscription, 2);
        await sleep(150);
        const id = await s.leader.openAccount('B', 'b@x');
        await s.leader.credit(id, 2);
        assert.deepEqual(
          (await taking).map((n) => n.id),
          [2, 4],
        );
        controller.abort();
        assert.equal((await subscription[Symbol.asyncIterator]().next()).done, true);
        await until(() => s.service.open.size === 0);
      } finally {
        await s.close();
      }
    });

    test('a server restart mid-stream: the client reconnects from the last id, nothing lost or repeated', async () => {
      const s = await setUp({ heartbeatInterval: 1000 });
      const remote = new HttpNotificationLogInterface(s.server.url, { timeout: 2000 });
      const retried: unknown[] = [];
      const subscription = remote.subscribe(null, {
        maxRetryDelay: 200,
        onRetry: (error) => retried.push(error),
      });
      try {
        const opened: string[] = [];
        for (let i = 0; i < 5; i++) opened.push(await s.leader.openAccount(`A${i}`, 'x'));
        const first = await take(subscription, 5);
        assert.deepEqual(
          first.map((n) => n.id),
          [1, 2, 3, 4, 5],
        );
        // The server goes away mid-stream (its connections cut, as in a crash).
        await s.server.close();
        for (let i = 5; i < 10; i++) opened.push(await s.leader.openAccount(`A${i}`, 'x'));
        await sleep(300);
        await s.restart();
        for (let i = 10; i < 15; i++) opened.push(await s.leader.openAccount(`A${i}`, 'x'));
        const rest = await take(subscription, 10);
        assert.deepEqual(
          rest.map((n) => n.id),
          Array.from({ length: 10 }, (_, i) => i + 6),
        );
        assert.deepEqual(
          [...first, ...rest].map((n) => n.originatorId),
          opened,
        );
        // Refused connections while the server was down were retried (a cut stream may also
        // read as a clean end: either way the client reconnects from the last id).
        assert.ok(retried.every((error) => error instanceof NotificationLogHttpError));
        const reconnects = s.requests.filter((r) => r.startsWith(`${basePath}/stream`));
        assert.ok(reconnects.includes(`${basePath}/stream?gt=5`), reconnects.join(' '));
      } finally {
        subscription.stop();
        await s.close();
      }
    });

    test('against a handler without a stream (404) the client polls, nothing lost or repeated', async () => {
      const s = await setUp({ noStream: true });
      const remote = new HttpNotificationLogInterface(s.server.url);
      const subscription = new NotificationLogJSONClient(remote).subscribe(null, {
        pollInterval: 20,
      });
      try {
        const opened: string[] = [];
        for (let i = 0; i < 3; i++) opened.push(await s.leader.openAccount(`A${i}`, 'x'));
        const taking = take(subscription, 12);
        for (let i = 3; i < 12; i++) {
          opened.push(await s.leader.openAccount(`A${i}`, 'x'));
          if (i % 3 === 0) await sleep(30);
        }
        const taken = await taking;
        assert.deepEqual(
          taken.map((n) => n.id),
          Array.from({ length: 12 }, (_, i) => i + 1),
        );
        assert.deepEqual(
          taken.map((n) => n.originatorId),
          opened,
        );
        assert.equal(s.requests.filter((r) => r.startsWith(`${basePath}/stream`)).length, 1);
        assert.ok(s.requests.some((r) => r.includes('inclusive_of_start=0')));
      } finally {
        await subscription[Symbol.asyncDispose]();
        await s.close();
      }
    });

    test("the handler's signal ends open streams cleanly; later stream requests are 503", async () => {
      const s = await setUp({ heartbeatInterval: 60_000 });
      try {
        const response = await fetch(`${s.server.url}/stream`);
        const reading = readLines(response, () => false);
        await until(() => s.service.open.size === 1);
        s.closing.abort();
        const lines = await reading; // the body ends: read() is done
        assert.equal(lines.length, 1);
        assert.equal(s.service.open.size, 0);
        const refused = await fetch(`${s.server.url}/stream`);
        assert.equal(refused.status, 503);
        await refused.text();
        // server.close() needs no closeAllConnections for streams once the signal aborted.
        await new Promise<void>((resolve) => {
          s.server.server.close(() => resolve());
          s.server.server.closeIdleConnections();
        });
      } finally {
        await s.leader.close();
      }
    });

    test('a relay: a handler serving an HttpNotificationLogInterface streams what it reads', async () => {
      const s = await setUp();
      const relay = await serve(
        createNotificationLogHandler(new HttpNotificationLogInterface(s.server.url), {
          basePath,
          heartbeatInterval: 50,
        }),
        basePath,
      );
      const subscription = new HttpNotificationLogInterface(relay.url).subscribe(null);
      try {
        const taking = take(subscription, 6);
        for (let i = 0; i < 6; i++) await s.leader.openAccount(`A${i}`, 'x');
        assert.deepEqual(
          (await taking).map((n) => n.id),
          [1, 2, 3, 4, 5, 6],
        );
      } finally {
        subscription.stop();
        await relay.close();
        await until(() => s.service.open.size === 0);
        await s.close();
      }
    });

    test('a stream silent for idleTimeout is taken for dropped and reopened from the last id', async () => {
      const s = await setUp({ heartbeatInterval: 60_000 });
      // A server whose first stream sends a heartbeat and then nothing at all (a stalled
      // connection; a server that sends no headers meets the request's timeout instead).
      let silent = 0;
      const inner = createNotificationLogHandler(new NotificationLogJSONService(s.leader), {
        basePath,
      });
      const quiet = await serve(async (request) => {
        if (new URL(request.url).pathname.endsWith('/stream') && silent++ === 0) {
          let sent = false;
          const body = new ReadableStream<Uint8Array>({
            pull: (controller) => {
              if (sent) return new Promise(() => {});
              sent = true;
              controller.enqueue(new TextEncoder().encode('{"heartbeat": 1}\n'));
            },
          });
          return new Response(body, {
            headers: { 'Content-Type': 'application/x-ndjson' },
          });
        }
        return inner(request);
      }, basePath);
      const retried: unknown[] = [];
      const subscription = new HttpNotificationLogInterface(quiet.url).subscribe(null, {
        idleTimeout: 200,
        onRetry: (error) => retried.push(error),
      });
      try {
        await s.leader.openAccount('A', 'x');
        const started = Date.now();
        assert.deepEqual(
          (await take(subscription, 1)).map((n) => n.id),
          [1],
        );
        assert.ok(Date.now() - started >= 150);
        assert.equal(silent, 2);
        assert.match(String((retried[0] as Error).message), /no line within 200 ms/);
      } finally {
        subscription.stop();
        await quiet.close();
        await s.close();
      }
    });

    test('a stream that needs credentials it lacks ends the iteration with the 401', async () => {
      const s = await setUp({ authorize: () => false });
      try {
        const subscription = new HttpNotificationLogInterface(s.server.url).subscribe(null);
        await assert.rejects(
          subscription[Symbol.asyncIterator]().next(),
          (error: unknown) => error instanceof NotificationLogHttpError && error.status === 401,
        );
      } finally {
        await s.close();
      }
    });

    test('a remote follower pulls 2,500 events in at most 4 requests', async () => {
      const s = await setUp();
      const follower = new Recorder({ env: s.env });
      try {
        for (let batch = 0; batch < 5; batch++) {
          const accounts = Array.from(
            { length: 500 },
            (_, i) => new BankAccount(`A${batch}-${i}`, 'x@x'),
          );
          await s.leader.save(...accounts);
        }
        follower.follow(
          'BankAccounts',
          new NotificationLogJSONClient(new HttpNotificationLogInterface(s.server.url)),
        );
        s.requests.length = 0;
        await follower.pullAndProcess('BankAccounts');
        assert.equal(follower.seen.length, 2500);
        assert.deepEqual(
          follower.seen.map((e) => e.id),
          Array.from({ length: 2500 }, (_, i) => i + 1),
        );
        assert.ok(s.requests.length <= 4, s.requests.join('\n'));
        assert.ok(s.requests.every((r) => r.includes('limit=1000')));
      } finally {
        await follower.close();
        await s.close();
      }
    });

    test("a server with a smaller maximum page: the client reads in the server's pages", async () => {
      const s = await setUp({ maxLimit: 300 });
      try {
        await s.leader.save(
          ...Array.from({ length: 700 }, (_, i) => new BankAccount(`A${i}`, 'x@x')),
        );
        const remote = new HttpNotificationLogInterface(s.server.url);
        const log = new NotificationLogJSONClient(remote);
        const follower = new Recorder({ env: s.env });
        try {
          follower.follow('BankAccounts', log);
          await follower.pullAndProcess('BankAccounts');
          assert.equal(follower.seen.length, 700);
          assert.equal(remote.maxLimit, 300);
          // One 400 taught the limit; then pages of 300 and the empty read at the end.
          assert.equal(s.requests.length, 1 + 3 + 1, s.requests.join('\n'));
        } finally {
          await follower.close();
        }
      } finally {
        await s.close();
      }
    });
  });
}

/**
 * How many sockets that carried a request to the server are still open (undici may also open a
 * spare connection that carries none, closed by the server's timeouts: not counted).
 */
async function connections(server: TestServer): Promise<number> {
  return [...requestSockets(server)].filter((socket) => !socket.destroyed).length;
}

const socketsOf = new WeakMap<TestServer['server'], Set<Socket>>();

function watched(server: TestServer): TestServer {
  requestSockets(server);
  return server;
}

function requestSockets(server: TestServer): Set<Socket> {
  let sockets = socketsOf.get(server.server);
  if (sockets === undefined) {
    const set = new Set<Socket>();
    sockets = set;
    socketsOf.set(server.server, set);
    server.server.on('request', (request: IncomingMessage) => set.add(request.socket));
  }
  return sockets;
}
