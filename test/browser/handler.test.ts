// createEventBrowserHandler as a fetch handler, without a browser: the page and its headers,
// the JSON API and its 400s, authorize, and the live tail's server-sent events, which end on
// the handler's signal.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createEventBrowserHandler } from '../../src/browser/index.js';
import type { FetchHandler } from '../../src/interface/notification-log-handler.js';
import { StoreInspector } from '../../src/interface/store-inspector.js';
import { DogSchool, HOSTILE_TRICK } from './fixtures/dog-school.js';

const base = 'http://browser.test';

/** Reads server-sent events from a body until `count` messages (comments left out). */
async function readEvents(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  count: number,
): Promise<{ event: string; id: string | null; data: string }[]> {
  const decoder = new TextDecoder();
  let text = '';
  const messages: { event: string; id: string | null; data: string }[] = [];
  while (messages.length < count) {
    const { done, value } = await reader.read();
    if (done) throw new Error(`the stream ended after ${messages.length} messages`);
    text += decoder.decode(value, { stream: true });
    let end = text.indexOf('\n\n');
    while (end !== -1) {
      const block = text.slice(0, end);
      text = text.slice(end + 2);
      const fields = new Map<string, string>();
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        fields.set(line.slice(0, colon), line.slice(colon + 1).trimStart());
      }
      if (fields.has('event')) {
        messages.push({
          event: fields.get('event') as string,
          id: fields.get('id') ?? null,
          data: fields.get('data') ?? '',
        });
      }
      end = text.indexOf('\n\n');
    }
  }
  return messages;
}

describe('createEventBrowserHandler', () => {
  let app: DogSchool;
  let inspector: StoreInspector;
  let handler: FetchHandler;
  let fido: string;

  before(async () => {
    app = new DogSchool();
    fido = await app.registerDog('Fido');
    await app.addTrick(fido, HOSTILE_TRICK);
    inspector = StoreInspector.forApplication(app);
    handler = createEventBrowserHandler({ app });
  });

  after(async () => {
    await inspector.close();
    await app.close();
  });

  const get = (path: string, init?: RequestInit) => handler(new Request(`${base}${path}`, init));

  test('serves the page, its script and stylesheet, under a strict content security policy', async () => {
    const page = await get('/');
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self';/);
    assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
    const html = await page.text();
    assert.match(html, /<script src="\/browser\.js" defer><\/script>/);
    assert.match(html, /<title>DogSchool · /);
    const script = await get('/browser.js');
    assert.equal(script.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.doesNotMatch(await script.text(), /innerHTML/);
    assert.equal(
      (await get('/browser.css')).headers.get('content-type'),
      'text/css; charset=utf-8',
    );
  });

  test('escapes what it writes into the page', async () => {
    // A URL path keeps ' and & as they are.
    const mounted = createEventBrowserHandler({ inspector, basePath: "/it's&amp;" });
    const page = await (await mounted(new Request(`${base}/it's&amp;/`))).text();
    assert.ok(page.includes('data-base-path="/it&#39;s&amp;amp;"'));
    assert.ok(page.includes('href="/it&#39;s&amp;amp;/browser.css"'));
    assert.ok(!page.includes("it's"));
  });

  test('the log, an aggregate and the lag as JSON, fields decoded', async () => {
    const log = await get('/api/notifications?limit=1');
    assert.equal(log.status, 200);
    assert.equal(log.headers.get('content-type'), 'application/json; charset=utf-8');
    const page = (await log.json()) as { items: { id: number; topic: string }[]; next: number };
    assert.deepEqual(
      page.items.map((item) => [item.id, item.topic]),
      [[1, 'Dog.Registered']],
    );
    assert.equal(page.next, 2);
    const last = (await (await get('/api/notifications?start=2&limit=5')).json()) as {
      items: unknown[];
      next: number | null;
    };
    assert.equal(last.items.length, 1);
    assert.equal(last.next, null);
    const filtered = (await (await get('/api/notifications?topics=Dog.TrickAdded')).json()) as {
      items: { id: number; fields: { trick: string } }[];
    };
    assert.deepEqual(
      filtered.items.map((item) => [item.id, item.fields.trick]),
      [[2, HOSTILE_TRICK]],
    );
    const history = (await (await get(`/api/aggregates/${fido}`)).json()) as {
      originatorId: string;
      events: { originatorVersion: number; timestamp: string; fields: Record<string, unknown> }[];
    };
    assert.equal(history.originatorId, fido);
    assert.deepEqual(
      history.events.map((e) => [e.originatorVersion, e.fields]),
      [
        [1, { originatorTopic: 'Dog', name: 'Fido' }],
        [2, { trick: HOSTILE_TRICK }],
      ],
    );
    assert.match(history.events[0]?.timestamp ?? '', /^\d{4}-\d\d-\d\dT.*Z$/);
    const upTo = (await (await get(`/api/aggregates/${fido}?version=1`)).json()) as {
      events: unknown[];
    };
    assert.equal(upTo.events.length, 1);
    assert.deepEqual(await (await get('/api/lag')).json(), { items: [] });
    const info = await (await get('/api/info')).json();
    assert.deepEqual(info, {
      application: 'DogSchool',
      backend: 'memory',
      maxNotificationId: 2,
      notificationLogPath: null,
    });
  });

  test('a bad request is a 400 saying what was wrong; other paths 404, other methods 405', async () => {
    const cases: [string, RegExp][] = [
      ['/api/notifications?limit=0', /Invalid limit 0: ask for 1 to 200/],
      ['/api/notifications?limit=201', /Invalid limit 201/],
      ['/api/notifications?start=x', /Invalid start "x": expected a non-negative integer/],
      ['/api/notifications?start=1&start=2', /"start" given more than once/],
      ['/api/notifications?page=2', /Unknown parameter "page": expected start, limit, topics/],
      [`/api/aggregates/${fido}?version=-1`, /Invalid version "-1"/],
      ['/api/tail?gt=a', /Invalid gt "a"/],
      ['/api/lag?x=1', /Unknown parameter "x": this takes none/],
      ['/api/aggregates/%E0%A4%A', /Invalid aggregate id/],
    ];
    for (const [path, message] of cases) {
      const response = await get(path);
      assert.equal(response.status, 400, path);
      assert.match(((await response.json()) as { error: string }).error, message, path);
    }
    const missing = await get('/api/aggregates/no-such-dog');
    assert.equal(missing.status, 404);
    assert.match(((await missing.json()) as { error: string }).error, /"no-such-dog"/);
    assert.equal((await get('/api/nothing')).status, 404);
    const post = await get('/api/notifications', { method: 'POST', body: '{}' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get('allow'), 'GET, HEAD');
    const head = await get('/api/notifications', { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(await head.text(), '');
    const mounted = createEventBrowserHandler({ inspector, basePath: '/events/' });
    assert.equal((await mounted(new Request(`${base}/events`))).status, 200);
    assert.equal((await mounted(new Request(`${base}/other/`))).status, 404);
  });

  test('authorize: 401 without credentials, 403 with refused ones, a Response as it is, 500 when it throws', async () => {
    const errors: unknown[] = [];
    const refusing = createEventBrowserHandler({ inspector, authorize: () => false });
    const unauthorized = await refusing(new Request(`${base}/api/notifications`));
    assert.equal(unauthorized.status, 401);
    assert.equal(unauthorized.headers.get('www-authenticate'), 'Bearer');
    const forbidden = await refusing(
      new Request(`${base}/`, { headers: { Authorization: 'Bearer nope' } }),
    );
    assert.equal(forbidden.status, 403);
    const basic = createEventBrowserHandler({
      inspector,
      authorize: () =>
        new Response('Who are you?', {
          status: 401,
          headers: { 'WWW-Authenticate': 'Basic realm="events"' },
        }),
    });
    const asked = await basic(new Request(`${base}/`));
    assert.equal(asked.headers.get('www-authenticate'), 'Basic realm="events"');
    assert.equal(await asked.text(), 'Who are you?');
    const throwing = createEventBrowserHandler({
      inspector,
      authorize: () => {
        throw new Error('the auth service is down');
      },
      onError: (error) => errors.push(error),
    });
    const failed = await throwing(new Request(`${base}/api/lag`));
    assert.equal(failed.status, 500);
    assert.equal((errors[0] as Error).message, 'the auth service is down');
  });

  test('the live tail sends events after gt as server-sent events, and ends on the signal', async () => {
    const closing = new AbortController();
    const tailing = createEventBrowserHandler({ inspector, signal: closing.signal });
    const response = await tailing(new Request(`${base}/api/tail`));
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const [ready] = await readEvents(reader, 1);
    // The ready message carries gt as its id: an EventSource that reconnects before any
    // notification came sends it as Last-Event-ID and misses nothing saved in between.
    assert.deepEqual(ready, { event: 'ready', id: '2', data: '{"gt":2}' });
    await app.addTrick(fido, 'sit');
    const [saved] = await readEvents(reader, 1);
    assert.equal(saved?.event, 'notification');
    assert.equal(saved?.id, '3');
    assert.deepEqual(JSON.parse(saved?.data ?? '').fields, { trick: 'sit' });

    // A reconnecting EventSource sends the last id it saw.
    const again = await tailing(
      new Request(`${base}/api/tail?gt=0`, { headers: { 'Last-Event-ID': '2' } }),
    );
    const againReader = (again.body as ReadableStream<Uint8Array>).getReader();
    const [readyAgain, third] = await readEvents(againReader, 2);
    assert.equal(readyAgain?.data, '{"gt":2}');
    assert.equal(third?.id, '3');

    closing.abort();
    assert.equal((await reader.read()).done, true);
    assert.equal((await againReader.read()).done, true);
    const late = await tailing(new Request(`${base}/api/tail`));
    assert.equal(late.status, 503);
    // The rest is still served.
    assert.equal((await tailing(new Request(`${base}/api/lag`))).status, 200);
  });

  test('a tail whose client goes away stops reading', async () => {
    const client = new AbortController();
    const response = await handler(new Request(`${base}/api/tail`, { signal: client.signal }));
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    await readEvents(reader, 1);
    client.abort();
    assert.equal((await reader.read()).done, true);
  });

  test('bad options are errors at once', () => {
    assert.throws(
      () => createEventBrowserHandler({} as never),
      /createEventBrowserHandler\(\{ app \}\) needs the application whose events it shows/,
    );
    assert.throws(
      () => createEventBrowserHandler({ inspector, basePath: 'events' }),
      /basePath must start with "\/"/,
    );
    assert.throws(() => createEventBrowserHandler({ inspector, maxLimit: 0 }), RangeError);
  });
});
