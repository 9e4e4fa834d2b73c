// createNotificationLogHandler mounted in Express, Fastify and Hono, each serving on a real port
// on 127.0.0.1 (as docs/interface.md shows them): sections with their cache headers and ETag, a
// 304, a selection by topic, a 400 with a JSON error, and a remote reader pulling the whole log.
// Bun and Deno are not installed here: the docs show them untested and say so.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import {
  createNotificationLogHandler,
  type FetchHandler,
  HttpNotificationLogInterface,
  NotificationLogJSONClient,
  NotificationLogJSONService,
  toNodeListener,
} from '../../src/interface/index.js';
import { NotificationLogReader } from '../../src/system/notification-log-reader.js';
import { BankAccounts } from '../system/fixtures/bank.js';

/** A framework's app serving the handler under /log: its base URL and how to stop it. */
interface Mounted {
  url: string;
  close(): Promise<void>;
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/log`);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}

const frameworks: Record<string, (handler: FetchHandler) => Promise<Mounted>> = {
  async Express(handler) {
    const app = express();
    // A route (not app.use, which strips the mount path from req.url): the handler sees the
    // full path and its basePath is '/log'.
    const listener = toNodeListener(handler);
    app.get(['/log', '/log/{*rest}'], (req, res) => listener(req, res));
    const server = createServer(app);
    const url = await listen(server);
    return { url, close: () => closeServer(server) };
  },

  async Fastify(handler) {
    const app = Fastify();
    const listener = toNodeListener(handler);
    // Hand the raw request and response to the handler (reply.hijack: Fastify sends nothing).
    const route = (
      request: { raw: Parameters<typeof listener>[0] },
      reply: {
        hijack(): void;
        raw: Parameters<typeof listener>[1];
      },
    ): void => {
      reply.hijack();
      listener(request.raw, reply.raw);
    };
    app.get('/log', route);
    app.get('/log/*', route);
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    return { url: `${address}/log`, close: () => app.close() };
  },

  async Hono(handler) {
    const app = new Hono();
    app.get('/log', (c) => handler(c.req.raw));
    app.get('/log/*', (c) => handler(c.req.raw));
    // Hono's app.fetch is itself a fetch handler: on Node, toNodeListener serves it.
    const server = createServer(toNodeListener(async (request) => app.fetch(request)));
    const url = await listen(server);
    return { url, close: () => closeServer(server) };
  },
};

describe('mounting the handler in web frameworks', () => {
  let leader: BankAccounts;
  let handler: FetchHandler;

  before(async () => {
    leader = new BankAccounts();
    for (let i = 0; i < 12; i++) await leader.openAccount(`A${i}`, `a${i}@example.com`);
    handler = createNotificationLogHandler(new NotificationLogJSONService(leader), {
      basePath: '/log',
      maxLimit: 100,
    });
  });

  after(() => leader.close());

  for (const [name, mount] of Object.entries(frameworks)) {
    test(`${name} serves the notification log over a real port`, async () => {
      const mounted = await mount(handler);
      try {
        // A full section: immutable, with an ETag that a conditional request gets a 304 for.
        const full = await fetch(`${mounted.url}/1,10`);
        assert.equal(full.status, 200);
        assert.equal(full.headers.get('content-type'), 'application/json');
        assert.match(full.headers.get('cache-control') ?? '', /immutable/);
        const etag = full.headers.get('etag');
        assert.ok(etag);
        const body = (await full.json()) as { id: string; next_id: string; items: unknown[] };
        assert.equal(body.id, '1,10');
        assert.equal(body.next_id, '11,20');
        assert.equal(body.items.length, 10);
        const again = await fetch(`${mounted.url}/1,10`, { headers: { 'If-None-Match': etag } });
        assert.equal(again.status, 304);
        await again.body?.cancel();
        // The partial last section: no-cache.
        const partial = await fetch(`${mounted.url}/11,20`);
        assert.equal(partial.headers.get('cache-control'), 'no-cache');
        assert.equal(((await partial.json()) as { id: string }).id, '11,12');
        // A selection by topic, and a bad request.
        const topic = encodeURIComponent(
          (await leader.notificationLog.select(1, 1))[0]?.topic ?? '',
        );
        const selected = (await (
          await fetch(`${mounted.url}?start=2&limit=5&topics=${topic}`)
        ).json()) as { id: number }[];
        assert.deepEqual(
          selected.map((n) => n.id),
          [2, 3, 4, 5, 6],
        );
        const bad = await fetch(`${mounted.url}?limit=101`);
        assert.equal(bad.status, 400);
        assert.match(((await bad.json()) as { error: string }).error, /maximum page of 100/);
        // A remote reader pulls the whole log through the framework.
        const log = new NotificationLogJSONClient(new HttpNotificationLogInterface(mounted.url));
        const ids: number[] = [];
        for await (const n of new NotificationLogReader(log, 5).read({ start: 1 })) ids.push(n.id);
        assert.deepEqual(
          ids,
          Array.from({ length: 12 }, (_, i) => i + 1),
        );
        const local = await leader.recorder.selectNotifications(1, 12);
        const remote = await log.select(1, 12);
        assert.deepEqual(
          remote.map((n) => [n.originatorId, n.originatorVersion, n.topic, [...n.state]]),
          local.map((n) => [n.originatorId, n.originatorVersion, n.topic, [...n.state]]),
        );
      } finally {
        await mounted.close();
      }
    });
  }
});
