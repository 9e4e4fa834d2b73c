import type { Application } from '../application/application.js';
import { authorizationResponse } from '../interface/authorization-response.js';
import { errorResponse } from '../interface/error-response.js';
import { INTEGER_PATTERN, integerParam } from '../interface/integer-param.js';
import type { FetchHandler } from '../interface/notification-log-handler.js';
import { StoreInspector } from '../interface/store-inspector.js';
import { InspectionError } from '../persistence/inspection-error.js';
import { type BrowserEvent, toBrowserEvent } from './browser-event.js';
import { toBrowserLag } from './browser-lag.js';
import { browserPage } from './page.js';
import { PAGE_SCRIPT } from './page-script.js';
import { PAGE_STYLE } from './page-style.js';
import { serverSentEvents } from './server-sent-events.js';

/** Options of `createEventBrowserHandler`. */
export interface EventBrowserHandlerOptions {
  /**
   * The application whose stored events the browser shows, read through its own recorder and
   * mapper (so an in-memory application too). Give this or `inspector`.
   */
  app?: Application;
  /**
   * What the browser reads instead of `app`: a `StoreInspector` (as `eventsourcing serve`
   * opens one from the environment). The handler never closes it.
   *
   * @internal
   */
  inspector?: StoreInspector;
  /**
   * Projections and followers whose tracking is recorded in another database than the
   * application's, each read from the database its environment names (`NAME_SQLITE_DBNAME`,
   * …): their lag is shown with the readers found in the application's own database.
   */
  lagReaders?: readonly {
    /** The projection's or follower's name (the `NAME_` scope of its environment keys). */
    readonly name: string;
    /** Whether it is a projection or a follower (only shown). */
    readonly kind: 'projection' | 'follower';
  }[];
  /** The path the browser is served under, e.g. `/browser` (default: the root). */
  basePath?: string;
  /**
   * Decides whether a request may read (the page, its script and every API call go through
   * it). `true` serves it; `false` answers 401 when the request has no `Authorization` header
   * and 403 when it has one; a `Response` is sent as it is (a 401 with
   * `WWW-Authenticate: Basic realm="events"` makes a browser ask for a password). An error it
   * throws answers 500.
   */
  authorize?: (request: Request) => boolean | Response | Promise<boolean | Response>;
  /**
   * The most notifications a page of the log may ask for (default 200): a larger `limit` is a
   * 400. The page asks for 20 unless told otherwise.
   */
  maxLimit?: number;
  /** Called with an unexpected error (the inspector's, `authorize`'s) before a 500 is sent. */
  onError?: (error: unknown) => void;
  /** Milliseconds between the heartbeat comments of a live tail (default 15,000). */
  heartbeatInterval?: number;
  /**
   * Aborting it ends every open live tail cleanly and answers later tail requests 503 (so
   * that an `EventSource` stops reconnecting): abort it before `server.close()`, which waits
   * for open responses to end. The page and the other API calls are still served.
   */
  signal?: AbortSignal;
  /**
   * Where the same application's notification log is served over HTTP (e.g.
   * `/notifications`), linked from the page; none when not given.
   */
  notificationLogPath?: string;
}

const notificationsParameters = new Set(['start', 'limit', 'topics']);
const aggregateParameters = new Set(['version']);
const tailParameters = new Set(['gt', 'topics']);

/**
 * Serves the web event browser as a WHATWG fetch handler (`toNodeListener` adapts it to
 * `node:http`), read-only and never throwing: one page (`GET {basePath}/`, with its script
 * and stylesheet, nothing loaded from elsewhere) with four views (the notification log paged
 * and filtered by topic, an aggregate's history with each event's fields, a live tail, the lag
 * of projections and followers), and the JSON API the page reads:
 *
 * - `GET {basePath}/api/info`: `{"application", "maxNotificationId", "notificationLogPath"}`.
 * - `GET {basePath}/api/notifications?start=&limit=&topics=`: `{"items": [event…],
 *   "next": id | null}`, at most `limit` (default 20) notifications from id `start` (default
 *   1), of the `topics` (repeated, or separated by commas); `next` is the `start` of the next
 *   page, or `null` at the end of the log.
 * - `GET {basePath}/api/aggregates/{originatorId}?version=`: `{"originatorId", "events":
 *   [event…]}`, its events up to `version` (all when not given); 404 when it has none.
 * - `GET {basePath}/api/tail?gt=&topics=`: server-sent events (`text/event-stream`): `ready`
 *   (`id:` gt), then a `notification` (data: the event's JSON, `id:` its notification id) for each
 *   notification after `gt` (default: the last one now; `Last-Event-ID` when an `EventSource`
 *   reconnects), and heartbeat comments. It ends when the client goes away or `signal` aborts.
 * - `GET {basePath}/api/lag`: `{"items": [lag…]}`, each projection and follower's position.
 *
 * Events are `BrowserEvent`s, lag rows `BrowserLag`s. The page builds its content from text
 * nodes only (event fields are user data) under a `Content-Security-Policy` that allows its own
 * script and nothing else. A bad request is a 400 with a JSON body `{"error": "..."}` saying
 * what was wrong; other methods are 405, other paths 404.
 */
export function createEventBrowserHandler(options: EventBrowserHandlerOptions): FetchHandler {
  if (
    options === null ||
    typeof options !== 'object' ||
    (options.app == null) === (options.inspector == null)
  ) {
    throw new TypeError(
      'createEventBrowserHandler({ app }) needs the application whose events it shows.',
    );
  }
  const basePath = (options.basePath ?? '').replace(/\/+$/, '');
  if (basePath !== '' && !basePath.startsWith('/')) {
    throw new TypeError(`basePath must start with "/", got ${JSON.stringify(options.basePath)}.`);
  }
  const maxLimit = options.maxLimit ?? 200;
  if (!Number.isSafeInteger(maxLimit) || maxLimit < 1) {
    throw new RangeError(`maxLimit must be a positive integer, got ${maxLimit}.`);
  }
  const heartbeatInterval = options.heartbeatInterval ?? 15_000;
  if (!(heartbeatInterval > 0) || !Number.isFinite(heartbeatInterval)) {
    throw new RangeError(`heartbeatInterval must be positive, got ${heartbeatInterval}.`);
  }
  const inspector = options.inspector ?? StoreInspector.forApplication(options.app as Application);
  const { authorize, onError, signal: closing } = options;
  const lagReaders = options.lagReaders ?? [];
  const notificationLogPath = options.notificationLogPath ?? null;
  const defaultLimit = Math.min(20, maxLimit);

  const report = (error: unknown): void => {
    try {
      onError?.(error);
    } catch {
      // An observer's error must not crash the server.
    }
  };

  const failed = (error: unknown): Response => {
    report(error);
    // What to fix (the tables are not there, the database cannot be reached) is worth saying.
    if (error instanceof InspectionError) return errorResponse(500, error.message);
    return errorResponse(500, 'The events could not be read: try again later.');
  };

  return async (request: Request): Promise<Response> => {
    try {
      let url: URL;
      try {
        url = new URL(request.url);
      } catch {
        return errorResponse(400, `Invalid request URL ${JSON.stringify(request.url)}.`);
      }
      const path = url.pathname;
      if (path !== basePath && !path.startsWith(`${basePath}/`)) {
        return errorResponse(404, `Not found: the event browser is served under "${basePath}/".`);
      }
      const route = path.slice(basePath.length).replace(/^\/+/, '');
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        return errorResponse(
          405,
          `Method ${request.method} not allowed: the browser is read-only.`,
          {
            Allow: 'GET, HEAD',
          },
        );
      }
      let refused: Response | null;
      try {
        refused = await authorizationResponse(authorize, request, 'these events');
      } catch (error) {
        return failed(error);
      }
      if (refused !== null) return refused;
      const response = await route_(route, url.searchParams, request);
      if (request.method === 'HEAD' && response.body !== null) {
        await response.body.cancel().catch(() => {});
        return new Response(null, { status: response.status, headers: response.headers });
      }
      return response;
    } catch (error) {
      return failed(error);
    }
  };

  async function route_(route: string, params: URLSearchParams, request: Request) {
    switch (route) {
      case '':
      case 'index.html':
        if (params.size > 0) return unknownParameter(params.keys().next().value as string, []);
        return asset(
          browserPage({ basePath, applicationName: inspector.appName }),
          'text/html; charset=utf-8',
        );
      case 'browser.js':
        return asset(PAGE_SCRIPT, 'text/javascript; charset=utf-8');
      case 'browser.css':
        return asset(PAGE_STYLE, 'text/css; charset=utf-8');
      case 'api/info': {
        const bad = checkParameters(params, new Set(), []);
        if (bad !== null) return bad;
        return json({
          application: inspector.appName,
          backend: inspector.backend,
          maxNotificationId: await maxNotificationId(),
          notificationLogPath,
        });
      }
      case 'api/notifications':
        return notifications(params, request.signal);
      case 'api/tail':
        return tail(params, request);
      case 'api/lag': {
        const bad = checkParameters(params, new Set(), []);
        if (bad !== null) return bad;
        const lag = await inspector.lag({ readers: lagReaders });
        return json({ items: lag.map(toBrowserLag) });
      }
    }
    if (route.startsWith('api/aggregates/')) {
      const id = safeDecode(route.slice('api/aggregates/'.length));
      if (id === null || id === '') {
        return errorResponse(400, 'Invalid aggregate id: expected api/aggregates/{originatorId}.');
      }
      return aggregate(id, params);
    }
    return errorResponse(
      404,
      `Not found: the event browser's page is "${basePath}/" and its API "${basePath}/api/".`,
    );
  }

  /** The log's head (after checking that the application's tables are there). */
  async function maxNotificationId(): Promise<number | null> {
    await inspector.notifications({ limit: 1 });
    return inspector.recorder.maxNotificationId();
  }

  async function* tailEvents(options: {
    gt: number | null;
    topics: string[];
    signal: AbortSignal;
  }): AsyncGenerator<BrowserEvent, void, undefined> {
    for await (const event of inspector.tail(options)) yield toBrowserEvent(event);
  }

  async function notifications(params: URLSearchParams, signal: AbortSignal): Promise<Response> {
    const bad = checkParameters(params, notificationsParameters, ['start', 'limit']);
    if (bad !== null) return bad;
    const start = integerParam(params, 'start');
    if (start instanceof Response) return start;
    const limit = integerParam(params, 'limit');
    if (limit instanceof Response) return limit;
    if (limit !== null && (limit < 1 || limit > maxLimit)) {
      return errorResponse(
        400,
        `Invalid limit ${limit}: ask for 1 to ${maxLimit} notifications and page on with "next".`,
      );
    }
    const pageSize = limit ?? defaultLimit;
    signal.throwIfAborted();
    const items = (
      await inspector.notifications({ start, limit: pageSize, topics: topicsParam(params) })
    ).map(toBrowserEvent);
    const last = items.at(-1);
    const next = items.length === pageSize && last?.id != null ? last.id + 1 : null;
    return json({ items, next });
  }

  async function aggregate(originatorId: string, params: URLSearchParams): Promise<Response> {
    const bad = checkParameters(params, aggregateParameters, ['version']);
    if (bad !== null) return bad;
    const version = integerParam(params, 'version');
    if (version instanceof Response) return version;
    const events = (await inspector.events(originatorId, { version })).map(toBrowserEvent);
    if (events.length === 0) {
      return errorResponse(
        404,
        `No events of aggregate ${JSON.stringify(originatorId)}${
          version === null ? '' : ` up to version ${version}`
        } are stored.`,
      );
    }
    return json({ originatorId, events });
  }

  async function tail(params: URLSearchParams, request: Request): Promise<Response> {
    const bad = checkParameters(params, tailParameters, ['gt']);
    if (bad !== null) return bad;
    let gt = integerParam(params, 'gt');
    if (gt instanceof Response) return gt;
    const lastEventId = request.headers.get('last-event-id');
    if (lastEventId !== null && INTEGER_PATTERN.test(lastEventId)) gt = Number(lastEventId);
    if (closing?.aborted) {
      return errorResponse(503, 'The server is closing: try again later.', {
        Connection: 'close',
      });
    }
    if (gt === null) gt = await maxNotificationId();
    const topics = topicsParam(params);
    const from = gt;
    const signals = closing === undefined ? [request.signal] : [request.signal, closing];
    // `Connection: close` lets a closing server finish as soon as its tails do.
    return new Response(
      serverSentEvents(from, (signal) => tailEvents({ gt: from, topics, signal }), {
        heartbeatInterval,
        signals,
        onError: report,
      }),
      {
        status: 200,
        headers: {
          'Content-Type': 'text/event-stream; charset=utf-8',
          'Cache-Control': 'no-store',
          'X-Accel-Buffering': 'no',
          'X-Content-Type-Options': 'nosniff',
          Connection: 'close',
        },
      },
    );
  }
}

/**
 * The security headers of everything served: only this origin's script and stylesheet, no
 * frames, no referrer.
 */
const securityHeaders: Readonly<Record<string, string>> = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; " +
    "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
};

function asset(body: string, contentType: string): Response {
  return new Response(body, {
    status: 200,
    headers: { 'Content-Type': contentType, 'Cache-Control': 'no-cache', ...securityHeaders },
  });
}

function json(body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status: 200,
    headers: {
      'Content-Type': 'application/json; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    },
  });
}

function checkParameters(
  params: URLSearchParams,
  known: ReadonlySet<string>,
  once: readonly string[],
): Response | null {
  for (const key of params.keys()) {
    if (!known.has(key)) return unknownParameter(key, [...known]);
  }
  for (const key of once) {
    if (params.getAll(key).length > 1) {
      return errorResponse(400, `Parameter "${key}" given more than once: give it once.`);
    }
  }
  return null;
}

function unknownParameter(key: string, known: readonly string[]): Response {
  return errorResponse(
    400,
    `Unknown parameter ${JSON.stringify(key)}: ${
      known.length === 0 ? 'this takes none' : `expected ${known.join(', ')}`
    }.`,
  );
}

function topicsParam(params: URLSearchParams): string[] {
  return params
    .getAll('topics')
    .flatMap((value) => value.split(','))
    .map((topic) => topic.trim())
    .filter((topic) => topic !== '');
}

function safeDecode(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}
