// The HTTP handler's answers to bad and unauthorised requests, over a real node:http server on
// 127.0.0.1 serving a SQLite application: 400s with a JSON error, 401/403, 404/405; it never
// throws, and the client turns error statuses into clear errors.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  createNotificationLogHandler,
  HttpNotificationLogInterface,
  NotificationLogHttpError,
  NotificationLogJSONClient,
  NotificationLogJSONService,
} from '../../src/interface/index.js';
import { freshEnv, sqliteBackend } from '../system/backends.js';
import { BankAccounts } from '../system/fixtures/bank.js';
import { serve, type TestServer } from './helpers.js';

const token = 'secret-token';

describe('createNotificationLogHandler', () => {
  let leader: BankAccounts;
  let open: TestServer;
  let secured: TestServer;
  const errors: unknown[] = [];

  before(async () => {
    leader = new BankAccounts({ env: await freshEnv(sqliteBackend, ['BankAccounts']) });
    for (let i = 0; i < 3; i++) await leader.openAccount(`A${i}`, 'x@x');
    const service = new NotificationLogJSONService(leader);
    open = await serve(
      createNotificationLogHandler(service, {
        basePath: '/log/',
        maxLimit: 50,
        onError: (e) => errors.push(e),
      }),
      '/log',
    );
    secured = await serve(
      createNotificationLogHandler(service, {
        basePath: '/log',
        authorize: (request) => request.headers.get('authorization') === `Bearer ${token}`,
      }),
      '/log',
    );
  });

  after(async () => {
    await open.close();
    await secured.close();
    await leader.close();
  });

  async function error(url: string, init?: RequestInit): Promise<[number, string]> {
    const response = await fetch(url, init);
    assert.equal(response.headers.get('content-type'), 'application/json');
    const body = JSON.parse(await response.text()) as { error: string };
    assert.equal(typeof body.error, 'string');
    return [response.status, body.error];
  }

  test('a bad section id is a 400 saying what is expected', async () => {
    for (const id of ['abc', '1,', '1,2,3', '0,9', '10,1', '-1,5', '1.5,10']) {
      const [status, message] = await error(`${open.url}/${id}`);
      assert.equal(status, 400, id);
      assert.match(message, /^Invalid section id ".*": expected "first,last"/);
    }
  });

  test('a limit over the maximum page, a bad or unknown parameter is a 400', async () => {
    assert.deepEqual(await error(`${open.url}?limit=51`), [
      400,
      "limit 51 is over this server's maximum page of 50: ask for at most 50 and read on from the last id returned.",
    ]);
    assert.deepEqual(await error(`${open.url}?start=1&limit=10&colour=red`), [
      400,
      'Unknown parameter "colour": expected start, limit, topics, inclusive_of_start or stop.',
    ]);
    assert.equal((await error(`${open.url}?start=x`))[0], 400);
    assert.equal((await error(`${open.url}?start=1&start=2`))[0], 400);
    assert.equal((await error(`${open.url}?inclusive_of_start=maybe`))[0], 400);
    const ok = await fetch(`${open.url}/?limit=50`);
    assert.equal(ok.status, 200);
    assert.equal(JSON.parse(await ok.text()).length, 3);
  });

  test('other paths are 404, other methods 405', async () => {
    assert.equal((await error(`${open.url}/1,10/more`))[0], 404);
    assert.equal((await error(`http://127.0.0.1:${open.port}/other`))[0], 404);
    const response = await fetch(`${open.url}/1,10`, { method: 'POST', body: 'x' });
    assert.equal(response.status, 405);
    assert.equal(response.headers.get('allow'), 'GET, HEAD');
    await response.text();
    const head = await fetch(`${open.url}/1,10`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(await head.text(), '');
  });

  test('authorize: 401 without credentials, 403 with wrong ones, served with the bearer token', async () => {
    const [status, message] = await error(`${secured.url}/1,10`);
    assert.equal(status, 401);
    assert.match(message, /Authorization/);
    assert.equal(
      (await error(`${secured.url}/1,10`, { headers: { Authorization: 'Bearer wrong' } }))[0],
      403,
    );
    const log = new NotificationLogJSONClient(
      new HttpNotificationLogInterface(secured.url, {
        headers: { Authorization: `Bearer ${token}` },
      }),
    );
    assert.equal((await log.get('1,10')).items.length, 3);
    const anonymous = new NotificationLogJSONClient(new HttpNotificationLogInterface(secured.url));
    await assert.rejects(anonymous.select(1, 10), (e: unknown) => {
      assert.ok(e instanceof NotificationLogHttpError);
      assert.equal(e.status, 401);
      assert.match(e.message, /failed with 401 Unauthorized: Unauthorized: send credentials/);
      return true;
    });
  });

  test('authorize may answer with its own Response; its errors are a 500', async () => {
    const service = new NotificationLogJSONService(leader);
    const custom = createNotificationLogHandler(service, {
      authorize: () => new Response('teapot', { status: 418 }),
    });
    assert.equal((await custom(new Request('http://h/1,10'))).status, 418);
    const seen: unknown[] = [];
    const failing = createNotificationLogHandler(service, {
      authorize: () => {
        throw new Error('boom');
      },
      onError: (e) => seen.push(e),
    });
    const response = await failing(new Request('http://h/1,10'));
    assert.equal(response.status, 500);
    assert.doesNotMatch(await response.text(), /boom/);
    assert.equal((seen[0] as Error).message, 'boom');
  });

  test('the client times out and honours an AbortSignal', async () => {
    const never = createNotificationLogHandler({
      getLogSection: () => new Promise<string>(() => {}),
      getNotifications: () => new Promise<string>(() => {}),
    });
    const slow = await serve(never);
    try {
      const timed = new HttpNotificationLogInterface(slow.url, { timeout: 100 });
      await assert.rejects(timed.getLogSection('1,10'), /failed: no answer within 100 ms\.$/);
      const controller = new AbortController();
      const client = new HttpNotificationLogInterface(slow.url, { signal: controller.signal });
      const pending = client.getNotifications(1, 10);
      controller.abort(new Error('stopped by the test'));
      await assert.rejects(pending, /failed: stopped by the test\.$/);
    } finally {
      await slow.close();
    }
    assert.deepEqual(errors, []);
  });

  test('toNodeListener cancels a streamed body when the client goes away', async () => {
    let cancelled: (reason: unknown) => void = () => {};
    const cancelledOnce = new Promise((resolve) => {
      cancelled = resolve;
    });
    const streaming = await serve(async () => {
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('['));
        },
        cancel(reason) {
          cancelled(reason);
        },
      });
      return new Response(body, { headers: { 'Content-Type': 'application/json' } });
    });
    try {
      const controller = new AbortController();
      const response = await fetch(streaming.url, { signal: controller.signal });
      const reader = response.body?.getReader();
      assert.deepEqual((await reader?.read())?.value, new TextEncoder().encode('['));
      controller.abort();
      await cancelledOnce;
      const after = await fetch(`${open.url}/1,10`);
      assert.equal(after.status, 200);
      await after.text();
    } finally {
      await streaming.close();
    }
  });
});
